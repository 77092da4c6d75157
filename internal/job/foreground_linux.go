package job

import (
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// foreground makes pgrp the foreground group of tty, from the background,
// with SIGTTOU blocked on this thread for the moment it takes: the kernel
// then lets a background group take the terminal instead of stopping it.
// Blocking on one locked thread leaves SIGTTOU as it was for the rest of
// maketoken and for the commands it starts later; ignoring it would not
// (Go cannot undo signal.Ignore for it).
func foreground(tty *os.File, pgrp int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var set, old unix.Sigset_t
	sigaddset(&set, unix.SIGTTOU)
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, &set, &old); err != nil {
		return err
	}
	defer func() { _ = unix.PthreadSigmask(unix.SIG_SETMASK, &old, nil) }()
	return unix.IoctlSetPointerInt(int(tty.Fd()), unix.TIOCSPGRP, pgrp)
}

// sigaddset adds sig to set (signal numbers count from 1; a word is 32 or
// 64 bits, as the architecture has it).
func sigaddset(set *unix.Sigset_t, sig unix.Signal) {
	n := uint(sig - 1)
	w := uint(unsafe.Sizeof(set.Val[0]) * 8)
	set.Val[n/w] |= 1 << (n % w)
}
