//go:build linux

package main

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/kerneltest"
	"github.com/rogpeppe/go-internal/testscript"
)

// kernelKeyringFor is the kernel keyring maketoken uses in a test, from
// MAKETOKEN_TEST_KERNEL_KEYRING (see testMain):
//
//	ring:SERIAL         the real kernel keyring store, in the keyring SERIAL
//	                    that the test made (never a user's own keyring)
//	ring:SERIAL,hangset the same, but a write never answers (reads work)
//	blocked:ERRNO       the user's persistent keyring, behind a seccomp filter
//	                    that fails every key call with ERRNO (EPERM, ENOSYS),
//	                    as a container's profile does: the calls never reach
//	                    the kernel's keys
//	refuse:ERRNO        a stand-in that fails every call with ERRNO
//	hang                a stand-in that never answers
//
// nil with nil error means the real one (only "blocked", where it cannot
// be reached).
func kernelKeyringFor(spec string) (credentials.Keyring, error) {
	kind, arg, _ := strings.Cut(spec, ":")
	switch kind {
	case "ring":
		serial, opt, _ := strings.Cut(arg, ",")
		n, err := strconv.Atoi(serial)
		if err != nil {
			return nil, fmt.Errorf("MAKETOKEN_TEST_KERNEL_KEYRING=%s: %w", spec, err)
		}
		k := credentials.KernelKeyringIn(n)
		if opt == "hangset" {
			return hangSetKeyring{k}, nil
		}
		return k, nil
	case "blocked":
		errno, err := errnoNamed(arg)
		if err != nil {
			return nil, err
		}
		if err := kerneltest.BlockKeyCalls(errno); err != nil {
			return nil, fmt.Errorf("MAKETOKEN_TEST_KERNEL_KEYRING=%s: %w", spec, err)
		}
		return nil, nil
	case "refuse":
		errno, err := errnoNamed(arg)
		if err != nil {
			return nil, err
		}
		return refusingKernel{fmt.Errorf("getting the persistent keyring: %w", errno)}, nil
	case "hang":
		return hangingKeyring{}, nil
	}
	return nil, fmt.Errorf("MAKETOKEN_TEST_KERNEL_KEYRING=%q: not set or unknown; refusing to touch a real kernel keyring", spec)
}

func errnoNamed(name string) (syscall.Errno, error) {
	switch name {
	case "EPERM":
		return syscall.EPERM, nil
	case "ENOSYS":
		return syscall.ENOSYS, nil
	case "EOPNOTSUPP":
		return syscall.EOPNOTSUPP, nil
	}
	return 0, fmt.Errorf("no errno %q for the test kernel keyring", name)
}

type refusingKernel struct{ err error }

func (r refusingKernel) Get(string, string) (string, error) { return "", r.err }
func (r refusingKernel) Set(string, string, string) error   { return r.err }
func (r refusingKernel) Delete(string, string) error        { return r.err }

// hangSetKeyring is a keyring whose writes never answer.
type hangSetKeyring struct{ credentials.Keyring }

func (hangSetKeyring) Set(string, string, string) error { select {} }

// setupKernelKeyring gives a script a kernel keyring of its own, thrown
// away when it ends, where this kernel allows it ([kernelkeys]); else one
// that refuses as a kernel without key support does.
func setupKernelKeyring(env *testscript.Env) error {
	if !kernelKeysUsable() {
		env.Setenv("MAKETOKEN_TEST_KERNEL_KEYRING", "refuse:ENOSYS")
		return nil
	}
	ring, destroy, err := kerneltest.NewKeyring("maketoken-test")
	if err != nil {
		return err
	}
	env.Defer(destroy)
	env.Setenv("MAKETOKEN_TEST_KERNEL_KEYRING", "ring:"+strconv.Itoa(ring))
	env.Setenv("KERNEL_RING", strconv.Itoa(ring))
	return nil
}

// kernelKeysUsable is the [kernelkeys] condition: the kernel lets the tests
// make keyrings of their own, and the key calls are not blocked.
func kernelKeysUsable() bool { return kerneltest.Usable() == nil }

// cmdKernelKey looks into the script's kernel keyring ($KERNEL_RING):
//
//	kernelkey show KEY           print the key maketoken:KEY (an account's: eu1/1001): "perm PERM uid UID" (! : there is none)
//	kernelkey has KEY TOKEN      the key holds TOKEN
//	kernelkey drop KEY           invalidate the key, as a reboot or the keyring's expiry would
func cmdKernelKey(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: kernelkey show|has|drop ZONE [TOKEN]")
	}
	ring, err := strconv.Atoi(ts.Getenv("KERNEL_RING"))
	if err != nil {
		ts.Fatalf("no KERNEL_RING: the script needs [kernelkeys]")
	}
	key, ok, err := kerneltest.Find(ring, credentials.Service+":"+args[1])
	ts.Check(err)
	switch args[0] {
	case "show":
		if ok == neg {
			ts.Fatalf("key maketoken:%s: found %v", args[1], ok)
		}
		if ok {
			fmt.Fprintf(ts.Stdout(), "perm %08x uid %d\n", key.Perm, key.UID)
		}
	case "has":
		if len(args) != 3 {
			ts.Fatalf("usage: kernelkey has ZONE TOKEN")
		}
		v := ""
		if ok {
			v, err = kerneltest.Read(key.ID)
			ts.Check(err)
		}
		if (ok && v == args[2]) == neg {
			ts.Fatalf("key maketoken:%s holds the token: %v, want %v", args[1], !neg, neg)
		}
	case "drop":
		if !ok {
			ts.Fatalf("no key maketoken:%s to drop", args[1])
		}
		ts.Check(kerneltest.Invalidate(key.ID))
	default:
		ts.Fatalf("kernelkey: unknown %q", args[0])
	}
}
