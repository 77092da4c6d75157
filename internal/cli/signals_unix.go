//go:build unix

package cli

import (
	"os"
	"syscall"
)

// caughtSignals are the signals that end a command's context: Ctrl-C,
// SIGTERM (timeout(1), CI runners, systemd), SIGHUP (the terminal or SSH
// session closed) and SIGQUIT (Ctrl-\).
var caughtSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT}
