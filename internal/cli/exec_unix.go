//go:build unix

package cli

import (
	"os"
	"syscall"
)

// forwardedSignals are the signals `exec` passes on to its command.
var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// forwardSignal passes a signal on to the command. A Ctrl-C on a terminal
// reaches the command directly as well (it is in maketoken's process
// group); it then sees it twice, as it would under most such wrappers.
func forwardSignal(p *os.Process, sig os.Signal) {
	_ = p.Signal(sig) // it may have ended in the meantime
}

// exitStatus is the code maketoken exits with for an ended command: its
// own, or 128+N when signal N killed it.
func exitStatus(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return exitSignal + int(ws.Signal())
	}
	return ps.ExitCode()
}

// envKeyIs compares environment variable names (case-sensitive on Unix).
func envKeyIs(k, name string) bool { return k == name }
