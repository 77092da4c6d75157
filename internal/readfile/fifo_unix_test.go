//go:build unix

package readfile

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/testkit"
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
