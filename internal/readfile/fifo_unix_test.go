//go:build unix

package readfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/testkit"
	"golang.org/x/sys/unix"
)

func TestReadFIFO(t *testing.T) {
	fifo := testkit.FIFO(t, filepath.Join(t.TempDir(), "fifo"))
	done := make(chan error, 1)
	go func() { _, _, err := Read(fifo, 100); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "is a named pipe (FIFO)") {
			t.Errorf("FIFO: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("reading a FIFO hangs")
	}
}

// The open itself never waits for a FIFO's writer (the file may have been
// replaced by one after Read looked at it), and what it returns is a
// blocking descriptor that Go's network poller was never started for.
func TestOpenNonBlocking(t *testing.T) {
	dir := t.TempDir()
	fifo := testkit.FIFO(t, filepath.Join(dir, "fifo"))
	type opened struct {
		fh  *os.File
		err error
	}
	done := make(chan opened, 1)
	go func() { fh, err := openNonBlocking(fifo); done <- opened{fh, err} }()
	var fh *os.File
	select {
	case o := <-done:
		if o.err != nil {
			t.Fatal(o.err)
		}
		fh = o.fh
	case <-time.After(10 * time.Second):
		t.Fatal("opening a FIFO without a writer waits for one")
	}
	defer fh.Close()
	rc, err := fh.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var flags int
	var ferr error
	if err := rc.Control(func(fd uintptr) { flags, ferr = unix.FcntlInt(fd, unix.F_GETFL, 0) }); err != nil || ferr != nil {
		t.Fatal(err, ferr)
	}
	if flags&unix.O_NONBLOCK != 0 {
		t.Error("the file is non-blocking: os would hand it to the network poller")
	}

	_, err = openNonBlocking(filepath.Join(dir, "missing"))
	var pe *os.PathError
	if !errors.As(err, &pe) || pe.Op != "open" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %#v", err)
	}
}
