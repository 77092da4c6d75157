// Package zonelock serializes the rotations of one zone between maketoken
// processes on the same machine: two CI jobs that rotate the same zone at
// once must not each revoke the token the other just created.
//
// The lock is an OS file lock (flock on Unix, LockFileEx on Windows) on a
// file per zone. The OS releases it when the process ends, however it
// ends, so a crashed rotation never leaves a stale lock behind. The file
// holds the process id of the holder, for the message a waiting process
// shows; it is never removed (removing a lock file that others may have
// open breaks the lock).
package zonelock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/ctxwait"
)

// pollInterval is how often a waiting process tries the lock again.
const pollInterval = 100 * time.Millisecond

// Lock is a zone's lock, held until Release.
type Lock struct {
	f    *os.File
	path string
}

// HeldError is a lock that was still held by another process when the
// wait ended.
type HeldError struct {
	Zone string
	// Account is the account whose rotations the lock keeps apart ("":
	// the zone's, see AcquireAccount).
	Account string
	PID     int // the holder's process id; 0 if unknown
	Err     error
}

func (e *HeldError) Error() string {
	who := "another maketoken process"
	if e.PID > 0 {
		who += fmt.Sprintf(" (pid %d)", e.PID)
	}
	switch {
	case e.Zone == "":
		return fmt.Sprintf("%s still holds the lock: %v", who, e.Err)
	case e.Account != "":
		return fmt.Sprintf("zone %s: %s is still rotating tokens of %s: %v", e.Zone, who, e.Account, e.Err)
	}
	return fmt.Sprintf("zone %s: %s is still rotating tokens of this zone: %v", e.Zone, who, e.Err)
}

func (e *HeldError) Unwrap() error { return e.Err }

// Dir is the folder of the lock files: maketoken/locks in the user's
// cache folder cacheDir, or where there is none ("") a folder of this
// user's in the temp folder, maketoken-UID (Acquire refuses one that
// another user made).
func Dir(cacheDir string) string {
	if cacheDir == "" {
		return filepath.Join(os.TempDir(), fmt.Sprintf("maketoken-%d", os.Getuid()))
	}
	return filepath.Join(cacheDir, "maketoken", "locks")
}

// AcquireRotation takes the lock that keeps a rotation apart from others:
// of the account user of the zone (see AcquireAccount), or with user 0
// of the whole zone (see Acquire).
func AcquireRotation(ctx context.Context, dir, zone string, user int64, who string, waiting func(pid int)) (*Lock, error) {
	if user != 0 {
		return AcquireAccount(ctx, dir, zone, user, who, waiting)
	}
	return Acquire(ctx, dir, zone, waiting)
}

// Path is the lock file of a zone in dir.
func Path(dir, zone string) string {
	return filepath.Join(dir, "rotate-"+fileName(zone)+".lock")
}

// AccountPath is the lock file of an account (a Make user of a zone) in
// dir: "rotate-eu1@1001.lock". No zone's lock file has an "@" (see
// fileName), so an account's never is a zone's.
func AccountPath(dir, zone string, user int64) string {
	return filepath.Join(dir, "rotate-"+fileName(zone)+"@"+strconv.FormatInt(user, 10)+".lock")
}

// AcquireAccount is Acquire for one account of the zone: rotations of
// different users' tokens in one zone do not wait for each other. who
// names the account in a HeldError.
func AcquireAccount(ctx context.Context, dir, zone string, user int64, who string, waiting func(pid int)) (*Lock, error) {
	l, err := acquire(ctx, dir, zone, AccountPath(dir, zone, user), waiting)
	var held *HeldError
	if errors.As(err, &held) {
		held.Account = who
	}
	return l, err
}

// fileName makes a zone name safe as part of a file name.
func fileName(zone string) string {
	ok := zone != ""
	for _, r := range zone {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' && r != '.' {
			ok = false
			break
		}
	}
	if ok && !strings.HasPrefix(zone, ".") {
		return zone
	}
	return fmt.Sprintf("%x", zone)
}

// Acquire takes the zone's lock, whose file is kept in dir (created with
// mode 0700 if missing). The folder must belong to this user and be
// writable by nobody else, and the file must be a regular file of this
// user's, never followed through a symbolic link. If another process holds it, Acquire calls
// waiting once with that process's id (0 if unknown) and tries again until
// it gets the lock or ctx ends; then it returns a *HeldError.
func Acquire(ctx context.Context, dir, zone string, waiting func(pid int)) (*Lock, error) {
	return acquire(ctx, dir, zone, Path(dir, zone), waiting)
}

func acquire(ctx context.Context, dir, zone, path string, waiting func(pid int)) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("zone %s: creating the folder for the rotation lock: %w", zone, err)
	}
	// The folder may be a shared one's child (/tmp/maketoken-UID when
	// there is no home): one that another user made, or could write to,
	// could hold a symbolic link that makes the lock overwrite any file.
	if err := checkDir(dir); err != nil {
		return nil, fmt.Errorf("zone %s: refusing the folder for the rotation lock %s: %w", zone, dir, err)
	}
	f, err := openFile(path)
	if err != nil {
		return nil, fmt.Errorf("zone %s: opening the rotation lock %s: %w", zone, path, err)
	}
	if err := take(ctx, f, waiting); err != nil {
		f.Close()
		var held *HeldError
		if errors.As(err, &held) {
			held.Zone = zone
			return nil, held
		}
		return nil, fmt.Errorf("zone %s: locking %s: %w", zone, path, err)
	}
	l := &Lock{f: f, path: path}
	if err := l.writePID(); err != nil {
		_ = l.Release()
		return nil, fmt.Errorf("zone %s: writing the rotation lock %s: %w", zone, path, err)
	}
	return l, nil
}

// take waits for the lock on f (telling waiting once, with the holder's
// process id, if it has to wait) until ctx ends: then a *HeldError.
func take(ctx context.Context, f *os.File, waiting func(pid int)) error {
	told := false
	for {
		got, err := tryLock(f)
		if err != nil {
			return err
		}
		if got {
			return nil
		}
		if !told {
			told = true
			if waiting != nil {
				waiting(holder(f))
			}
		}
		if err := ctxwait.Sleep(ctx, pollInterval); err != nil {
			return &HeldError{PID: holder(f), Err: err}
		}
	}
}

// AcquireFile takes the lock on the file at path (created, mode 0600, if
// missing; its folder must exist), waiting for another process that holds
// it while ctx lasts. It is for short changes of a shared file, such as a
// record's read, change and write; the same checks as Acquire's apply to
// the folder and the file.
func AcquireFile(ctx context.Context, path string) (*Lock, error) {
	if err := checkDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("refusing the folder of %s: %w", path, err)
	}
	f, err := openFile(path)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	if err := take(ctx, f, nil); err != nil {
		f.Close()
		return nil, err
	}
	l := &Lock{f: f, path: path}
	if err := l.writePID(); err != nil {
		_ = l.Release()
		return nil, err
	}
	return l, nil
}

// writePID records the holder's process id in the lock file.
func (l *Lock) writePID() error {
	if err := l.f.Truncate(0); err != nil {
		return err
	}
	_, err := l.f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

// holder reads the process id the holder wrote, or 0.
func holder(f *os.File) int {
	buf := make([]byte, 32)
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// Release gives the lock up. It is safe to call more than once.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	// The holder's id is left in the file: a process that reads it after
	// this point gets the lock on its next try anyway.
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
