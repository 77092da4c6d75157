//go:build linux || darwin

package iostreams

import (
	"sync"

	"golang.org/x/sys/unix"
)

// hideInput puts the terminal fd in raw mode as term.MakeRaw does, but
// keeps output processing (a newline still starts its row at the left
// edge: a question wrapped to the terminal's width must not stair-step).
// restore puts the terminal back as it was and throws away whatever
// input is still waiting on it (tcsetattr's TCSAFLUSH): the rest of a
// multi-line paste, or a token pasted after an empty line that was not
// read, would otherwise be read by the shell as commands. It may be
// called more than once.
func hideInput(fd int) (func(), error) {
	old, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil, err
	}
	raw := *old
	raw.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	raw.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	raw.Cflag &^= unix.CSIZE | unix.PARENB
	raw.Cflag |= unix.CS8
	raw.Cc[unix.VMIN] = 1
	raw.Cc[unix.VTIME] = 0
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, &raw); err != nil {
		return nil, err
	}
	var once sync.Once
	return func() {
		once.Do(func() { _ = unix.IoctlSetTermios(fd, ioctlSetTermiosFlush, old) })
	}, nil
}
