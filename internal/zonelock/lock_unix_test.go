//go:build unix

package zonelock

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maketoken/maketoken/internal/testkit"
)

// A lock folder or file that someone else could have planted is refused,
// and whatever a planted link points at is left alone.
func TestAcquireRefusesPlantedLocks(t *testing.T) {
	ctx := context.Background()
	_, victim := testkit.TempFile(t, "victim.txt", "precious\n")
	untouched := func(name string) {
		t.Helper()
		if b, err := os.ReadFile(victim); err != nil || string(b) != "precious\n" {
			t.Errorf("%s: the link's target changed: %q, %v", name, b, err)
		}
	}
	mk := func(mode os.FileMode) string {
		dir := filepath.Join(t.TempDir(), "locks")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	for _, c := range []struct {
		name string
		dir  func() string
		want string
	}{
		{"symlinked lock file", func() string {
			dir := mk(0o700)
			testkit.Symlink(t, victim, Path(dir, "eu1"))
			return dir
		}, "it is a symbolic link"},
		{"hard-linked lock file", func() string {
			dir := mk(0o700)
			if err := os.Link(victim, Path(dir, "eu1")); err != nil {
				t.Fatal(err)
			}
			return dir
		}, "it has 2 hard links"},
		{"world-writable folder", func() string { return mk(0o777) }, "other users can write to it (mode 0777)"},
		{"symlinked folder", func() string {
			return testkit.Symlink(t, mk(0o700), filepath.Join(t.TempDir(), "locks"))
		}, "it is a symbolic link"},
		{"FIFO", func() string {
			dir := mk(0o700)
			testkit.FIFO(t, Path(dir, "eu1"))
			return dir
		}, "it is not a regular file"},
	} {
		l, err := Acquire(ctx, c.dir(), "eu1", nil)
		if err == nil {
			l.Release()
			t.Errorf("%s: the lock was taken", c.name)
		} else if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		untouched(c.name)
	}

	if os.Geteuid() == 0 {
		// Root can make a folder that belongs to someone else.
		dir := mk(0o700)
		if err := os.Chown(dir, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		if _, err := Acquire(ctx, dir, "eu1", nil); err == nil || !strings.Contains(err.Error(), "it belongs to another user (uid 65534)") {
			t.Errorf("another user's folder: %v", err)
		}
	}
}
