//go:build unix

package testkit

import (
	"syscall"
	"testing"
)

// FIFO makes a named pipe at path (mode 0600), failing the test if it
// cannot, and returns path.
func FIFO(t testing.TB, path string) string {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
