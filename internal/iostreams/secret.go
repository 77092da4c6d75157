package iostreams

import (
	"errors"
	"io"
	"unicode/utf8"
)

// errInterruptKey is Ctrl-C or Ctrl-\ typed at a hidden prompt: in raw
// mode the terminal sends no signal for them, so readHiddenLine reports
// them as this error, to be acted on as the signal would be.
var errInterruptKey = errors.New("interrupted at the keyboard")

// maxHiddenLine is the most a hidden line keeps (far more than a token);
// the rest of a longer line is dropped.
const maxHiddenLine = 4096

// hiddenView is what a hidden prompt shows while a line is typed or
// pasted: count, the number of characters so far (never the characters);
// again, the question asked again after an empty line.
type hiddenView struct {
	count func(n int)
	again func()
}

// readHiddenLine reads a line typed or pasted on a terminal in raw mode
// (no echo, no signals from keys), as a hidden prompt does: Enter ends a
// line that has something in it; an empty line (a paste that starts with
// a newline) asks again; Ctrl-C and Ctrl-\ are errInterruptKey, as their
// signals would be; Ctrl-D on an empty line is io.EOF; Backspace and
// Ctrl-U edit. Whatever came after the line in the same read (the rest of
// a multi-line paste) is dropped; the rest still waiting on the terminal
// is thrown away when it is put back (HideInput's restore). Raw mode is
// used because a terminal's own line editing lets Ctrl-D through only as
// a read of nothing, which x/term's ReadPassword retries for ever.
func readHiddenLine(r io.Reader, view hiddenView) (string, error) {
	var line []byte
	buf := make([]byte, 512)
	shown, lastCR := 0, false
	for {
		n, err := r.Read(buf)
		if n == 0 {
			if err == nil || errors.Is(err, io.EOF) {
				return "", io.EOF // the terminal hung up
			}
			return "", err
		}
		for _, c := range buf[:n] {
			cr := lastCR
			lastCR = c == '\r'
			switch c {
			case '\r', '\n':
				if len(line) > 0 {
					if count := utf8.RuneCount(line); count != shown && view.count != nil {
						view.count(count) // what was taken, shown
					}
					return string(line), nil
				}
				if c == '\n' && cr {
					continue // the \n of a \r\n
				}
				if view.again != nil {
					view.again()
				}
				shown = 0
			case 0x03, 0x1c: // Ctrl-C, Ctrl-\
				return "", errInterruptKey
			case 0x04: // Ctrl-D
				if len(line) == 0 {
					return "", io.EOF
				}
			case 0x7f, '\b':
				if len(line) > 0 {
					_, size := utf8.DecodeLastRune(line)
					line = line[:len(line)-size]
				}
			case 0x15: // Ctrl-U
				line = line[:0]
			default:
				if len(line) < maxHiddenLine {
					line = append(line, c)
				}
			}
		}
		if count := utf8.RuneCount(line); count != shown && view.count != nil {
			view.count(count)
			shown = count
		}
	}
}
