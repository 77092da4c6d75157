package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

// Delivering a new token: the --out-file that receives it (checked before
// the token exists, written atomically, mode 0600) and stdout.

// outFile is the file a new token goes to. It is checked and a temporary
// file is made beside it before the token is created, so that a bad path
// fails while nothing has happened yet.
type outFile struct {
	path  string
	force bool
	tmp   *os.File
}

// prepareOutFile checks that path can receive a token: not a symbolic link
// or a folder or another special file, not an existing file unless force,
// in a folder where a file can be made.
func prepareOutFile(path string, force bool) (*outFile, error) {
	if err := checkOutPath(path, force); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, usageErrorf("--out-file %s: cannot create a file there: %v", path, unwrapPathError(err))
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	return &outFile{path: path, force: force, tmp: tmp}, nil
}

func checkOutPath(path string, force bool) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return usageErrorf("--out-file %s: %v", path, unwrapPathError(err))
	case fi.Mode()&fs.ModeSymlink != 0:
		return usageErrorf("--out-file %s is a symbolic link; refusing to write a token through it", path)
	case fi.IsDir():
		return usageErrorf("--out-file %s is a folder; name a file", path)
	case !fi.Mode().IsRegular():
		return usageErrorf("--out-file %s is not a regular file", path)
	case !force:
		return usageErrorf("--out-file %s already exists; pass --force to replace it", path)
	}
	return nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// write puts the secret (and a newline) in the file: synced, then moved
// into place in one step. Without force an existing file is never
// replaced, even one that appeared since prepareOutFile.
func (o *outFile) write(secret string) error {
	if _, err := o.tmp.WriteString(secret + "\n"); err != nil {
		return err
	}
	if err := o.tmp.Sync(); err != nil {
		return err
	}
	if err := o.tmp.Close(); err != nil {
		return err
	}
	if err := checkOutPath(o.path, o.force); err != nil {
		return err
	}
	if o.force {
		return os.Rename(o.tmp.Name(), o.path)
	}
	// A hard link fails if the name is taken, where a rename would replace.
	if err := os.Link(o.tmp.Name(), o.path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s appeared in the meantime; not replacing it", o.path)
		}
		// No hard links on this file system: create the name exclusively.
		return writeExclusive(o.path, secret)
	}
	return nil
}

// writeExclusive creates path, which must not exist, with mode 0600.
func writeExclusive(path, secret string) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := fh.WriteString(secret + "\n"); err != nil {
		fh.Close()
		os.Remove(path)
		return err
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		os.Remove(path)
		return err
	}
	return fh.Close()
}

// discard removes the temporary file (after write it is only a second
// name, or already gone).
func (o *outFile) discard() {
	o.tmp.Close()
	os.Remove(o.tmp.Name())
}

// catchBrokenPipe makes a write to a stdout pipe nobody reads fail with
// EPIPE until the returned function is called. By default Go ends the
// program on it, and a rotation must live on to revoke the token it could
// not deliver.
func catchBrokenPipe() (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGPIPE)
	return func() { signal.Stop(ch) }
}
