package credentials

import "strings"

// The environment of a command maketoken runs, and which Make credentials
// it may see: the rules are here, with the credentials, so that no command
// gives one away by building an environment of its own.

// WithoutCredentials is environ without Make credentials
// (MAKETOKEN_TOKEN_*, MAKE_API_KEY): a store command needs none, and the
// old one is about to be revoked.
func WithoutCredentials(environ []string) []string {
	env := make([]string, 0, len(environ))
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if envKeyIs(k, "MAKE_API_KEY") || strings.HasPrefix(k, "MAKETOKEN_TOKEN_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// ExecEnv is exec's COMMAND's environment: environ with MAKE_API_KEY and
// MAKE_ZONE replaced by token and host.
func ExecEnv(environ []string, token, host string) []string {
	env := make([]string, 0, len(environ)+2)
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if envKeyIs(k, "MAKE_API_KEY") || envKeyIs(k, "MAKE_ZONE") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "MAKE_API_KEY="+token, "MAKE_ZONE="+host)
}

// EphemeralEnv is the environment of `exec --ephemeral`'s command: the
// token and host in MAKE_API_KEY and MAKE_ZONE, and the zone's own
// credential nowhere: no MAKETOKEN_TOKEN_* variable, and no variable whose
// value holds it (a CI secret under another name).
func EphemeralEnv(environ []string, token, host, credential string) []string {
	kept := make([]string, 0, len(environ))
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		if hasEnvPrefix(k, "MAKETOKEN_TOKEN_") || (credential != "" && strings.Contains(v, credential)) {
			continue
		}
		kept = append(kept, kv)
	}
	return ExecEnv(kept, token, host)
}

// hasEnvPrefix reports whether the variable name k starts with prefix, as
// the platform compares names.
func hasEnvPrefix(k, prefix string) bool {
	return len(k) >= len(prefix) && envKeyIs(k[:len(prefix)], prefix)
}
