//go:build unix && !linux

package job

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// foreground makes pgrp the foreground group of tty, from the background,
// with SIGTTOU ignored: the kernel then lets a background group take the
// terminal instead of stopping it. Here (macOS, the BSDs) a thread's
// signal mask cannot be set from Go, and Go cannot undo signal.Ignore for
// SIGTTOU, so it stays ignored for the rest of this maketoken: it starts
// no command after taking the terminal back, so none inherits that.
func foreground(tty *os.File, pgrp int) error {
	signal.Ignore(syscall.SIGTTOU)
	return unix.IoctlSetPointerInt(int(tty.Fd()), unix.TIOCSPGRP, pgrp)
}
