//go:build linux

package testkit

import (
	"os"
	"testing"
)

// OpenFiles is how many files the test process has open.
func OpenFiles(t testing.TB) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}
