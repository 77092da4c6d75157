// Package iostreams owns maketoken's terminal: the standard streams and
// what is known about them, and everything a command shows a person on
// stderr besides its result -- warnings, notes, result lines (✓ ✗), the
// one error line, progress lines and spinners -- with the styles (colour,
// marks) and the width a table must fit. Commands write through it and
// never test for a terminal or write an escape sequence themselves.
//
// Every message passes through the run's redactor and output.Sanitize: no
// secret and no control character from a server or a file reaches the
// terminal through it.
package iostreams

import (
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/redact"
	"golang.org/x/term"
)

// IOStreams are a command's standard streams and what is attached to
// them.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	InTTY  bool
	OutTTY bool
	ErrTTY bool
	// HideInput stops the terminal on stdin from echoing what is typed
	// (raw mode, output still translated) until restore is called, which
	// also throws away input left unread (a paste's other lines must not
	// reach the shell); PromptHidden reads a line from In meanwhile. Nil
	// where there is no terminal.
	HideInput func() (restore func(), err error)
	// TerminalWidth is the width of the terminal on stdout, 0 if unknown.
	TerminalWidth func() int
	// ErrTerminalWidth is the width of the terminal on stderr, 0 if
	// unknown; nil: TerminalWidth's.
	ErrTerminalWidth func() int

	// Getenv reads the variables that decide colour and width (NO_COLOR,
	// CLICOLOR, CLICOLOR_FORCE, TERM, COLUMNS); nil: none is set.
	Getenv func(string) string
	// Redactor removes the run's secrets from every message; nil: none.
	Redactor *redact.Redactor
}

// System returns the process's streams. When stderr is a terminal it is
// gated (nothing a server or a file put in a message can drive the
// terminal, see output.TerminalGate) and holds the status line of
// progress and spinners, which everything else on stderr shares.
func System() *IOStreams {
	s := &IOStreams{
		In:     os.Stdin,
		Out:    os.Stdout,
		ErrOut: os.Stderr,
		InTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		Getenv: os.Getenv,
	}
	s.TerminalWidth = func() int { return terminalWidth(os.Stdout) }
	s.ErrTerminalWidth = func() int { return terminalWidth(os.Stderr) }
	if s.ErrTTY {
		s.ErrOut = &statusWriter{w: output.TerminalGate(os.Stderr), width: s.ErrWidth}
	}
	stdin := int(os.Stdin.Fd())
	s.HideInput = func() (func(), error) { return hideInput(stdin) }
	return s
}

// terminalWidth is the width of the terminal f is, 0 if it is none.
func terminalWidth(f *os.File) int {
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return w
}

func (s *IOStreams) getenv(name string) string {
	if s.Getenv == nil {
		return ""
	}
	return s.Getenv(name)
}

// CanPrompt reports whether a person can be asked: stdin and stderr are a
// terminal.
func (s *IOStreams) CanPrompt() bool { return s.InTTY && s.ErrTTY }

// OutStyle and ErrStyle colour and mark what goes to stdout and stderr:
// colour as output.ColorEnabled decides (NO_COLOR, CLICOLOR,
// CLICOLOR_FORCE, TERM=dumb), marks (✓ ✗ !) on a terminal only.
func (s *IOStreams) OutStyle() output.Style { return s.style(s.OutTTY) }

// ErrStyle is OutStyle for stderr.
func (s *IOStreams) ErrStyle() output.Style { return s.style(s.ErrTTY) }

func (s *IOStreams) style(tty bool) output.Style {
	return output.Style{
		Color: output.ColorEnabled(tty, s.getenv),
		Marks: tty && s.getenv("TERM") != "dumb",
	}
}

// TableWidth is the width tables must fit: the terminal's on stdout
// (COLUMNS, when set, overrides it, as for ls), 80 if the terminal does
// not say, and no limit when stdout is not a terminal (`-o table` into a
// pipe or file keeps every cell whole).
func (s *IOStreams) TableWidth() int {
	if !s.OutTTY {
		return 0
	}
	return s.width(s.TerminalWidth)
}

// ErrWidth is the width of the terminal on stderr, which status lines and
// messages for a person must fit (COLUMNS, when set, overrides it, as for
// TableWidth; 80 if the terminal does not say), and 0 when stderr is not
// a terminal: messages then stay on one line, as scripts expect.
func (s *IOStreams) ErrWidth() int {
	if !s.ErrTTY {
		return 0
	}
	size := s.ErrTerminalWidth
	if size == nil {
		size = s.TerminalWidth
	}
	return s.width(size)
}

// width is COLUMNS if set, else what size says, else 80.
func (s *IOStreams) width(size func() int) int {
	if n, err := strconv.Atoi(strings.TrimSpace(s.getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	if size != nil {
		if w := size(); w > 0 {
			return w
		}
	}
	return 80
}

// clean makes a message safe to show: no secret, no control character.
func (s *IOStreams) clean(msg string) string {
	if s.Redactor != nil {
		msg = s.Redactor.String(msg)
	}
	return output.Sanitize(msg)
}
