//go:build unix

package delivery

import (
	"os"
	"syscall"

	"github.com/maketoken/maketoken/internal/job"
	"golang.org/x/term"
)

// politeSignal asks a command to stop.
var politeSignal os.Signal = syscall.SIGTERM

// isTerminalInterrupt reports whether sig is one the terminal sends for a
// key (Ctrl-C, Ctrl-\).
func isTerminalInterrupt(sig os.Signal) bool {
	return sig == syscall.SIGINT || sig == syscall.SIGQUIT
}

// saveTerminal records the terminal's settings when the command got the
// terminal; the returned function puts them back (a command killed while
// it asked for a password leaves echo off).
func saveTerminal(j *job.Job) (restore func()) {
	tty := j.Terminal()
	if tty == nil || !j.HasTerminal() {
		return func() {}
	}
	state, err := term.GetState(int(tty.Fd()))
	if err != nil {
		return func() {}
	}
	return func() { _ = term.Restore(int(tty.Fd()), state) }
}
