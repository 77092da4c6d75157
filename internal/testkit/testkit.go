// Package testkit holds what the package tests share: the files they set
// up in a temporary folder, a buffer written while the test reads it, the
// count of open files, and the check of a table of a function's answers.
// Only tests import it.
package testkit

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// File writes text to a private file (mode 0600) at path, failing the test
// if it cannot, and returns path.
func File(t testing.TB, path, text string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TempFile writes text to a private file named name in a new temporary
// folder, failing the test if it cannot, and returns the folder and the
// file's path.
func TempFile(t testing.TB, name, text string) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	return dir, File(t, filepath.Join(dir, name), text)
}

// Symlink makes path a symbolic link to target, failing the test if it
// cannot, and returns path.
func Symlink(t testing.TB, target, path string) string {
	t.Helper()
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// Buffer is a buffer that goroutines (a server's log, a child's output
// copied in) may write to while the test reads it.
type Buffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	first time.Time
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.first.IsZero() && len(p) > 0 {
		b.first = time.Now()
	}
	return b.buf.Write(p)
}

// First is when the first byte came (zero while none has).
func (b *Buffer) First() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.first
}

// String is what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Answers checks f's answer to each input of cases against the one wanted
// there, naming f by name in a failure.
func Answers[In, Out comparable](t testing.TB, name string, f func(In) Out, cases map[In]Out) {
	t.Helper()
	for in, want := range cases {
		if got := f(in); got != want {
			t.Errorf("%s(%s) = %s, want %s", name, show(in), show(got), show(want))
		}
	}
}

// show is a string quoted, anything else as %v shows it.
func show(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}
