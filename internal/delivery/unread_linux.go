package delivery

import (
	"os"

	"golang.org/x/sys/unix"
)

// unread is how many bytes (TIOCINQ is FIONREAD) are still waiting in the pipe r reads, or -1
// if that cannot be told.
func unread(r *os.File) int {
	n, err := unix.IoctlGetInt(int(r.Fd()), unix.TIOCINQ)
	if err != nil {
		return -1
	}
	return n
}
