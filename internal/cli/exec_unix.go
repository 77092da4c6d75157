//go:build unix

package cli

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// forwardedSignals are the signals `exec` passes on to its command.
var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// forwardSignal passes a signal on to the command, unless the command got
// it itself: the terminal sends Ctrl-C (SIGINT), Ctrl-\ (SIGQUIT) and a
// hang-up (SIGHUP) to its whole foreground process group, and the command
// is in maketoken's. Sent twice, a second Ctrl-C means "force quit" to
// many tools. SIGTERM, and any signal while maketoken is not in the
// foreground, came to maketoken alone and is passed on.
func forwardSignal(p *os.Process, sig os.Signal) {
	if fromTerminal(sig) {
		return
	}
	_ = p.Signal(sig) // it may have ended in the meantime
}

// fromTerminal reports whether sig is one a terminal sends and maketoken's
// process group is the foreground group of its controlling terminal, so
// that the terminal sent it to the command too.
func fromTerminal(sig os.Signal) bool {
	switch sig {
	case syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP:
	default:
		return false
	}
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return false // no controlling terminal
	}
	defer tty.Close()
	fg, err := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	return err == nil && fg == unix.Getpgrp()
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
