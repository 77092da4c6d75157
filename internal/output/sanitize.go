package output

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The one family for showing text that came from a server or a user:
// every function here treats the characters IsUnsafe matches the same way.
// Escape writes them as Go escapes and nothing else (what a server sends,
// as package makeapi keeps it), Clip also shortens (a server's text inside
// an error), Sanitize escapes them (messages), Printable also shortens
// (table cells), OneLine blanks them, Lines keeps the line breaks of a
// multi-line body (--debug traces). TSV escapes them too (see WriteTSV).
// Validation that refuses more than this, on purpose, says so where it is.

// Escape writes each character IsUnsafe matches as a Go escape (ESC as
// \x1b, CR as \r, a bidi override as \u202e, a byte of invalid UTF-8 as
// \xff) and leaves everything else as it is, other Unicode and backslashes
// included. It is how maketoken keeps text a server sent (see package
// makeapi): shown visibly, and with nothing left for a printer to escape.
func Escape(s string) string {
	if !strings.ContainsFunc(s, IsUnsafe) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		size := escapeRune(&b, s[i:])
		i += size
	}
	return b.String()
}

// Clip is Escape for text quoted inside a message: at most n bytes (n <= 0:
// no limit) plus an ellipsis, never cutting a character or an escape in
// two.
func Clip(s string, n int) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		mark := b.Len()
		size := escapeRune(&b, s[i:])
		if n > 0 && b.Len() > n {
			short := b.String()[:mark]
			return short + "…"
		}
		i += size
	}
	return b.String()
}

// escapeRune writes the first character of s, escaped if IsUnsafe matches
// it, and returns its length in s.
func escapeRune(b *strings.Builder, s string) int {
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case r == utf8.RuneError && size <= 1:
		fmt.Fprintf(b, `\x%02x`, s[0])
	case IsUnsafe(r):
		q := strconv.QuoteRune(r)
		b.WriteString(q[1 : len(q)-1])
	default:
		b.WriteString(s[:size])
	}
	return max(size, 1)
}

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
	if ' ' <= r && r <= '~' {
		return false // printable ASCII
	}
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

// The terminal gate: every byte maketoken writes to a terminal passes
// through one of these writers (stderr always when it is a terminal, and
// stdout's JSON and --jq output), so that whatever a server or a file put
// in a message, a record or a filter's output, nothing in it can drive the
// terminal: characters IsUnsafe matches, and invalid UTF-8, are written as
// Go escapes (\x1b, \u202e, \x9b). Line breaks and tabs pass; in JSON an
// escape like \u202e even keeps its meaning.

// gate is the terminal gate's writer.
type gate struct {
	w io.Writer
	// own lets maketoken's own terminal controls through: \r and the
	// colour and erase-line sequences (ESC [ digits/; m or K) that
	// progress lines and styling use. Nothing from outside reaches stderr
	// without passing Sanitize (or its family) first, so a sequence of
	// that shape here is maketoken's.
	own bool
}

// TerminalSafe is the gate for data on a terminal (stdout): unsafe
// characters but newlines and tabs are written escaped.
func TerminalSafe(w io.Writer) io.Writer { return &gate{w: w} }

// TerminalGate is the gate for stderr on a terminal: as TerminalSafe, but
// maketoken's own \r and colour or erase-line sequences pass.
func TerminalGate(w io.Writer) io.Writer { return &gate{w: w, own: true} }

// Ungated returns the writer under a gate (for a child process, which
// must get the terminal itself), or w.
func Ungated(w io.Writer) io.Writer {
	if g, ok := w.(*gate); ok {
		return g.w
	}
	return w
}

// Write implements io.Writer; it reports len(p) when all of it was
// written, escaped or not.
func (g *gate) Write(p []byte) (int, error) {
	clean := true
	for _, c := range p {
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return g.w.Write(p)
	}
	var b bytes.Buffer
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRune(p[i:])
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case g.own && r == '\r':
			b.WriteRune(r)
		case g.own && r == 0x1b && ownSequence(p[i:]) > 0:
			size = ownSequence(p[i:])
			b.Write(p[i : i+size])
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, p[i])
		case IsUnsafe(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.Write(p[i : i+size])
		}
		i += size
	}
	if _, err := g.w.Write(b.Bytes()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// ownSequence is the length of the colour (SGR) or erase-line sequence p
// starts with, or 0: ESC [, digits and semicolons, then m or K.
func ownSequence(p []byte) int {
	if len(p) < 3 || p[0] != 0x1b || p[1] != '[' {
		return 0
	}
	for i := 2; i < len(p) && i < 32; i++ {
		switch c := p[i]; {
		case c >= '0' && c <= '9' || c == ';':
		case c == 'm' || c == 'K':
			return i + 1
		default:
			return 0
		}
	}
	return 0
}
