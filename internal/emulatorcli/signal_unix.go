//go:build unix

package emulatorcli

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// forwardedSignals are the signals run and shell catch while the command
// runs; make-emulator itself then ends only after the command, so that the
// emulator is stopped and its files removed.
var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// forward passes a signal on to the command, unless the command got it
// itself: Ctrl-C and Ctrl-\ at the terminal reach the whole foreground
// process group, the command included, so SIGINT and SIGQUIT are passed on
// only when make-emulator is not in the terminal's foreground (a `kill`
// from elsewhere). An interactive shell ignores SIGTERM: it gets SIGHUP, as
// when its terminal closes. forward says whether it hung up a shell.
func forward(p *os.Process, sig os.Signal, shell bool) (hungUp bool) {
	switch sig {
	case syscall.SIGINT, syscall.SIGQUIT:
		if inTerminalForeground() {
			return false
		}
	case syscall.SIGTERM, syscall.SIGHUP:
		if shell {
			hangUp(p, false)
			return true
		}
	}
	_ = p.Signal(sig) // it may have ended meanwhile
	return false
}

// hangUp sends a shell SIGHUP, or SIGKILL when it is the last resort.
func hangUp(p *os.Process, kill bool) {
	if kill {
		_ = p.Kill()
		return
	}
	_ = p.Signal(syscall.SIGHUP)
}

// inTerminalForeground says whether this process is in the foreground
// process group of its controlling terminal.
func inTerminalForeground() bool {
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return false
	}
	defer tty.Close()
	pgrp, err := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	return err == nil && pgrp == unix.Getpgrp()
}

// exitStatus is the command's exit code, or 128+N when signal N ended it,
// as a shell reports it.
func exitStatus(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return exitSignalBase + int(ws.Signal())
	}
	return ps.ExitCode()
}
