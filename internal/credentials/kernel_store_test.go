package credentials

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/outcome"
)

// spyKeyring counts the calls made to a keyring.
type spyKeyring struct {
	Keyring
	calls atomic.Int64
}

func (s *spyKeyring) Get(svc, a string) (string, error) { s.calls.Add(1); return s.Keyring.Get(svc, a) }
func (s *spyKeyring) Set(svc, a, v string) error        { s.calls.Add(1); return s.Keyring.Set(svc, a, v) }
func (s *spyKeyring) Delete(svc, a string) error        { s.calls.Add(1); return s.Keyring.Delete(svc, a) }

// refusingKeyring fails every call with err, as a kernel whose key calls
// a seccomp filter blocks.
type refusingKeyring struct{ err error }

func (r refusingKeyring) Get(string, string) (string, error) { return "", r.err }
func (r refusingKeyring) Set(string, string, string) error   { return r.err }
func (r refusingKeyring) Delete(string, string) error        { return r.err }

func newKernelStore(t *testing.T, osKeyring, kernel Keyring) *recordStore {
	t.Helper()
	rs := newRecordStore(t, osKeyring, nil)
	rs.opts.KernelKeyring = kernel
	rs.Store = NewStore(rs.opts)
	return rs
}

func needKernelHere(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the kernel keyring is a store on Linux only")
	}
}

// TestDestinationWithoutSecretService: with no choice made, a Linux machine
// whose Secret Service cannot be reached stores in the kernel keyring,
// and says it chose so; one whose Secret Service does not answer in time
// (a locked keyring waiting for its unlock prompt) is not given up on; a
// kernel that refuses too is an error that names both, and the way out.
func TestDestinationWithoutSecretService(t *testing.T) {
	needKernelHere(t)
	ctx := context.Background()
	eu1 := zone("eu1")

	rs := newKernelStore(t, brokenKeyring{}, &mapKeyring{})
	kind, auto, err := rs.Destination(ctx, eu1, ChoiceAuto)
	if kind != KindKernel || !auto || err != nil {
		t.Errorf("no Secret Service: %q, auto %v, %v; want the kernel keyring, chosen", kind, auto, err)
	}
	// Asked for the OS keyring: it is the OS keyring (Stored says why it
	// cannot be used), never the kernel's.
	if kind, auto, _ := rs.Destination(ctx, eu1, ChoiceKeyring); kind != OSKeyring() || auto {
		t.Errorf("--store keyring: %q, %v", kind, auto)
	}

	kernel := &spyKeyring{Keyring: &mapKeyring{}}
	h := hangingKeyring{release: make(chan struct{})}
	t.Cleanup(func() { close(h.release) })
	rs = newKernelStore(t, h, kernel)
	rs.keyring.timeout = 50 * time.Millisecond
	if kind, auto, err := rs.Destination(ctx, eu1, ChoiceAuto); kind != OSKeyring() || auto || err != nil {
		t.Errorf("a Secret Service that does not answer: %q, %v, %v; want the OS keyring", kind, auto, err)
	}
	if n := kernel.calls.Load(); n != 0 {
		t.Errorf("the kernel keyring was called %d times", n)
	}

	for _, errno := range []syscall.Errno{syscall.EPERM, syscall.ENOSYS} {
		rs = newKernelStore(t, brokenKeyring{}, refusingKeyring{fmt.Errorf("getting the persistent keyring: %w", errno)})
		_, _, err = rs.Destination(ctx, eu1, ChoiceAuto)
		var ke *KeyringError
		if !errors.As(err, &ke) || ke.Kind != KindKernel || ke.OSErr == nil || !errors.Is(err, errno) {
			t.Fatalf("%v: err = %#v", errno, err)
		}
		msg := err.Error()
		for _, want := range []string{"zone eu1: no keyring can be used here: the OS keyring is unavailable (org.freedesktop.secrets",
			"the kernel keyring cannot be used either", errno.Error(),
			"use an environment variable (MAKETOKEN_TOKEN_EU1) in CI, or `maketoken login -z eu1 --store file`"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%v: %q lacks %q", errno, msg, want)
			}
		}
		if strings.Contains(msg, "\n") {
			t.Errorf("%v: more than one line: %q", errno, msg)
		}
	}
}

// TestTheRecordSaysWhereToRead: a credential in the kernel keyring is read
// there without asking the Secret Service, one in the OS keyring or the
// file without asking the kernel, and a zone logged in before the record
// named stores is read where it always was (never in the kernel keyring).
func TestTheRecordSaysWhereToRead(t *testing.T) {
	needKernelHere(t)
	ctx := context.Background()
	osk := &spyKeyring{Keyring: &mapKeyring{}}
	kernel := &spyKeyring{Keyring: &mapKeyring{}}
	rs := newKernelStore(t, osk, kernel)
	eu1, us1, eu2 := zone("eu1"), zone("us1"), zone("eu2")

	if err := rs.save(ctx, eu1, tokA, KindKernel); err != nil {
		t.Fatal(err)
	}
	if kind, _ := (Origins{Path: rs.opts.Record}).StoredIn("eu1"); kind != KindKernel {
		t.Fatalf("recorded store %q", kind)
	}
	osk.calls.Store(0)
	c, err := rs.Lookup(ctx, eu1)
	if err != nil || c.Token != tokA || c.Source != SourceKeyring || c.Store != KindKernel || c.Where() != "kernel keyring" {
		t.Fatalf("Lookup = %+v, %v", c, err)
	}
	if n := osk.calls.Load(); n != 0 {
		t.Errorf("the OS keyring was asked %d times for a credential in the kernel keyring", n)
	}

	if err := rs.save(ctx, us1, tokB, OSKeyring()); err != nil {
		t.Fatal(err)
	}
	if err := rs.save(ctx, eu2, tokC, KindFile); err != nil {
		t.Fatal(err)
	}
	kernel.calls.Store(0)
	for z, want := range map[string]Kind{"us1": OSKeyring(), "eu2": KindFile} {
		if c, err := rs.Lookup(ctx, zone(z)); err != nil || c.Store != want {
			t.Errorf("%s: %+v, %v", z, c, err)
		}
	}
	// A zone with no record at all, and one recorded by an older version
	// (an origin, no store): the OS keyring, then the file.
	if err := (Origins{Path: rs.opts.Record}).Set("us2", "https://us2.make.com/api/v2"); err != nil {
		t.Fatal(err)
	}
	for _, z := range []string{"us2", "celonis-eu1"} {
		if _, err := rs.Lookup(ctx, zone(z)); !isNotFound(err) {
			t.Errorf("%s: %v", z, err)
		}
	}
	if n := kernel.calls.Load(); n != 0 {
		t.Errorf("the kernel keyring was asked %d times for zones not recorded there", n)
	}

	// The kernel keyring lost it (a reboot, its expiry): not logged in,
	// and the message says why that can happen.
	if err := kernel.Keyring.Delete(Service, "eu1"); err != nil {
		t.Fatal(err)
	}
	_, err = rs.Lookup(ctx, eu1)
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Store != KindKernel || !strings.Contains(err.Error(), "the credential stored in the kernel keyring is gone (a reboot") ||
		!strings.Contains(err.Error(), "run `maketoken login -z eu1`") {
		t.Errorf("gone from the kernel keyring: %v", err)
	}
}

// TestSaveAndDeleteMoveBetweenStores: exactly one stored copy remains
// whichever store a credential moves to, logout forgets it from the kernel
// keyring too, and the record follows.
func TestSaveAndDeleteMoveBetweenStores(t *testing.T) {
	needKernelHere(t)
	ctx := context.Background()
	osk, kernel := &mapKeyring{}, &mapKeyring{}
	rs := newKernelStore(t, osk, kernel)
	eu1 := zone("eu1")
	has := func(k *mapKeyring) bool { _, err := k.Get(Service, "eu1"); return err == nil }

	if err := rs.save(ctx, eu1, tokA, OSKeyring()); err != nil {
		t.Fatal(err)
	}
	if err := rs.save(ctx, eu1, tokB, KindKernel); err != nil {
		t.Fatal(err)
	}
	if has(osk) || !has(kernel) {
		t.Errorf("to the kernel keyring: OS keyring %v, kernel %v", has(osk), has(kernel))
	}
	if err := rs.save(ctx, eu1, tokC, KindFile); err != nil {
		t.Fatal(err)
	}
	if has(kernel) {
		t.Error("the kernel keyring kept a copy after moving to the file")
	}
	if err := rs.save(ctx, eu1, tokA, KindKernel); err != nil {
		t.Fatal(err)
	}
	if c, err := rs.Lookup(ctx, eu1); err != nil || c.Token != tokA {
		t.Fatalf("%+v, %v", c, err)
	}
	data, _ := os.ReadFile(rs.opts.File)
	if strings.Contains(string(data), tokC) {
		t.Error("the file kept a copy after moving to the kernel keyring")
	}
	removed, err := rs.forget(ctx, eu1)
	if err != nil || !slices.Equal(removed, []Kind{KindKernel}) || has(kernel) {
		t.Fatalf("Delete = %v, %v", removed, err)
	}
	if got := rs.recorded(t, "eu1"); got != "" {
		t.Errorf("record left: %q", got)
	}
	if kind, _ := (Origins{Path: rs.opts.Record}).StoredIn("eu1"); kind != "" {
		t.Errorf("recorded store left: %q", kind)
	}

	// Logged out of the kernel keyring while the OS keyring cannot be
	// asked: the record no longer sends lookups to the kernel keyring, and
	// keeps the origin for a copy the OS keyring may hold.
	rs = newKernelStore(t, brokenKeyring{}, kernel)
	if err := rs.save(ctx, eu1, tokA, KindKernel); err != nil {
		t.Fatal(err)
	}
	if removed, err := rs.forget(ctx, eu1); err != nil || !slices.Equal(removed, []Kind{KindKernel}) {
		t.Fatalf("Delete = %v, %v", removed, err)
	}
	if kind, _ := (Origins{Path: rs.opts.Record}).StoredIn("eu1"); kind != "" {
		t.Errorf("recorded store left after logout: %q", kind)
	}
	if got := rs.recorded(t, "eu1"); got != "https://eu1.make.com" {
		t.Errorf("origin %q; want it kept while the OS keyring did not answer", got)
	}
	var nf *NotFoundError
	if _, err := rs.Lookup(ctx, eu1); errors.As(err, &nf) && nf.Store == KindKernel {
		t.Errorf("after logout the lookup says the kernel keyring lost it: %v", err)
	}
}

// TestKernelNeedsTheRecord: the kernel keyring is read only where the
// record names it, so a credential is not stored there when that cannot
// be recorded: no config folder (an error before anything is stored), or
// a record that cannot be written (an error, not a warning).
func TestKernelNeedsTheRecord(t *testing.T) {
	needKernelHere(t)
	ctx := context.Background()
	kernel := &mapKeyring{}
	st := NewStore(Options{Keyring: &mapKeyring{}, KernelKeyring: kernel, File: t.TempDir() + "/c.yaml"})
	err := st.save(ctx, zone("eu1"), tokA, KindKernel)
	if err == nil || !strings.Contains(err.Error(), "set HOME") {
		t.Errorf("no record: %v", err)
	}
	if _, err := kernel.Get(Service, "eu1"); err == nil {
		t.Error("stored although it could not be recorded")
	}

	rs := newKernelStore(t, &mapKeyring{}, &mapKeyring{})
	if err := os.MkdirAll(rs.opts.Record, 0o700); err != nil { // a folder where the file goes
		t.Fatal(err)
	}
	err = rs.save(ctx, zone("eu1"), tokA, KindKernel)
	if err == nil || !strings.Contains(err.Error(), "could not record that it is there") {
		t.Errorf("record not written: %v", err)
	}
}

// TestKernelKeyringTimesOut: every kernel keyring call is bounded by
// keyring_timeout, and a write abandoned so is an unknown outcome, named
// as the kernel keyring's.
func TestKernelKeyringTimesOut(t *testing.T) {
	needKernelHere(t)
	ctx := context.Background()
	h := hangingKeyring{release: make(chan struct{})}
	t.Cleanup(func() { close(h.release) })
	rs := newKernelStore(t, &mapKeyring{}, h)
	rs.kernel.timeout = 50 * time.Millisecond
	err := rs.save(ctx, zone("eu1"), tokA, KindKernel)
	var ke *KeyringError
	if !errors.As(err, &ke) || !ke.IsTimeout() || ke.Kind != KindKernel || !outcome.IsUnknown(err) ||
		!strings.Contains(err.Error(), "zone eu1: the kernel keyring did not answer within 50ms (keyring_timeout); the store was handed to it and may still happen") {
		t.Errorf("store: %v", err)
	}
	// The record is not touched by a write whose outcome is unknown.
	if kind, _ := (Origins{Path: rs.opts.Record}).StoredIn("eu1"); kind != "" {
		t.Errorf("recorded %q", kind)
	}
	if err := (Origins{Path: rs.opts.Record}).SetStored("eu1", zone("eu1").URL, KindKernel); err != nil {
		t.Fatal(err)
	}
	_, err = rs.Lookup(ctx, zone("eu1"))
	if !errors.As(err, &ke) || !ke.IsTimeout() || outcome.IsUnknown(err) || !strings.Contains(err.Error(), "the kernel keyring did not answer within 50ms; retry, raise keyring_timeout") {
		t.Errorf("read: %v", err)
	}
}

func TestKernelEnds(t *testing.T) {
	for d, want := range map[time.Duration]string{
		259200 * time.Second: "3 days", 86400 * time.Second: "1 day", 7200 * time.Second: "2 hours",
		90 * time.Second: "90 seconds", 120 * time.Second: "2 minutes",
	} {
		if got := lifetimeText(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
	if runtime.GOOS == "linux" && KernelLifetime() > 0 && !strings.Contains(KernelEnds(), "a reboot ends it, and so do ") {
		t.Errorf("KernelEnds() = %q", KernelEnds())
	}
}
