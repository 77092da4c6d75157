package config

import "strings"

// plainYAML reads a config file written in the plainest YAML, as nearly
// every config file is, the way the YAML library reads it into a map
// (what the settings are made of): it returns the same map, and ok. For
// anything else it returns ok false, and the file goes to the YAML
// library, which reads all of YAML and says what is wrong with a file
// that is not valid.
//
// Reading YAML with the library is most of what maketoken does at
// start-up beyond its dependencies when a config file exists (about
// 0.3 ms, see docs/performance.md); the plainest YAML needs none of its
// machinery. FuzzPlainYAML holds it to the library.
//
// The plainest YAML is lines of printable ASCII without tabs, each blank,
// a comment, or "key: value" or "key:" (a mapping of more indented lines
// follows), indented by spaces, with an optional comment after a space.
// A key starts with a letter and holds letters, digits, '_' and '-'. A
// value holds letters, digits and _ - . / : @ % + = ? & ~ , and starts
// with a letter or '/' (a URL, a path, a zone name), or is a duration
// (30s, 2m30s, 90d). Words YAML may read as something other than a string
// (true, null, yes, ...) in any case, numbers, a value that ends with ':',
// a key given twice in a mapping, a key without a value, a key longer
// than 128 bytes and mappings more than 8 deep are left to the library.
func plainYAML(data []byte) (map[string]any, bool) {
	var lines []plainLine
	for s := range strings.SplitSeq(string(data), "\n") {
		l, meaningful, ok := parsePlainLine(s)
		if !ok {
			return nil, false
		}
		if meaningful {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return map[string]any{}, true
	}
	p := plainParser{lines: lines}
	m, ok := p.mapping(lines[0].indent, 0)
	if !ok || p.next != len(lines) {
		return nil, false
	}
	return m, true
}

// plainLine is a "key: value" or "key:" line of the plainest YAML.
type plainLine struct {
	indent int
	key    string
	value  string
	opens  bool // "key:": a more indented mapping follows
}

type plainParser struct {
	lines []plainLine
	next  int
}

// Limits of the plainest YAML: YAML refuses a key longer than 1024
// characters written this way, and the library a nesting deeper than it
// allows; a config file needs neither.
const (
	plainMaxKey   = 128
	plainMaxDepth = 8
)

// mapping reads the mapping whose keys are indented by indent, from the
// next line on, at depth mappings deep.
func (p *plainParser) mapping(indent, depth int) (map[string]any, bool) {
	if depth >= plainMaxDepth {
		return nil, false
	}
	m := map[string]any{}
	for p.next < len(p.lines) {
		l := p.lines[p.next]
		if l.indent < indent {
			break
		}
		if l.indent > indent {
			return nil, false
		}
		if _, twice := m[l.key]; twice {
			return nil, false
		}
		p.next++
		if !l.opens {
			m[l.key] = l.value
			continue
		}
		if p.next == len(p.lines) || p.lines[p.next].indent <= indent {
			return nil, false // no value: null, left to the library
		}
		child, ok := p.mapping(p.lines[p.next].indent, depth+1)
		if !ok {
			return nil, false
		}
		m[l.key] = child
	}
	return m, true
}

// parsePlainLine reads one line; meaningful is false for a blank line or
// a comment, ok false for a line that is not of the plainest YAML.
func parsePlainLine(s string) (l plainLine, meaningful, ok bool) {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return l, false, false
		}
	}
	rest := strings.TrimLeft(s, " ")
	if rest == "" || rest[0] == '#' {
		return l, false, true
	}
	l.indent = len(s) - len(rest)
	n := plainRun(rest, isPlainKeyByte)
	l.key, rest = rest[:n], rest[n:]
	if !plainWord(l.key) || len(l.key) > plainMaxKey || rest == "" || rest[0] != ':' {
		return l, false, false
	}
	rest = rest[1:]
	if rest == "" {
		l.opens = true
		return l, true, true
	}
	if rest[0] != ' ' {
		return l, false, false
	}
	rest = strings.TrimLeft(rest, " ")
	if rest == "" || rest[0] == '#' {
		l.opens = true
		return l, true, true
	}
	n = plainRun(rest, isPlainValueByte)
	l.value, rest = rest[:n], rest[n:]
	if !plainValue(l.value) || strings.HasSuffix(l.value, ":") {
		return l, false, false
	}
	if rest != "" {
		if rest[0] != ' ' {
			return l, false, false
		}
		if rest = strings.TrimLeft(rest, " "); rest != "" && rest[0] != '#' {
			return l, false, false
		}
	}
	return l, true, true
}

// plainRun is the length of s's prefix of bytes that ok accepts.
func plainRun(s string, ok func(byte) bool) int {
	n := 0
	for n < len(s) && ok(s[n]) {
		n++
	}
	return n
}

// plainValue reports whether w, a run of value bytes, is read by YAML as
// the string it is: a word (see plainWord), a path (it starts with '/'),
// or a duration or an age: digits and '.' with units (ns, us, ms, s, m,
// h, d, w), ending with a unit, which YAML cannot read as a number or a
// time (they need a digit at the end, 'e', 'x', 'o', 'b', ':' or '-').
func plainValue(w string) bool {
	switch {
	case w == "":
		return false
	case w[0] == '/':
		return true
	case '0' <= w[0] && w[0] <= '9':
		for i := 0; i < len(w); i++ {
			if strings.IndexByte("0123456789.nusmhdw", w[i]) < 0 {
				return false
			}
		}
		return isLetter(w[len(w)-1])
	}
	return plainWord(w)
}

// plainWord reports whether w, a run of key or value bytes, is read by
// YAML as the string it is: it starts with a letter and is not a word
// that YAML 1.1 or 1.2 reads as a boolean or null.
func plainWord(w string) bool {
	if w == "" || !isLetter(w[0]) {
		return false
	}
	if len(w) > len("false") {
		return true // longer than every special word
	}
	for _, special := range []string{"true", "false", "null", "yes", "no", "on", "off", "y", "n"} {
		if strings.EqualFold(w, special) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isPlainKeyByte(c byte) bool {
	return isLetter(c) || '0' <= c && c <= '9' || c == '_' || c == '-'
}

func isPlainValueByte(c byte) bool {
	return isPlainKeyByte(c) || strings.IndexByte("./:@%+=?&~,", c) >= 0
}
