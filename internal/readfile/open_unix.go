//go:build unix

package readfile

import (
	"os"

	"golang.org/x/sys/unix"
)

// openNonBlocking opens path for reading; O_NONBLOCK keeps the open of a
// FIFO nobody writes to from waiting for a writer.
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
}
