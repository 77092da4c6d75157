//go:build !linux && !darwin

package iostreams

import "golang.org/x/term"

// hideInput puts the terminal fd in raw mode (x/term's); restore puts it
// back. Input left unread is not thrown away here.
func hideInput(fd int) (func(), error) {
	state, err := term.MakeRaw(fd)
	if err != nil {
		return nil, err
	}
	return func() { _ = term.Restore(fd, state) }, nil
}
