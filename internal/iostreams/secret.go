package iostreams

import (
	"errors"
	"io"
)

// errInterruptKey is Ctrl-C or Ctrl-\ typed at a hidden prompt: in raw
// mode the terminal sends no signal for them, so ReadSecret reports them
// as this error, to be acted on as the signal would be.
var errInterruptKey = errors.New("interrupted at the keyboard")

// readHiddenLine reads a line typed on a terminal in raw mode (no echo, no
// signals from keys), as a hidden prompt does: Enter ends it; Ctrl-C and
// Ctrl-\ are errInterruptKey, as their signals would be; Ctrl-D on an
// empty line is io.EOF; Backspace and Ctrl-U edit. Raw mode is used
// because a terminal's own line editing lets Ctrl-D through only as a
// read of nothing, which x/term's ReadPassword retries for ever.
func readHiddenLine(r io.Reader) (string, error) {
	var line []byte
	var b [1]byte
	for {
		n, err := r.Read(b[:])
		if n == 0 {
			if err == nil || errors.Is(err, io.EOF) {
				return "", io.EOF // the terminal hung up
			}
			return "", err
		}
		switch c := b[0]; c {
		case '\r', '\n':
			return string(line), nil
		case 0x03, 0x1c: // Ctrl-C, Ctrl-\
			return "", errInterruptKey
		case 0x04: // Ctrl-D
			if len(line) == 0 {
				return "", io.EOF
			}
		case 0x7f, '\b':
			if len(line) > 0 {
				line = line[:len(line)-1]
			}
		case 0x15: // Ctrl-U
			line = line[:0]
		default:
			line = append(line, c)
		}
	}
}
