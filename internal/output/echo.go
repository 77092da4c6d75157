package output

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// EchoMax is how many characters of a value the user gave a message shows:
// enough for any valid label (at most 200) and a long path, few enough
// that a pasted file or a runaway variable takes a few lines, not pages.
const EchoMax = 200

// Echo is a value the user gave (an argument, a flag, a setting, a name in
// the config file) as an error message shows it: quoted as %q quotes it,
// and cut to EchoMax characters, so that a pasted file or a runaway
// variable is not written back whole. A value that was cut ends in "…"
// inside the quotes and has its full length after them:
// "aaaa…" (130000 bytes). Every message that echoes input uses Echo (or
// EchoPlain, where the value is shown unquoted).
func Echo(s string) string {
	cut, ok := clip(s)
	if !ok {
		return strconv.Quote(s)
	}
	return strconv.Quote(cut+"…") + fmt.Sprintf(" (%d bytes)", len(s))
}

// EchoPlain is Echo without the quotes, for a value a message shows as it is (a
// command name, a path, a created time, a message that embeds the input):
// aaaa… (130000 bytes). It does not escape: the message is escaped where it
// is printed (see Sanitize).
func EchoPlain(s string) string {
	cut, ok := clip(s)
	if !ok {
		return s
	}
	return cut + fmt.Sprintf("… (%d bytes)", len(s))
}

// clip returns the first EchoMax-1 characters of s and true when s is
// longer than EchoMax characters (room for the ellipsis); invalid UTF-8
// counts byte by byte.
func clip(s string) (string, bool) {
	if len(s) <= EchoMax || utf8.RuneCountInString(s) <= EchoMax {
		return s, false
	}
	j := 0
	for range EchoMax - 1 {
		_, size := utf8.DecodeRuneInString(s[j:])
		j += size
	}
	return s[:j], true
}

// EchoError is err with the value raw, wherever its message shows it,
// shown as Echo (quoted) or EchoPlain (bare) show it: for an error from
// elsewhere (the OS, a parser, a flag library) that embeds a value the user
// gave. err stays what it wraps.
func EchoError(err error, raw string) error {
	if err == nil {
		return nil
	}
	if _, long := clip(raw); !long {
		return err
	}
	return &clippedError{err: err, raw: raw}
}

type clippedError struct {
	err error
	raw string
}

func (e *clippedError) Error() string {
	s := strings.ReplaceAll(e.err.Error(), strconv.Quote(e.raw), Echo(e.raw))
	return strings.ReplaceAll(s, e.raw, EchoPlain(e.raw))
}

func (e *clippedError) Unwrap() error { return e.err }

// ShellWord is s as a person can paste it into a command line: as it is
// when it holds only characters a shell leaves alone, else in single
// quotes; "" when it is too long for a hint or holds a character a
// message must not show.
func ShellWord(s string) string {
	if s == "" || len(s) > 64 || strings.ContainsFunc(s, IsUnsafe) {
		return ""
	}
	safe := func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.,:/@%+=~", r)
	}
	if strings.IndexFunc(s, func(r rune) bool { return !safe(r) }) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
