// Package redact removes secrets from text that is about to be shown:
// debug traces, error messages and logs.
package redact

import (
	"regexp"
	"strings"
	"sync"
)

// Mark replaces every secret.
const Mark = "[REDACTED]"

var (
	// uuidPattern matches anything shaped like a Make token (a UUID).
	uuidPattern = regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	// tokenField matches the value of a JSON "token" field.
	tokenField = regexp.MustCompile(`("token"\s*:\s*")((?:[^"\\]|\\.)*)(")`)
	// authHeader matches an Authorization header and its value: the word
	// on its own (not the end of ".../current-authorization: 401 ..."),
	// an optional scheme, then the credential.
	authHeader = regexp.MustCompile(`(?im)((?:^|[^\w/.-])authorization:[ \t]*)(\S+[ \t]+)?\S+`)
)

// Redactor knows the secrets of one run of maketoken and removes them,
// and anything shaped like one, from text.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string
}

// New returns a Redactor that knows the given secrets.
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		r.Add(s)
	}
	return r
}

// Add makes the redactor remove s from now on. Very short values are
// ignored: removing them would only garble text.
func (r *Redactor) Add(s string) {
	if r == nil || len(s) < 6 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, have := range r.secrets {
		if have == s {
			return
		}
	}
	r.secrets = append(r.secrets, s)
}

// String removes every known secret, every UUID-shaped value, the value of
// every JSON "token" field that is not masked, and Authorization headers.
func (r *Redactor) String(s string) string {
	s = r.known(s)
	s = uuidPattern.ReplaceAllString(s, Mark)
	s = tokenField.ReplaceAllStringFunc(s, func(m string) string {
		parts := tokenField.FindStringSubmatch(m)
		if strings.Contains(parts[2], "*") || parts[2] == Mark {
			return m // already masked by Make
		}
		return parts[1] + Mark + parts[3]
	})
	s = authHeader.ReplaceAllString(s, "${1}${2}"+Mark)
	return s
}

// known replaces every stretch of s covered by occurrences of known
// secrets with one Mark. All occurrences are found in the original text
// first, so that overlapping secrets, or a secret that the replacement of
// another one would cut in two, are still removed whole.
func (r *Redactor) known(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	var covered []bool
	for _, secret := range r.secrets {
		for i := 0; ; {
			j := strings.Index(s[i:], secret)
			if j < 0 {
				break
			}
			if covered == nil {
				covered = make([]bool, len(s))
			}
			for k := i + j; k < i+j+len(secret); k++ {
				covered[k] = true
			}
			i += j + 1
		}
	}
	if covered == nil {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if !covered[i] {
			b.WriteByte(s[i])
			i++
			continue
		}
		b.WriteString(Mark)
		for i < len(s) && covered[i] {
			i++
		}
	}
	return b.String()
}
