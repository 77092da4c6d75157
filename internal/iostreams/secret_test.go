package iostreams

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestReadHiddenLine(t *testing.T) {
	const ok, eof, intr = "ok", "eof", "interrupted"
	for _, tc := range []struct {
		in, want, outcome string
		// seen is what the prompt showed: each count, and "?" for
		// the question asked again.
		seen string
	}{
		{"abc\r", "abc", ok, "3"},
		{"abc\n", "abc", ok, "3"},
		{"ab\x7fc\r", "ac", ok, "2"},
		{"xyz\x15abc\r", "abc", ok, "3"},
		{"ab\x04c\r", "abc", ok, "3"},
		{"\x04", "", eof, ""},
		{"", "", eof, ""},
		{"abc\x03def\r", "", intr, ""},
		{"abc\x1c", "", intr, ""},
		// An empty line asks again; a \r\n is one line end.
		{"\nabc\n", "abc", ok, "? 3"},
		{"\r\nabc\r\n", "abc", ok, "? 3"},
		{"\r\r\x04", "", eof, "? ?"},
		// A multi-line paste: its first line.
		{"abc\ndef\nghi\n", "abc", ok, "3"},
		{"h\xc3\xa9\x7f\r", "h", ok, "1"},
	} {
		var seen []string
		view := hiddenView{
			count: func(n int) { seen = append(seen, fmt.Sprint(n)) },
			again: func() { seen = append(seen, "?") },
		}
		got, err := readHiddenLine(strings.NewReader(tc.in), view)
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
		if s := strings.Join(seen, " "); s != tc.seen && tc.in != "" {
			t.Errorf("%q: shown %q, want %q", tc.in, s, tc.seen)
		}
	}
}

// A paste that arrives in pieces is counted as it arrives, and a line
// longer than any token is cut, not kept whole.
func TestReadHiddenLineCounts(t *testing.T) {
	var seen []int
	view := hiddenView{count: func(n int) { seen = append(seen, n) }}
	r := io.MultiReader(strings.NewReader("abcd"), strings.NewReader("ef"), strings.NewReader("\r"))
	if got, err := readHiddenLine(r, view); got != "abcdef" || err != nil {
		t.Fatalf("%q %v", got, err)
	}
	if fmt.Sprint(seen) != "[4 6]" {
		t.Errorf("counts %v, want [4 6]", seen)
	}
	got, err := readHiddenLine(strings.NewReader(strings.Repeat("x", 3*maxHiddenLine)+"\r"), hiddenView{})
	if err != nil || len(got) != maxHiddenLine {
		t.Errorf("%d characters, %v; want %d", len(got), err, maxHiddenLine)
	}
}
