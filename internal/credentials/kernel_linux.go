//go:build linux

package credentials

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The Linux kernel keyring (keyrings(7)) keeps each credential as a key of
// type "user", described "maketoken:ZONE/USER-ID", in kernel memory: never on
// disk, no daemon, through system calls alone.
//
// Which keyring holds the keys is chosen for a credential that must
// survive the end of the SSH session that logged in, be there for the
// next one, and be out of other users' reach:
//
//   - the session keyring (session-keyring(7)) ends with the login session:
//     the next SSH session would not have it;
//   - the user keyring (user-keyring(7)) is documented to live only while
//     the user has processes (a kernel may keep it longer, but nothing
//     promises it), and every process of the user has it searched through
//     the session keyring pam_keyinit links it into;
//   - the persistent keyring (persistent-keyring(7)) is made for exactly
//     this: one per user, it outlives sessions and processes, and it is
//     reached only by asking for it (KEYCTL_GET_PERSISTENT), which only
//     the user (or a process with CAP_SETUID, such as root) may do.
//
// So: the persistent keyring. What ends the credential: a reboot (kernel
// memory only); the persistent keyring's expiry, after
// /proc/sys/kernel/keys/persistent_keyring_expiry seconds (3 days by
// default) in which nothing asked for it — every maketoken command that
// uses the store asks, which starts the count again; `maketoken logout`;
// and the user clearing it (`keyctl`). A container with a user namespace
// of its own has a persistent keyring of its own.
//
// Permissions: the persistent keyring is reached by linking it into the
// calling thread's keyring, which makes it, and the keys in it, possessed
// by that thread. The key grants its possessor view, read, write, search
// and setattr (no link: it is never linked anywhere else); its owner
// without possession only view (the user's own `keyctl show` lists it);
// its group and other users nothing: they can neither read it nor see its
// description (though, as for any key, they can tell that some key has a
// given serial number). The user's processes, and root, can read it, as
// they can read the OS keyring while it is unlocked.
//
// A thread keyring is per thread, and so is a process keyring in a Go
// program (the kernel gives it to the thread that makes it): each call
// runs on a thread of its own, locked and never unlocked, so that the
// thread — and its thread keyring with the link — ends with the call.

const (
	keyPosView    = 0x01000000
	keyPosRead    = 0x02000000
	keyPosWrite   = 0x04000000
	keyPosSearch  = 0x08000000
	keyPosSetattr = 0x20000000
	keyUsrView    = 0x00010000

	// keyPerm is the credential key's permissions (see above).
	keyPerm = keyPosView | keyPosRead | keyPosWrite | keyPosSearch | keyPosSetattr | keyUsrView
)

// kernelKeyringHere says whether this system has the kernel keyring as a
// store (Linux).
const kernelKeyringHere = true

// kernelKeyring is the kernel keyring as a Keyring.
type kernelKeyring struct {
	// anchor links the keyring the keys live in into the calling thread's
	// keyring, and returns its serial number.
	anchor func() (int, error)
	// where says which keyring that is, for errors.
	where string
}

// SystemKernelKeyring is the calling user's persistent keyring.
func SystemKernelKeyring() Keyring {
	return kernelKeyring{anchor: persistentKeyring, where: "the persistent keyring"}
}

// KernelKeyringIn is the kernel keyring store with the keyring whose
// serial number is ring in place of the user's persistent keyring: ring
// must grant the caller link permission. It exists for tests, which must
// never touch a real user's keys: they make a keyring of their own and
// throw it away afterwards.
func KernelKeyringIn(ring int) Keyring {
	return kernelKeyring{where: "keyring " + strconv.Itoa(ring), anchor: func() (int, error) {
		if _, err := unix.KeyctlInt(unix.KEYCTL_LINK, ring, unix.KEY_SPEC_THREAD_KEYRING, 0, 0); err != nil {
			return 0, &kernelCallError{Call: "linking keyring " + strconv.Itoa(ring), Err: err}
		}
		return ring, nil
	}}
}

// persistentKeyring links the user's persistent keyring into the thread
// keyring (made if need be), which also starts its expiry count again.
func persistentKeyring() (int, error) {
	ring, err := unix.KeyctlInt(unix.KEYCTL_GET_PERSISTENT, -1, unix.KEY_SPEC_THREAD_KEYRING, 0, 0)
	if err != nil {
		return 0, &kernelCallError{Call: "getting the persistent keyring", Err: err}
	}
	return ring, nil
}

// kernelCallError is a key-management call the kernel refused.
type kernelCallError struct {
	Call string
	Err  error
}

func (e *kernelCallError) Error() string { return e.Call + ": " + e.Err.Error() }
func (e *kernelCallError) Unwrap() error { return e.Err }

// onOwnThread runs f on a thread of its own, which ends when f returns
// (see above).
func onOwnThread(f func() (string, error)) (string, error) {
	type result struct {
		v   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		// Never unlocked: the thread exits with this goroutine, and with
		// it the thread keyring and the link made in it.
		runtime.LockOSThread()
		v, err := f()
		done <- result{v, err}
	}()
	r := <-done
	return r.v, r.err
}

func keyDescription(service, account string) string { return service + ":" + account }

// find returns the key's serial number, or ErrNotFound.
func (k kernelKeyring) find(service, account string) (ring, id int, err error) {
	ring, err = k.anchor()
	if err != nil {
		return 0, 0, err
	}
	id, err = unix.KeyctlSearch(ring, "user", keyDescription(service, account), 0)
	switch {
	case errors.Is(err, unix.ENOKEY), errors.Is(err, unix.EKEYEXPIRED), errors.Is(err, unix.EKEYREVOKED):
		return ring, 0, ErrNotFound
	case err != nil:
		return ring, 0, &kernelCallError{Call: "searching " + k.where, Err: err}
	}
	return ring, id, nil
}

// Get implements Keyring.
func (k kernelKeyring) Get(service, account string) (string, error) {
	return onOwnThread(func() (string, error) {
		_, id, err := k.find(service, account)
		if err != nil {
			return "", err
		}
		buf := make([]byte, 1024)
		for {
			n, err := unix.KeyctlBuffer(unix.KEYCTL_READ, id, buf, 0)
			if err != nil {
				if errors.Is(err, unix.EKEYEXPIRED) || errors.Is(err, unix.EKEYREVOKED) || errors.Is(err, unix.ENOKEY) {
					return "", ErrNotFound
				}
				return "", &kernelCallError{Call: "reading the key", Err: err}
			}
			if n <= len(buf) {
				v := string(buf[:n])
				clear(buf)
				return v, nil
			}
			clear(buf)
			buf = make([]byte, n)
		}
	})
}

// Set implements Keyring. add_key replaces the payload of a key with the
// same description in the keyring at once, or adds one.
func (k kernelKeyring) Set(service, account, secret string) error {
	_, err := onOwnThread(func() (string, error) {
		ring, err := k.anchor()
		if err != nil {
			return "", err
		}
		payload := []byte(secret)
		defer clear(payload)
		id, err := unix.AddKey("user", keyDescription(service, account), payload, ring)
		if err != nil {
			return "", &kernelCallError{Call: "adding the key to " + k.where, Err: err}
		}
		if err := unix.KeyctlSetperm(id, keyPerm); err != nil {
			// A key of this name that someone else made, with
			// permissions maketoken may not change (others may read
			// it): add_key wrote the secret into it. Revoke it
			// (write permission, which add_key just used, allows
			// that), so that the secret does not stay there.
			_, _ = unix.KeyctlInt(unix.KEYCTL_REVOKE, id, 0, 0, 0)
			return "", &kernelCallError{Call: "setting the key's permissions (the key was revoked)", Err: err}
		}
		return "", nil
	})
	return err
}

// Delete implements Keyring: the key is invalidated, which removes it at
// once from every keyring that links it.
func (k kernelKeyring) Delete(service, account string) error {
	_, err := onOwnThread(func() (string, error) {
		_, id, err := k.find(service, account)
		if err != nil {
			return "", err
		}
		if _, err := unix.KeyctlInt(unix.KEYCTL_INVALIDATE, id, 0, 0, 0); err != nil {
			return "", &kernelCallError{Call: "invalidating the key", Err: err}
		}
		return "", nil
	})
	return err
}

// kernelRefusal says, for people, why the kernel keyring could not be
// used.
func kernelRefusal(err error) string {
	switch {
	case errors.Is(err, unix.ENOSYS):
		return fmt.Sprintf("this system does not offer the kernel's key-management calls (%v; WSL 1, a kernel without key support, or a seccomp filter)", err)
	case errors.Is(err, unix.EPERM):
		return fmt.Sprintf("the kernel refused its key-management calls (%v; a container whose seccomp profile blocks them?)", err)
	case errors.Is(err, unix.EOPNOTSUPP):
		return fmt.Sprintf("this kernel has no persistent keyrings (%v)", err)
	case errors.Is(err, unix.EDQUOT):
		return fmt.Sprintf("your kernel key quota is used up (%v; see /proc/key-users)", err)
	}
	return err.Error()
}

// KernelLifetime says how long the kernel keyring keeps a credential that
// nothing uses: the persistent keyring's expiry; 0 if it cannot be read.
func KernelLifetime() time.Duration {
	data, err := os.ReadFile("/proc/sys/kernel/keys/persistent_keyring_expiry")
	if err != nil {
		return 0
	}
	s, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || s <= 0 {
		return 0
	}
	return time.Duration(s) * time.Second
}
