package zonelock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/testkit"
)

func TestAcquireWaitsForTheHolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "locks")
	ctx := context.Background()
	first, err := Acquire(ctx, dir, "eu1", func(int) { t.Error("the first Acquire waited") })
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("lock folder: %v, %v; want mode 0700", fi, err)
	}

	// Another zone is not affected.
	other, err := Acquire(ctx, dir, "us1", func(int) { t.Error("us1 waited for eu1's lock") })
	if err != nil {
		t.Fatal(err)
	}
	other.Release()

	waited := make(chan int, 1)
	got := inBackground(t, func() (*Lock, error) {
		return Acquire(ctx, dir, "eu1", func(pid int) { waited <- pid })
	})
	select {
	case pid := <-waited:
		if pid != os.Getpid() {
			t.Errorf("waiting told pid %d, want %d", pid, os.Getpid())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the second Acquire was not told that the lock is held")
	}
	stillWaiting(t, got, "the second Acquire")
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	if err := first.Release(); err != nil {
		t.Fatalf("a second Release: %v", err)
	}
	getsTheLock(t, got, "the second Acquire")
}

// inBackground runs acquire in a goroutine: the lock it gets comes on the
// channel.
func inBackground(t *testing.T, acquire func() (*Lock, error)) <-chan *Lock {
	got := make(chan *Lock)
	go func() {
		l, err := acquire()
		if err != nil {
			t.Error(err)
		}
		got <- l
	}()
	return got
}

// stillWaiting: who waits for a held lock has not got it after three
// polls.
func stillWaiting(t *testing.T, got <-chan *Lock, who string) {
	t.Helper()
	select {
	case <-got:
		t.Fatalf("%s got the lock while the first held it", who)
	case <-time.After(3 * pollInterval):
	}
}

// getsTheLock: who waited gets the lock once it is released (and lets it
// go).
func getsTheLock(t *testing.T, got <-chan *Lock, who string) {
	t.Helper()
	select {
	case l := <-got:
		l.Release()
	case <-time.After(5 * time.Second):
		t.Fatalf("%s did not get the released lock", who)
	}
}

func TestAcquireGivesUpWhenTheContextEnds(t *testing.T) {
	dir := t.TempDir()
	held, err := Acquire(context.Background(), dir, "eu1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = Acquire(ctx, dir, "eu1", nil)
	var he *HeldError
	if !errors.As(err, &he) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a HeldError wrapping the deadline", err)
	}
	if he.PID != os.Getpid() || he.Zone != "eu1" {
		t.Errorf("HeldError = %+v", he)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("gave up after %v", d)
	}
}

func TestPathIsSafe(t *testing.T) {
	testkit.Answers(t, "Path", func(zone string) string { return filepath.Base(Path("/d", zone)) }, map[string]string{
		"eu1":         "rotate-eu1.lock",
		"celonis-us1": "rotate-celonis-us1.lock",
		"../x":        "rotate-2e2e2f78.lock",
		"":            "rotate-.lock",
	})
}

func TestAcquireFileWaitsForTheHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "record.json.lock")
	first, err := AcquireFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v, %v; want mode 0600", fi, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = AcquireFile(ctx, path)
	var he *HeldError
	if !errors.As(err, &he) || !errors.Is(err, context.DeadlineExceeded) || he.PID != os.Getpid() {
		t.Fatalf("err = %v, want a HeldError naming this process, wrapping the deadline", err)
	}
	if msg := err.Error(); msg != "another maketoken process (pid "+strconv.Itoa(os.Getpid())+") still holds the lock: context deadline exceeded" {
		t.Errorf("message: %s", msg)
	}
	got := inBackground(t, func() (*Lock, error) { return AcquireFile(context.Background(), path) })
	stillWaiting(t, got, "a second AcquireFile")
	first.Release()
	getsTheLock(t, got, "the second AcquireFile")
}

// TestAccountLocks: an account's lock keeps its own rotations apart, not
// another account's of the same zone, nor the zone's; its file can never
// be a zone's.
func TestAccountLocks(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	ann, err := AcquireAccount(ctx, dir, "eu1", 1001, "ann@example.com", func(int) { t.Error("the first account lock waited") })
	if err != nil {
		t.Fatal(err)
	}
	defer ann.Release()
	bob, err := AcquireAccount(ctx, dir, "eu1", 11001, "bob@example.com", func(int) { t.Error("bob waited for ann's lock") })
	if err != nil {
		t.Fatal(err)
	}
	bob.Release()
	zone, err := Acquire(ctx, dir, "eu1", func(int) { t.Error("the zone's lock waited for an account's") })
	if err != nil {
		t.Fatal(err)
	}
	zone.Release()
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, err = AcquireAccount(short, dir, "eu1", 1001, "ann@example.com", nil)
	var he *HeldError
	if !errors.As(err, &he) || he.Account != "ann@example.com" || he.Zone != "eu1" {
		t.Fatalf("err = %v, want ann's lock held", err)
	}
	if msg := err.Error(); msg != "zone eu1: another maketoken process (pid "+strconv.Itoa(os.Getpid())+") is still rotating tokens of ann@example.com: context deadline exceeded" {
		t.Errorf("message: %s", msg)
	}
	if got := filepath.Base(AccountPath("/d", "eu1", 1001)); got != "rotate-eu1@1001.lock" {
		t.Errorf("AccountPath = %q", got)
	}
	if got := filepath.Base(AccountPath("/d", "../x", 7)); got != "rotate-2e2e2f78@7.lock" {
		t.Errorf("AccountPath of an odd zone = %q", got)
	}
}

// TestDir: the locks live in the user's cache folder, or without one in
// a folder of this user's in the temp folder.
func TestDir(t *testing.T) {
	if got, want := Dir("/home/a/.cache"), filepath.Join("/home/a/.cache", "maketoken", "locks"); got != want {
		t.Errorf("Dir(cache) = %q, want %q", got, want)
	}
	if got, want := Dir(""), filepath.Join(os.TempDir(), "maketoken-"+strconv.Itoa(os.Getuid())); got != want {
		t.Errorf(`Dir("") = %q, want %q`, got, want)
	}
}

// TestAcquireRotation: a rotation of an account takes that account's
// lock file, one without an account the zone's; the two do not wait for
// each other, and a HeldError names the account.
func TestAcquireRotation(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "locks")
	ctx := context.Background()
	never := func(int) { t.Error("waited") }
	zone, err := AcquireRotation(ctx, dir, "eu1", 0, "", never)
	if err != nil {
		t.Fatal(err)
	}
	defer zone.Release()
	acct, err := AcquireRotation(ctx, dir, "eu1", 1001, "ada@example.com", never)
	if err != nil {
		t.Fatal(err)
	}
	defer acct.Release()
	for _, path := range []string{Path(dir, "eu1"), AccountPath(dir, "eu1", 1001)} {
		if _, err := os.Stat(path); err != nil {
			t.Errorf("no lock file %s: %v", path, err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	_, err = AcquireRotation(short, dir, "eu1", 1001, "ada@example.com", func(int) {})
	var held *HeldError
	if !errors.As(err, &held) || held.Account != "ada@example.com" {
		t.Errorf("a held account lock: %v; want a HeldError naming the account", err)
	}
}
