package vtscreen

import (
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	for _, c := range []struct {
		name  string
		in    string
		cols  int
		want  string
		wraps int
	}{
		{"plain lines", "one\r\ntwo\r\n", 10, "one\ntwo\n", 0},
		{"a line exactly as wide as the terminal does not wrap", "0123456789\r\nnext\r\n", 10, "0123456789\nnext\n", 0},
		{"a longer line wraps", "0123456789ab\r\n", 10, "0123456789\nab\n", 1},
		{"a carriage return redraws the row", "⠋ waiting\r\x1b[K⠙ waiting\r\x1b[Kdone\r\n", 20, "done\n", 0},
		// The trail of issue 20: the label wraps, and \r only goes back
		// to the start of the second row; the first stays.
		{"a wrapped status leaves its first row", "⠋ 0123456789\x1b[K\r⠙ 0123456789\x1b[K\r\x1b[Kdone\r\n", 10, "⠋ 01234567\n⠙ 01234567\ndone\n", 2},
		{"colours take no room", "\x1b[1mbold\x1b[0m\r\n", 10, "bold\n", 0},
		{"wide characters take two cells", "日本語日本\r\n日", 10, "日本語日本\n日\n", 0},
		{"wide characters wrap whole", "a日本語日本", 10, "a日本語日\n本\n", 1},
		{"erase to the start", "abcdef\x1b[3D\x1b[1Kx\r\n", 10, "   xef\n", 0},
		{"up and over", "one\r\ntwo\r\n\x1b[2A\x1b[2KONE\r\n", 10, "ONE\ntwo\n", 0},
		{"UTF-8 split across writes is one character", "✓ ok\r\n", 10, "✓ ok\n", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := New(c.cols)
			for i := range len(c.in) { // byte by byte: sequences split anywhere
				_, _ = s.Write([]byte{c.in[i]})
			}
			if got := s.Text(); got != c.want || s.Wraps != c.wraps {
				t.Errorf("got %d wraps, %q\nwant %d wraps, %q", s.Wraps, got, c.wraps, c.want)
			}
		})
	}
}

func TestWrappedRowsNamesTheOverflow(t *testing.T) {
	s := Render([]byte("short\r\n"+strings.Repeat("x", 12)+"\r\n"), 10)
	if len(s.WrappedRows) != 1 || s.WrappedRows[0] != strings.Repeat("x", 10) {
		t.Errorf("WrappedRows = %q", s.WrappedRows)
	}
}
