//go:build linux

package credentials

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/kerneltest"
	"golang.org/x/sys/unix"
)

// Key permission bits (keyctl_setperm(3)): the possessor's in the top
// byte, the owner's in the next.
const (
	permView, permRead, permWrite, permSearch, permLink, permSetattr = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
)

func posUsr(pos, usr uint32) uint32 { return pos<<24 | usr<<16 }

// setPerm gives a key or keyring of the test's (possessed by the keeper)
// other permissions.
func setPerm(t *testing.T, id int, perm uint32) {
	t.Helper()
	if err := kerneltest.Do(func() error { return unix.KeyctlSetperm(id, perm) }); err != nil {
		t.Fatalf("setting the permissions of %d to %08x: %v", id, perm, err)
	}
}

// restrict lets the possessor and the owner of the test's keyring ring do
// only what perm allows, and setattr, which the test needs to give the
// keyring its permissions back before throwing it away (a keyring that
// refuses a search is not possessed: the owner's permissions apply).
func restrict(t *testing.T, ring int, perm uint32) {
	t.Helper()
	setPerm(t, ring, posUsr(perm|permSetattr, perm|permSetattr))
	t.Cleanup(func() { setPerm(t, ring, posUsr(0x3f, 0x1f)) })
}

// TestKernelKeyringUnreachableRing: a keyring maketoken cannot link (gone:
// a reboot's, an expired one) fails every call with the kernel's reason
// and the keyring named; a store into it is never reported as done, and a
// read or delete never as "no credential".
func TestKernelKeyringUnreachableRing(t *testing.T) {
	ring := testRing(t)
	if err := kerneltest.Invalidate(ring); err != nil {
		t.Fatal(err)
	}
	k := KernelKeyringIn(ring)
	check := func(call string, err error) {
		t.Helper()
		want := "linking keyring " + strconv.Itoa(ring) + ": "
		var ce *kernelCallError
		if err == nil || errors.Is(err, ErrNotFound) || !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s in a keyring that is gone: %v; want an error starting %q", call, err, want)
			return
		}
		// The kernel's errno is what kernelRefusal and the store look at.
		var errno unix.Errno
		if !errors.As(err, &errno) || errno == 0 {
			t.Errorf("%s: %v does not carry the kernel's errno", call, err)
		}
	}
	check("Set", k.Set(Service, "eu1", tokA))
	_, err := k.Get(Service, "eu1")
	check("Get", err)
	check("Delete", k.Delete(Service, "eu1"))
}

// TestKernelKeyringRefusedCalls: each call the kernel refuses (here for
// want of permission on the keyring) is an error that carries the
// kernel's errno, never "stored" and never "no credential".
func TestKernelKeyringRefusedCalls(t *testing.T) {
	t.Run("add_key refused", func(t *testing.T) {
		ring := testRing(t)
		restrict(t, ring, permView|permRead|permSearch|permLink) // no write
		k := KernelKeyringIn(ring)
		err := k.Set(Service, "eu1", tokA)
		if err == nil || !errors.Is(err, unix.EACCES) || !strings.HasPrefix(err.Error(), "adding the key to keyring "+strconv.Itoa(ring)+": ") {
			t.Errorf("Set into a keyring that refuses writes: %v", err)
		}
		if _, ok, _ := kerneltest.Find(ring, "maketoken:eu1"); ok {
			t.Error("a key was added all the same")
		}
	})
	t.Run("search refused", func(t *testing.T) {
		ring := testRing(t)
		if _, err := kerneltest.AddUserKey(ring, "maketoken:eu1", tokA); err != nil {
			t.Fatal(err)
		}
		restrict(t, ring, permView|permRead|permWrite|permLink) // no search
		k := KernelKeyringIn(ring)
		want := "searching keyring " + strconv.Itoa(ring) + ": "
		if _, err := k.Get(Service, "eu1"); err == nil || !errors.Is(err, unix.EACCES) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Get from a keyring that refuses a search: %v", err)
		}
		if err := k.Delete(Service, "eu1"); err == nil || !errors.Is(err, unix.EACCES) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Delete from a keyring that refuses a search: %v", err)
		}
	})
}

// TestKernelKeyringKeyItCannotMakeItsOwn: a key of maketoken's name that
// someone made with permissions maketoken cannot change (no setattr for
// its possessor or owner) and that others may read: storing in it is an
// error, and the secret is not left in it for others to read.
func TestKernelKeyringKeyItCannotMakeItsOwn(t *testing.T) {
	ring := testRing(t)
	id, err := kerneltest.AddUserKey(ring, "maketoken:eu1", "someone else's")
	if err != nil {
		t.Fatal(err)
	}
	rw := uint32(permView | permRead | permWrite | permSearch | permLink)
	setPerm(t, id, posUsr(rw, rw)|permView<<8|permRead<<8|permView|permRead) // group and others may read
	k := KernelKeyringIn(ring)
	err = k.Set(Service, "eu1", tokA)
	if err == nil || !errors.Is(err, unix.EACCES) || !strings.HasPrefix(err.Error(), "setting the key's permissions (the key was revoked): ") {
		t.Errorf("Set into a key whose permissions it cannot set: %v", err)
	}
	if v, err := kerneltest.Read(id); err == nil && strings.Contains(v, tokA) {
		t.Errorf("the token was left in key %d, which others may read", id)
	}
	if v, err := k.Get(Service, "eu1"); err == nil {
		t.Errorf("Get after the failed Set = %q", v)
	}
}

// TestKernelLifetimeIsTheKernels: how long the kernel keyring keeps an
// unused credential is the persistent keyring's expiry, as the kernel
// says it.
func TestKernelLifetimeIsTheKernels(t *testing.T) {
	data, err := os.ReadFile("/proc/sys/kernel/keys/persistent_keyring_expiry")
	if err != nil {
		if got := KernelLifetime(); got != 0 {
			t.Errorf("KernelLifetime() = %v without %v", got, err)
		}
		t.Skipf("no persistent keyring expiry here: %v", err)
	}
	s, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || s <= 0 {
		t.Skipf("persistent_keyring_expiry holds %q", data)
	}
	if got, want := KernelLifetime(), time.Duration(s)*time.Second; got != want {
		t.Errorf("KernelLifetime() = %v, want %v", got, want)
	}
	if got := KernelEnds(); !strings.Contains(got, lifetimeText(time.Duration(s)*time.Second)+" in which maketoken does not use it") {
		t.Errorf("KernelEnds() = %q", got)
	}
}

// TestKernelKeyringLinkEndsWithTheCall: the link that makes the keyring
// possessed is made in a thread keyring of a thread that ends with the
// call, so no other goroutine of maketoken finds the keyring's keys
// through its own thread later.
func TestKernelKeyringLinkEndsWithTheCall(t *testing.T) {
	ring := testRing(t)
	k := KernelKeyringIn(ring)
	if err := k.Set(Service, "eu1", tokA); err != nil {
		t.Fatal(err)
	}
	// Look from this goroutine's thread and from fresh ones, as
	// later work of the process would.
	probe := func() bool {
		_, err := unix.KeyctlSearch(unix.KEY_SPEC_THREAD_KEYRING, "user", keyDescription(Service, "eu1"), 0)
		return err == nil
	}
	for i := range 50 {
		if _, err := k.Get(Service, "eu1"); err != nil {
			t.Fatal(err)
		}
		found := make(chan bool)
		go func() { found <- probe() }()
		if <-found || probe() {
			t.Fatalf("after %d calls, a thread of the process still possesses the keyring", i+1)
		}
	}
}
