//go:build unix

package delivery

import (
	"os"
	"syscall"
)

// politeSignal asks a command to stop.
var politeSignal os.Signal = syscall.SIGTERM

// isTerminalInterrupt reports whether sig is one the terminal sends for a
// key (Ctrl-C, Ctrl-\).
func isTerminalInterrupt(sig os.Signal) bool {
	return sig == syscall.SIGINT || sig == syscall.SIGQUIT
}
