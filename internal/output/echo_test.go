package output

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEcho(t *testing.T) {
	long := strings.Repeat("a", 130000)
	for _, tc := range []struct{ in, echo, clip string }{
		{"eu1", `"eu1"`, "eu1"},
		{"", `""`, ""},
		{"a\x1bb", `"a\x1bb"`, "a\x1bb"},
		{strings.Repeat("x", EchoMax), `"` + strings.Repeat("x", EchoMax) + `"`, strings.Repeat("x", EchoMax)},
		{strings.Repeat("é", EchoMax), `"` + strings.Repeat("é", EchoMax) + `"`, strings.Repeat("é", EchoMax)},
		{strings.Repeat("x", EchoMax+1), `"` + strings.Repeat("x", EchoMax-1) + `…" (201 bytes)`, strings.Repeat("x", EchoMax-1) + "… (201 bytes)"},
		{long, `"` + strings.Repeat("a", EchoMax-1) + `…" (130000 bytes)`, strings.Repeat("a", EchoMax-1) + "… (130000 bytes)"},
		{strings.Repeat("é", 300), `"` + strings.Repeat("é", EchoMax-1) + `…" (600 bytes)`, strings.Repeat("é", EchoMax-1) + "… (600 bytes)"},
	} {
		if got := Echo(tc.in); got != tc.echo {
			t.Errorf("Echo(%.20q…) = %q, want %q", tc.in, got, tc.echo)
		}
		if got := EchoPlain(tc.in); got != tc.clip {
			t.Errorf("EchoPlain(%.20q…) = %q, want %q", tc.in, got, tc.clip)
		}
	}
	// A cut never splits a character, and invalid UTF-8 stays quoted.
	bad := strings.Repeat("\xff", 300)
	if got := Echo(bad); !utf8.ValidString(got) || !strings.HasPrefix(got, `"\xff`) || !strings.HasSuffix(got, `…" (300 bytes)`) {
		t.Errorf("Echo(invalid) = %q", got)
	}
}

func TestEchoError(t *testing.T) {
	long := strings.Repeat("a", 1000)
	inner := errors.New("open " + long + ": file name too long; also \"" + long + "\"")
	err := EchoError(inner, long)
	want := "open " + EchoPlain(long) + ": file name too long; also " + Echo(long)
	if err.Error() != want || !errors.Is(err, inner) {
		t.Errorf("EchoError = %q (wraps: %v), want %q", err, errors.Is(err, inner), want)
	}
	short := errors.New("open x: no such file")
	if err := EchoError(short, "x"); err.Error() != short.Error() || errors.Unwrap(err) != nil {
		t.Errorf("a short value: %#v, want the error as it was", err)
	}
	if EchoError(nil, long) != nil {
		t.Error("no error became one")
	}
}

func TestShellWord(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"ci-nightly", "ci-nightly"},
		{"deploy~exp=20261128T030000Z", "deploy~exp=20261128T030000Z"},
		{"my token", "'my token'"},
		{"it's", `'it'\''s'`},
		{"", ""},
		{strings.Repeat("a", 65), ""},
		{"a\x1b[2Jb", ""},
		{"$(rm -rf ~)", "'$(rm -rf ~)'"},
	} {
		if got := ShellWord(tt.in); got != tt.want {
			t.Errorf("ShellWord(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
