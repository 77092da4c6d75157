//go:build linux

package credentials

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/maketoken/maketoken/internal/kerneltest"
)

// testRing is a keyring of the test's own (never a user's), thrown away
// at its end.
func testRing(t *testing.T) int {
	t.Helper()
	if err := kerneltest.Usable(); err != nil {
		t.Skipf("the kernel keyring cannot be used here: %v", err)
	}
	ring, destroy, err := kerneltest.NewKeyring("maketoken-test-" + t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(destroy)
	return ring
}

// TestKernelKeyringForReal: the kernel keyring store against the kernel,
// in a keyring of the test's own: a key per zone, replaced in place, with
// the permissions chosen for it (the possessor everything but link, the
// owner only view, others nothing), invalidated on delete.
func TestKernelKeyringForReal(t *testing.T) {
	ring := testRing(t)
	k := KernelKeyringIn(ring)
	if _, err := k.Get(Service, "eu1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Set: %v", err)
	}
	if err := k.Delete(Service, "eu1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Delete before Set: %v", err)
	}
	if err := k.Set(Service, "eu1", tokA); err != nil {
		t.Fatal(err)
	}
	if v, err := k.Get(Service, "eu1"); v != tokA || err != nil {
		t.Fatalf("Get = %q, %v", v, err)
	}
	key, ok, err := kerneltest.Find(ring, "maketoken:eu1")
	if !ok || err != nil {
		t.Fatalf("no key maketoken:eu1 in the keyring: %v", err)
	}
	if key.Perm != 0x2f010000 || key.UID != os.Getuid() {
		t.Errorf("key %+v: want permissions 2f010000 (possessor view, read, write, search, setattr; owner view), owned by %d", key, os.Getuid())
	}
	// Replaced in place: the same key, the new secret.
	if err := k.Set(Service, "eu1", tokB); err != nil {
		t.Fatal(err)
	}
	if again, _, _ := kerneltest.Find(ring, "maketoken:eu1"); again.ID != key.ID {
		t.Errorf("a new key %d replaced %d", again.ID, key.ID)
	}
	if v, err := k.Get(Service, "eu1"); v != tokB || err != nil {
		t.Fatalf("Get after the update = %q, %v", v, err)
	}
	// A key of that name someone made with other permissions gets ours
	// when maketoken stores in it.
	if _, err := kerneltest.AddUserKey(ring, "maketoken:us1", "x"); err != nil {
		t.Fatal(err)
	}
	if err := k.Set(Service, "us1", tokC); err != nil {
		t.Fatal(err)
	}
	if us1, _, _ := kerneltest.Find(ring, "maketoken:us1"); us1.Perm != 0x2f010000 {
		t.Errorf("us1's key kept permissions %08x", us1.Perm)
	}
	if err := k.Delete(Service, "eu1"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := kerneltest.Find(ring, "maketoken:eu1"); ok {
		t.Error("the key is still there after Delete")
	}
	if _, err := k.Get(Service, "eu1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: %v", err)
	}
}

// TestKernelStoreForReal: a Store over the real kernel keyring (the test's
// own keyring) logs in, looks up and logs out.
func TestKernelStoreForReal(t *testing.T) {
	ring := testRing(t)
	ctx := context.Background()
	rs := newKernelStore(t, brokenKeyring{}, KernelKeyringIn(ring))
	eu1 := zone("eu1")
	kind, auto, err := rs.Destination(ctx, eu1, ChoiceAuto)
	if kind != KindKernel || !auto || err != nil {
		t.Fatalf("Destination = %q, %v, %v", kind, auto, err)
	}
	if err := rs.save(ctx, eu1, tokA, kind); err != nil {
		t.Fatal(err)
	}
	if c, err := rs.Lookup(ctx, eu1); err != nil || c.Token != tokA || c.Store != KindKernel {
		t.Fatalf("Lookup = %+v, %v", c, err)
	}
	if removed, err := rs.forget(ctx, eu1); err != nil || len(removed) != 1 || removed[0] != KindKernel {
		t.Fatalf("Delete = %v, %v", removed, err)
	}
	if _, ok, _ := kerneltest.Find(ring, "maketoken:eu1"); ok {
		t.Error("the key outlived logout")
	}
}

// TestKernelKeyringRefusal: a keyring the kernel will not let maketoken
// link (here: one that no longer exists) is a kernel keyring that cannot
// be used, not a missing credential.
func TestKernelKeyringRefusal(t *testing.T) {
	ring := testRing(t)
	if err := kerneltest.Invalidate(ring); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rs := newKernelStore(t, brokenKeyring{}, KernelKeyringIn(ring))
	if err := (Origins{Path: rs.opts.Record}).SetStored("eu1", zone("eu1").URL, KindKernel); err != nil {
		t.Fatal(err)
	}
	_, err := rs.Lookup(ctx, zone("eu1"))
	var ke *KeyringError
	if !errors.As(err, &ke) || ke.Kind != KindKernel || isNotFound(err) {
		t.Errorf("Lookup in a keyring that is gone: %v", err)
	}
}
