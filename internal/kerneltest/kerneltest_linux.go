//go:build linux

package kerneltest

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/maketoken/maketoken/internal/keycalls"
	"golang.org/x/sys/unix"
)

// The keeper is one thread of the test process, locked for the process's
// life: the keyrings tests make hang from its thread keyring, which is no
// user's keyring (not the session, user or persistent keyring) and ends
// with the process at the latest.
var keeper struct {
	once sync.Once
	work chan func()
}

// Do runs f on the keeper's thread: what it finds through the keyrings
// linked into the thread keyring there is possessed.
func Do(f func() error) error {
	keeper.once.Do(func() {
		keeper.work = make(chan func())
		go func() {
			runtime.LockOSThread() // never unlocked: the thread is the keeper
			for f := range keeper.work {
				f()
			}
		}()
	})
	done := make(chan error, 1)
	keeper.work <- func() { done <- f() }
	return <-done
}

// Usable says whether this kernel lets the test process use keyrings of
// its own (it may not: no key support, a seccomp profile that blocks the
// calls), and if not why.
func Usable() error {
	ring, destroy, err := NewKeyring("maketoken-test-probe")
	if err != nil {
		return err
	}
	destroy()
	_ = ring
	return nil
}

// Permissions: a possessor may do everything, and the owner without
// possessing it (another process of the same user: the maketoken a test
// runs) may view, read, write, search and link it, to link it into its
// own thread keyring and possess it from there, as maketoken does with
// the persistent keyring.
const (
	posAll     = 0x3f000000
	usrAllLink = 0x001f0000
)

// made numbers the keyrings NewKeyring makes: a keyring added to a
// keyring that links one of the same name would displace it.
var made atomic.Int64

// NewKeyring makes a keyring for one test and returns its serial number,
// and destroy, which invalidates it (and so every key only it holds). Its
// name is name with a number that no other keyring of the process has.
func NewKeyring(name string) (int, func(), error) {
	var ring int
	name = fmt.Sprintf("%s-%d-%d", name, os.Getpid(), made.Add(1))
	err := Do(func() error {
		id, err := unix.AddKey("keyring", name, nil, unix.KEY_SPEC_THREAD_KEYRING)
		if err != nil {
			return fmt.Errorf("making a test keyring: %w", err)
		}
		if err := unix.KeyctlSetperm(id, posAll|usrAllLink); err != nil {
			_, _ = unix.KeyctlInt(unix.KEYCTL_INVALIDATE, id, 0, 0, 0)
			return fmt.Errorf("setting the test keyring's permissions: %w", err)
		}
		ring = id
		return nil
	})
	if err != nil {
		return 0, func() {}, err
	}
	return ring, func() { _ = Invalidate(ring) }, nil
}

// Invalidate invalidates a key or keyring the keeper possesses.
func Invalidate(id int) error {
	return Do(func() error {
		_, err := unix.KeyctlInt(unix.KEYCTL_INVALIDATE, id, 0, 0, 0)
		return err
	})
}

// Key is a key as KEYCTL_DESCRIBE shows it.
type Key struct {
	ID          int
	Type        string
	UID, GID    int
	Perm        uint32
	Description string
}

// Find searches ring (possessed by the keeper) for a key of type "user"
// with this description, and describes it; ok is false if there is none.
func Find(ring int, description string) (Key, bool, error) {
	var k Key
	found := false
	err := Do(func() error {
		id, err := unix.KeyctlSearch(ring, "user", description, 0)
		if errors.Is(err, unix.ENOKEY) || errors.Is(err, unix.EKEYREVOKED) || errors.Is(err, unix.EKEYEXPIRED) {
			return nil // none, or one on its way out (invalidated)
		}
		if err != nil {
			return err
		}
		desc, err := unix.KeyctlString(unix.KEYCTL_DESCRIBE, id)
		if err != nil {
			return err
		}
		var perm uint32
		if _, err := fmt.Sscanf(desc, "user;%d;%d;%x;", &k.UID, &k.GID, &perm); err != nil {
			return fmt.Errorf("describing key %d: %q: %w", id, desc, err)
		}
		k.ID, k.Type, k.Perm, k.Description, found = id, "user", perm, description, true
		return nil
	})
	return k, found, err
}

// Read reads a key the keeper possesses.
func Read(id int) (string, error) {
	var v string
	err := Do(func() error {
		buf := make([]byte, 4096)
		n, err := unix.KeyctlBuffer(unix.KEYCTL_READ, id, buf, 0)
		if err != nil {
			return err
		}
		v = string(buf[:min(n, len(buf))])
		return nil
	})
	return v, err
}

// AddUserKey adds a key of type "user" to ring (possessed by the keeper),
// as another program of the user might.
func AddUserKey(ring int, description, payload string) (int, error) {
	var id int
	err := Do(func() error {
		var err error
		id, err = unix.AddKey("user", description, []byte(payload), ring)
		return err
	})
	return id, err
}

// Persistent links the persistent keyring of uid into the keeper's thread
// keyring (which needs CAP_SETUID for another user's: root) and returns
// its serial number; unlink undoes the link. Tests use it only for
// throw-away users they made up, never for a real one.
func Persistent(uid int) (ring int, unlink func(), err error) {
	err = Do(func() error {
		var err error
		ring, err = unix.KeyctlInt(unix.KEYCTL_GET_PERSISTENT, uid, unix.KEY_SPEC_THREAD_KEYRING, 0, 0)
		return err
	})
	if err != nil {
		return 0, func() {}, err
	}
	return ring, func() {
		_ = Do(func() error {
			_, err := unix.KeyctlInt(unix.KEYCTL_UNLINK, ring, unix.KEY_SPEC_THREAD_KEYRING, 0, 0)
			return err
		})
	}, nil
}

// BlockKeyCalls makes add_key, request_key and keyctl fail with errno in
// every thread of this process and in whatever it executes, as a
// container's seccomp profile does (Docker's default one answers EPERM).
// It cannot be undone. See package keycalls.
func BlockKeyCalls(errno syscall.Errno) error { return keycalls.Block(errno) }
