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

// patterns are the shapes of secrets that String removes. They are
// compiled on first use, not at start-up: most runs of maketoken never
// show a message that needs them (see docs/performance.md).
var patterns = sync.OnceValue(func() *shapes {
	return &shapes{
		uuid:       regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`),
		tokenField: regexp.MustCompile(`("token"\s*:\s*")((?:[^"\\]|\\.)*)(")`),
		authHeader: regexp.MustCompile(`(?im)((?:^|[^\w/.-])authorization:[ \t]*)(\S+[ \t]+)?\S+`),
	}
})

type shapes struct {
	// uuid matches anything shaped like a Make token (a UUID).
	uuid *regexp.Regexp
	// tokenField matches the value of a JSON "token" field.
	tokenField *regexp.Regexp
	// authHeader matches an Authorization header and its value: the word
	// on its own (not the end of ".../current-authorization: 401 ..."),
	// an optional scheme, then the credential.
	authHeader *regexp.Regexp
}

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
	p := patterns()
	s = p.uuid.ReplaceAllString(s, Mark)
	s = p.tokenField.ReplaceAllStringFunc(s, func(m string) string {
		parts := p.tokenField.FindStringSubmatch(m)
		if strings.Contains(parts[2], "*") || parts[2] == Mark {
			return m // already masked by Make
		}
		return parts[1] + Mark + parts[3]
	})
	s = p.authHeader.ReplaceAllString(s, "${1}${2}"+Mark)
	return s
}

// MinEcho is the length from which a piece of a known secret counts as
// the secret: a server or proxy that echoes a long tail of it, or the
// secret without its dashes, must not get it shown. It is longer than the
// visible first group of a masked token (8 characters and a dash), so
// that masked tokens stay readable.
const MinEcho = 12

// known replaces every stretch of s covered by known secrets with one
// Mark: whole occurrences, the secret without its dashes, and any piece
// of MinEcho or more characters of either, in any letter case. All
// occurrences are found in the original text first, so that overlapping
// secrets, or a secret that the replacement of another one would cut in
// two, are still removed whole.
func (r *Redactor) known(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if len(r.secrets) == 0 {
		return s
	}
	lower := asciiLower(s)
	// depth counts, at each byte, the stretches that start there minus
	// those that end there: a byte is covered where the running sum is
	// above zero. Marking a stretch costs the same whatever its length.
	var depth []int32
	cover := func(from, to int) {
		if depth == nil {
			depth = make([]int32, len(s)+1)
		}
		depth[from]++
		depth[to]--
	}
	for _, secret := range r.secrets {
		for _, v := range variants(secret) {
			if len(v) < MinEcho {
				for i := 0; ; {
					j := strings.Index(lower[i:], v)
					if j < 0 {
						break
					}
					cover(i+j, i+j+len(v))
					i += j + 1
				}
				continue
			}
			coverEchoes(lower, v, cover)
		}
	}
	if depth == nil {
		return s
	}
	covered := make([]bool, len(s))
	var open int32
	for i := range covered {
		open += depth[i]
		covered[i] = open > 0
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

// coverEchoes covers every stretch of text of MinEcho or more bytes that
// is also a stretch of v. Such a stretch holds one of v's pieces of half
// that length that start at a multiple of it: each occurrence of those is
// extended both ways as far as text goes on matching v. The text at i
// matching v at k is the diagonal i-k; a stretch is one run of matching
// bytes on its diagonal. The pieces are taken in order along v, so the
// runs of one diagonal are met in order along it: an occurrence inside
// the last run found on its diagonal is not extended again. Every byte
// of text and v is compared at most once per diagonal, not once per
// piece: a long secret that repeats itself in a text that repeats it too
// (the fuzzer's "^^^^…") took seconds before.
func coverEchoes(text, v string, cover func(from, to int)) {
	const half = MinEcho / 2
	var runEnd map[int]int // diagonal: where the last run found on it ends
	for w := 0; w+half <= len(v); w += half {
		piece := v[w : w+half]
		for i := 0; ; {
			j := strings.Index(text[i:], piece)
			if j < 0 {
				break
			}
			at := i + j
			i = at + 1
			diagonal := at - w
			if end, ok := runEnd[diagonal]; ok && at+half <= end {
				continue
			}
			start, end := at, at+half
			for k := w - 1; k >= 0 && start > 0 && text[start-1] == v[k]; k-- {
				start--
			}
			for k := w + half; k < len(v) && end < len(text) && text[end] == v[k]; k++ {
				end++
			}
			if runEnd == nil {
				runEnd = map[int]int{}
			}
			runEnd[diagonal] = end
			if end-start >= MinEcho {
				cover(start, end)
			}
		}
	}
}

// variants are the forms of a secret looked for: itself and without its
// dashes, in lower case.
func variants(secret string) []string {
	v := asciiLower(secret)
	if d := strings.ReplaceAll(v, "-", ""); d != v && len(d) >= 6 {
		return []string{v, d}
	}
	return []string{v}
}

// asciiLower lower-cases ASCII letters only, so that indexes in the
// result are indexes in s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}
