package emulatorcli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/maketoken/maketoken/internal/zones"
)

// A session is a fresh emulator of the six zones on random loopback ports,
// a private temporary folder with a maketoken config file pointing at it,
// and the environment that wires maketoken to both. Nothing of the user's
// own config, credentials, cache or keyring is used or changed.
type session struct {
	dir string
	srv *emulator.Server
	env []string
}

// seedToken is a token every session starts with, besides each zone's
// admin token (the credential maketoken uses there).
type seedToken struct {
	zone   string
	label  string
	age    time.Duration
	scopes []string
}

const day = 24 * time.Hour

// seedTokens look like an account that has been used for a while: tokens of
// different ages and scopes, one label in two zones, some old enough for
// `prune --older-than 90d`.
var seedTokens = []seedToken{
	{"eu1", "ci-nightly", 97*day + 3*time.Hour + 17*time.Minute + 2412*time.Millisecond, []string{"scenarios:read", "scenarios:run"}},
	{"eu1", "reporting", 212*day + 51*time.Minute + 48719*time.Millisecond, []string{"analytics:read", "scenarios:read", "teams:read"}},
	{"eu1", "zapier-bridge", 16*day + 5*time.Hour + 7305*time.Millisecond, []string{"connections:read", "hooks:read", "hooks:write", "scenarios:run"}},
	{"us1", "ci-nightly", 44*day + 9*time.Hour + 31577*time.Millisecond, []string{"scenarios:read", "scenarios:run"}},
	{"us1", "reporting", 400*day + 2*time.Hour + 12093*time.Millisecond, []string{"analytics:read"}},
	{"celonis-eu1", "zapier-bridge", 8*day + 14*time.Hour + 40816*time.Millisecond, []string{"hooks:read", "hooks:write"}},
}

// startSession starts the emulator and prepares the environment for the
// command: environ with maketoken's and Make's variables replaced, and the
// folder of self (the make-emulator binary) first on PATH when a maketoken
// binary sits next to it, so that the maketoken installed with it is the one
// that runs.
func startSession(environ []string, self string, now time.Time) (_ *session, err error) {
	dir, err := os.MkdirTemp("", "make-emulator-")
	if err != nil {
		return nil, err
	}
	s := &session{dir: dir, srv: emulator.New(emulator.Options{Now: time.Now})}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	for _, t := range seedTokens {
		s.srv.Zone(t.zone).AddToken(t.label, t.scopes, now.Add(-t.age))
	}
	if err := s.srv.Start(); err != nil {
		return nil, err
	}
	config := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(config, []byte(s.srv.ConfigYAML()), 0o600); err != nil {
		return nil, err
	}

	var env []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !replacedVariable(k) {
			env = append(env, kv)
		}
	}
	env = append(env,
		"MAKE_EMULATOR=1",
		"MAKETOKEN_CONFIG="+config,
		// A `login --insecure-storage` inside writes here, not into the
		// user's config folder.
		"MAKETOKEN_CREDENTIALS_FILE="+filepath.Join(dir, "credentials.yaml"),
		// Every other maketoken path: the config folder (the record of
		// the hosts each stored credential was checked at, which a login
		// or logout inside would rewrite), the cache (scope lists,
		// rotation locks) and state. maketoken reads these variables on
		// every OS, so macOS's Library and Windows' AppData are not used
		// either.
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
		"XDG_STATE_HOME="+filepath.Join(dir, "state"),
		// No keyring: a D-Bus address that leads nowhere, so that a login
		// or logout inside can neither reach the user's Secret Service nor
		// auto-launch a bus.
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(dir, "no-keyring-here"),
		// A `login` inside stores in this folder (the credentials file),
		// not in the user's kernel keyring, where maketoken would go
		// without a Secret Service; on Linux the command runs with the
		// kernel's key calls closed to it anyway (see keysBlocked).
		"MAKETOKEN_CREDENTIAL_STORE=file",
	)
	for _, name := range s.srv.Zones() {
		env = append(env, "MAKETOKEN_TOKEN_"+zones.EnvName(name)+"="+s.srv.Zone(name).AdminToken())
	}
	if binDir := maketokenBeside(self); binDir != "" {
		env = prependPath(env, binDir)
	}
	s.env = env
	return s, nil
}

// replacedVariable says whether the session drops the user's value of k:
// maketoken's settings and credentials, Make's own (MAKE_API_KEY would be
// sent to the emulator), and what the session sets itself.
func replacedVariable(k string) bool {
	switch k {
	case "MAKE_API_KEY", "MAKE_ZONE", "MAKE_EMULATOR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "DBUS_SESSION_BUS_ADDRESS":
		return true
	}
	return strings.HasPrefix(k, "MAKETOKEN_")
}

// maketokenBeside returns the folder of self if a maketoken binary is in it.
func maketokenBeside(self string) string {
	if self == "" {
		return ""
	}
	dir := filepath.Dir(self)
	for _, name := range []string{"maketoken", "maketoken.exe"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.Mode().IsRegular() {
			return dir
		}
	}
	return ""
}

func prependPath(env []string, dir string) []string {
	for i, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			if v == "" {
				env[i] = "PATH=" + dir
			} else {
				env[i] = "PATH=" + dir + string(os.PathListSeparator) + v
			}
			return env
		}
	}
	return append(env, "PATH="+dir)
}

// banner is the first thing the user sees: that maketoken is talking to
// the emulator, not to Make. Each line fits 60 columns.
func (s *session) banner(end string) string {
	return fmt.Sprintf("make-emulator: maketoken is wired to an in-memory emulator\n"+
		"  of Make's %d zones, seeded with demo tokens; no real\n  account, keyring or config is used.\n  %s\n", len(s.srv.Zones()), end)
}

// close stops the emulator and removes the session's folder.
func (s *session) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	return errors.Join(err, os.RemoveAll(s.dir))
}
