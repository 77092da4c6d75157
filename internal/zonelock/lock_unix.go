//go:build unix

package zonelock

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// tryLock takes an exclusive flock on f without waiting; false means
// another open file holds it.
func tryLock(f *os.File) (bool, error) {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EWOULDBLOCK):
			return false, nil
		default:
			return false, err
		}
	}
}

func unlock(f *os.File) error {
	return unix.Flock(int(f.Fd()), unix.LOCK_UN)
}

// checkDir refuses a lock folder that is a symbolic link, not a folder,
// belongs to another user or can be written by other users.
func checkDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	return checkOwned(fi, true)
}

func checkOwned(fi os.FileInfo, dir bool) error {
	switch {
	case fi.Mode()&os.ModeSymlink != 0:
		return errors.New("it is a symbolic link")
	case dir && !fi.IsDir():
		return errors.New("it is not a folder")
	case !dir && !fi.Mode().IsRegular():
		return errors.New("it is not a regular file")
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		if int(st.Uid) != os.Geteuid() {
			return fmt.Errorf("it belongs to another user (uid %d)", st.Uid)
		}
		if !dir && st.Nlink != 1 {
			return fmt.Errorf("it has %d hard links", st.Nlink)
		}
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("other users can write to it (mode %04o)", fi.Mode().Perm())
	}
	return nil
}

// openFile opens (or creates) the lock file without following a symbolic
// link or blocking on a FIFO, and checks what it opened.
func openFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0o600)
	if errors.Is(err, unix.ELOOP) {
		return nil, errors.New("it is a symbolic link")
	}
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = checkOwned(fi, false)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
