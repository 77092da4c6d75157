// Package vtscreen is a small terminal for tests: it takes the bytes a
// program wrote to a terminal and keeps what a person would see, row by
// row, scrolled-off rows included, the way xterm (and tmux) show them: a
// line longer than the terminal wraps onto the next row, a carriage
// return goes back to the start of the row the cursor is on (not of the
// line that wrapped), ESC [ K erases, ESC [ A goes up. Tests use it to pin
// what a screen looks like at a given width: no copies of a spinner line
// left behind, no line wider than the terminal. Only tests import it.
package vtscreen

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// Screen is a terminal Cols columns wide with unbounded scrollback.
type Screen struct {
	Cols int
	rows [][]rune // each row, Cols cells; 0 is an empty cell
	row  int      // the cursor's row
	col  int      // the cursor's column
	// pending is xterm's "wrap pending": the last column was just written;
	// the next printable character goes to the start of the next row.
	pending bool
	// Wraps counts the printable characters that went on the next row
	// because the row was full: each is a line wider than the terminal.
	Wraps int
	// WrappedRows holds, for each wrap, the row that overflowed (as it was
	// when it did).
	WrappedRows []string
	esc         []byte // an escape sequence being read
	partial     []byte // the bytes of an incomplete UTF-8 character
}

// New returns an empty screen cols wide.
func New(cols int) *Screen {
	return &Screen{Cols: cols, rows: [][]rune{make([]rune, cols)}}
}

// Write implements io.Writer.
func (s *Screen) Write(p []byte) (int, error) {
	data := append(s.partial, p...)
	s.partial = nil
	for i := 0; i < len(data); {
		c := data[i]
		if s.esc != nil {
			s.esc = append(s.esc, c)
			s.escape()
			i++
			continue
		}
		switch c {
		case 0x1b:
			s.esc = []byte{c}
			i++
			continue
		case '\r':
			s.col, s.pending = 0, false
		case '\n':
			s.lineFeed()
		case '\b':
			if s.col > 0 {
				s.col--
			}
			s.pending = false
		case '\t':
			s.col = min((s.col/8+1)*8, s.Cols-1)
		case 0x07:
		default:
			if c < 0x20 || c == 0x7f {
				break
			}
			if !utf8.FullRune(data[i:]) {
				s.partial = append([]byte(nil), data[i:]...)
				return len(p), nil
			}
			r, size := utf8.DecodeRune(data[i:])
			s.put(r)
			i += size
			continue
		}
		i++
	}
	return len(p), nil
}

func (s *Screen) lineFeed() {
	s.pending = false
	s.row++
	for len(s.rows) <= s.row {
		s.rows = append(s.rows, make([]rune, s.Cols))
	}
}

// wide marks the cell after a double-width character.
const wide = -1

func (s *Screen) put(r rune) {
	w := twwidth.Width(string(r))
	if w == 0 {
		return // a combining mark: not drawn in a cell of its own
	}
	if s.pending || s.col+w > s.Cols {
		s.Wraps++
		s.WrappedRows = append(s.WrappedRows, string(s.trimmed(s.row)))
		s.col = 0
		s.lineFeed()
	}
	s.rows[s.row][s.col] = r
	if w == 2 && s.col+1 < s.Cols {
		s.rows[s.row][s.col+1] = wide
	}
	s.col += w
	if s.col >= s.Cols {
		s.col, s.pending = s.Cols-1, true
	}
}

// escape acts on a complete escape sequence in s.esc, or waits for more.
func (s *Screen) escape() {
	seq := s.esc
	if len(seq) < 2 {
		return
	}
	switch seq[1] {
	case '[':
	case ']': // an operating system command: up to BEL or ESC \
		if seq[len(seq)-1] == 0x07 || len(seq) > 2 && seq[len(seq)-2] == 0x1b && seq[len(seq)-1] == '\\' {
			s.esc = nil
		}
		return
	default: // a two-byte sequence (ESC 7, ESC =, ...): no effect here
		s.esc = nil
		return
	}
	final := seq[len(seq)-1]
	if len(seq) < 3 || final < 0x40 || final > 0x7e {
		return
	}
	s.esc = nil
	params := strings.Split(strings.TrimLeft(string(seq[2:len(seq)-1]), "?"), ";")
	n := 0
	if v, err := strconv.Atoi(params[0]); err == nil {
		n = v
	}
	switch final {
	case 'K':
		row := s.rows[s.row]
		from, to := s.col, s.Cols
		switch n {
		case 1:
			from, to = 0, s.col+1
		case 2:
			from = 0
		}
		for j := from; j < to && j < s.Cols; j++ {
			row[j] = 0
		}
		s.pending = false
	case 'A':
		s.row = max(s.row-max(n, 1), 0)
		s.pending = false
	case 'B':
		for range max(n, 1) {
			s.lineFeed()
		}
	case 'C':
		s.col = min(s.col+max(n, 1), s.Cols-1)
		s.pending = false
	case 'D':
		s.col = max(s.col-max(n, 1), 0)
		s.pending = false
	case 'G':
		s.col = min(max(n, 1), s.Cols) - 1
		s.pending = false
	case 'J':
		if n == 2 || n == 3 {
			s.rows = [][]rune{make([]rune, s.Cols)}
			s.row, s.col, s.pending = 0, 0, false
		}
	}
}

func (s *Screen) trimmed(i int) []rune {
	var out []rune
	for _, r := range s.rows[i] {
		switch r {
		case wide:
		case 0:
			out = append(out, ' ')
		default:
			out = append(out, r)
		}
	}
	return []rune(strings.TrimRight(string(out), " "))
}

// Lines returns every row written to, scrollback included, without
// trailing blanks and without the empty rows at the end.
func (s *Screen) Lines() []string {
	var out []string
	for i := range s.rows {
		out = append(out, string(s.trimmed(i)))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// Text is Lines joined by newlines, with a final newline when not empty.
func (s *Screen) Text() string {
	lines := s.Lines()
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// Render is what the bytes b show on a terminal cols wide.
func Render(b []byte, cols int) *Screen {
	s := New(cols)
	_, _ = s.Write(b)
	return s
}
