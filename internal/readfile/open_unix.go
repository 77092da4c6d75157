//go:build unix

package readfile

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// openNonBlocking opens path for reading; O_NONBLOCK keeps the open of a
// FIFO nobody writes to from waiting for a writer. The descriptor is made
// blocking again before it becomes an *os.File: os.OpenFile would hand it
// to Go's network poller, whose start (epoll and an eventfd) every run
// that reads its config file paid for, while a regular file, the only
// kind Read reads, never waits.
func openNonBlocking(path string) (*os.File, error) {
	var fd int
	var err error
	for {
		fd, err = unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		_ = unix.Close(fd)
		return nil, &os.PathError{Op: "fcntl", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}
