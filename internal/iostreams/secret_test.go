package iostreams

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadHiddenLine(t *testing.T) {
	const ok, eof, intr = "ok", "eof", "interrupted"
	for _, tc := range []struct {
		in, want, outcome string
	}{
		{"abc\r", "abc", ok},
		{"abc\n", "abc", ok},
		{"ab\x7fc\r", "ac", ok},
		{"xyz\x15abc\r", "abc", ok},
		{"ab\x04c\r", "abc", ok},
		{"\x04", "", eof},
		{"", "", eof},
		{"abc\x03def\r", "", intr},
		{"abc\x1c", "", intr},
	} {
		got, err := readHiddenLine(strings.NewReader(tc.in))
		outcome := ok
		switch {
		case errors.Is(err, io.EOF):
			outcome = eof
		case errors.Is(err, errInterruptKey):
			outcome = intr
		case err != nil:
			outcome = err.Error()
		}
		switch {
		case outcome != tc.outcome:
			t.Errorf("%q: %s (%v), want %s", tc.in, outcome, err, tc.outcome)
		case got != tc.want:
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
}
