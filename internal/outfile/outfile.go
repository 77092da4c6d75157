// Package outfile writes a secret to the file a user names with
// --out-file: the path is checked and a temporary file made beside it
// before the secret exists, so that a bad path fails while nothing has
// happened yet; the secret is then written with mode 0600, synced, and
// moved into place in one step. It never writes through a symbolic link,
// into anything but a regular file, or over an existing file unless told
// to.
package outfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/maketoken/maketoken/internal/output"
)

// Error is a path that cannot receive the secret: the user's to fix.
type Error struct{ msg string }

func (e *Error) Error() string { return e.msg }

func errorf(format string, a ...any) error { return &Error{msg: fmt.Sprintf(format, a...)} }

// File is the file a secret goes to, prepared and not yet written.
type File struct {
	path  string
	force bool
	tmp   *os.File
}

// Prepare checks that path can receive a secret (see Check) and makes the
// temporary file beside it.
func Prepare(path string, force bool) (*File, error) {
	if err := Check(path, force); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, errorf("--out-file %s: cannot create a file there: %v", output.EchoPlain(path), UnwrapPath(err))
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	return &File{path: path, force: force, tmp: tmp}, nil
}

// Check reports an *Error unless path can receive a secret: not a
// symbolic link, a folder or another special file, and not an existing
// file unless force.
func Check(path string, force bool) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return errorf("--out-file %s: %v", output.EchoPlain(path), UnwrapPath(err))
	case fi.Mode()&fs.ModeSymlink != 0:
		return errorf("--out-file %s is a symbolic link; refusing to write a token through it", output.EchoPlain(path))
	case fi.IsDir():
		return errorf("--out-file %s is a folder; name a file", output.EchoPlain(path))
	case !fi.Mode().IsRegular():
		return errorf("--out-file %s is not a regular file", output.EchoPlain(path))
	case !force:
		return errorf("--out-file %s already exists; pass --force to replace it", output.EchoPlain(path))
	}
	return nil
}

// UnwrapPath returns the cause of a *fs.PathError (the path is already in
// the message around it), or err.
func UnwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Write puts the secret (and a newline) in the file: synced, then moved
// into place in one step. Without force an existing file is never
// replaced, even one that appeared since Prepare.
func (o *File) Write(secret string) error {
	if _, err := o.tmp.WriteString(secret + "\n"); err != nil {
		return err
	}
	if err := o.tmp.Sync(); err != nil {
		return err
	}
	if err := o.tmp.Close(); err != nil {
		return err
	}
	if err := Check(o.path, o.force); err != nil {
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

// Discard removes the temporary file (after Write it is only a second
// name, or already gone).
func (o *File) Discard() {
	o.tmp.Close()
	os.Remove(o.tmp.Name())
}
