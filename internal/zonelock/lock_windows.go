//go:build windows

package zonelock

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// The locked byte range lies far beyond the file's content, so that a
// waiting process can still read the holder's process id: Windows locks
// are mandatory and block reads of the bytes they cover.
const (
	lockOffsetHigh = 0x7fff0000
	lockLen        = 1
)

// tryLock takes an exclusive LockFileEx lock on f without waiting; false
// means another handle holds it.
func tryLock(f *os.File) (bool, error) {
	ol := &windows.Overlapped{OffsetHigh: lockOffsetHigh}
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, lockLen, 0, ol)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, windows.ERROR_LOCK_VIOLATION), errors.Is(err, windows.ERROR_IO_PENDING):
		return false, nil
	default:
		return false, err
	}
}

func unlock(f *os.File) error {
	ol := &windows.Overlapped{OffsetHigh: lockOffsetHigh}
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, lockLen, 0, ol)
}

// checkDir accepts any folder: on Windows the per-user cache folder is
// the only one used.
func checkDir(string) error { return nil }

func openFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}
