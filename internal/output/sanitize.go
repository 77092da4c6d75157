package output

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The one family for showing text that came from a server or a user:
// every function here treats the characters IsUnsafe matches the same way.
// Sanitize escapes them (messages), Printable also shortens (table cells),
// OneLine blanks them (a server's text inside an error), Lines keeps the
// line breaks of a multi-line body (--debug traces). TSV escapes them too
// (see WriteTSV). Validation that refuses more than this, on purpose, says
// so where it is.

// Printable makes a table cell safe to show on a terminal (see Sanitize)
// and shortens very long values.
func Printable(s string) string {
	s = Sanitize(s)
	const maxCell = 120
	if n := len([]rune(s)); n > maxCell {
		s = string([]rune(s)[:maxCell-1]) + "…"
	}
	return s
}

// Sanitize shows control characters (escape sequences, newlines, bidi
// overrides) as Go escapes, so that text from a server or a user cannot
// drive the terminal it is printed on.
func Sanitize(s string) string {
	safe := true
	for _, r := range s {
		if IsUnsafe(r) {
			safe = false
			break
		}
	}
	if !safe {
		q := fmt.Sprintf("%+q", s)
		s = q[1 : len(q)-1]
	}
	return s
}

// IsUnsafe is the one rule for a character that must not reach a terminal
// raw: a C0 or C1 control (ESC starts escape sequences; newlines and tabs
// too), a format character (bidi overrides, zero-width marks) or U+FFFD
// (what invalid UTF-8 decodes to). Everything that shows text escapes or
// replaces what it matches, or refuses it.
func IsUnsafe(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar
}

// OneLine makes text fit on one line of at most n bytes (plus an ellipsis;
// n <= 0: no limit) without cutting a character in two: invalid UTF-8
// becomes "?" and each unsafe character (see IsUnsafe) a space.
func OneLine(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if IsUnsafe(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
	if n <= 0 || len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Lines is text shown as it is, line by line: newlines and tabs are kept,
// every other unsafe character (see IsUnsafe) becomes "?".
func Lines(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && IsUnsafe(r) {
			return '?'
		}
		return r
	}, s)
}
