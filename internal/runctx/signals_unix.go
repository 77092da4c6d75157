//go:build unix

package runctx

import (
	"os"
	"syscall"
)

// caughtSignals are the signals that end a command's context, and that
// exec passes on to its command: Ctrl-C, SIGTERM (timeout(1), CI runners,
// systemd), SIGHUP (the terminal or SSH session closed) and SIGQUIT
// (Ctrl-\).
var caughtSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}

// brokenPipe is the signal a write to a closed pipe raises.
var brokenPipe os.Signal = syscall.SIGPIPE
