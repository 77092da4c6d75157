// Package readfile is the one way maketoken opens a file it reads (the
// config file, the credentials file, the scope cache): a path can name a
// FIFO that never answers, a device that never ends or a file far larger
// than any maketoken writes, and none of them may hang or exhaust it.
package readfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Read returns the content of the regular file at path, of at most limit
// bytes, and what it is. It looks at the file before opening it, opens it
// without blocking (a FIFO would block the open itself), checks that what
// it opened is what it looked at, and reads no more than limit+1 bytes.
// The null device reads as an empty file ("--config /dev/null": no
// settings). A missing file is an error that wraps fs.ErrNotExist.
func Read(path string, limit int64) ([]byte, fs.FileInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if isDevNull(fi) {
		return nil, fi, nil
	}
	if err := regular(path, fi); err != nil {
		return nil, fi, err
	}
	fh, err := openNonBlocking(path)
	if err != nil {
		return nil, fi, err
	}
	defer fh.Close()
	opened, err := fh.Stat()
	if err != nil {
		return nil, fi, err
	}
	if err := regular(path, opened); err != nil {
		return nil, fi, err
	}
	if !os.SameFile(fi, opened) {
		return nil, fi, fmt.Errorf("%s was replaced while it was being opened; try again", path)
	}
	data, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, opened, err
	}
	if int64(len(data)) > limit {
		return nil, opened, &TooLargeError{Path: path, Limit: limit}
	}
	return data, opened, nil
}

// TooLargeError is a file larger than its reader allows.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s; is it the right file?", e.Path, size(e.Limit))
}

// ErrNotRegular is a path that names something other than a regular file.
var ErrNotRegular = errors.New("not a regular file")

func regular(path string, fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	what := "a special file"
	switch m := fi.Mode(); {
	case m.IsDir():
		what = "a folder"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("%s is %s, %w", path, what, ErrNotRegular)
}

func isDevNull(fi fs.FileInfo) bool {
	if fi.Mode()&fs.ModeDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(fi, null)
}

func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
