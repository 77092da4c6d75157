//go:build !linux

package credentials

import (
	"errors"
	"time"
)

// kernelKeyringHere says whether this system has the kernel keyring as a
// store (Linux only).
const kernelKeyringHere = false

var errNoKernelKeyring = errors.New("the kernel keyring exists only on Linux")

// SystemKernelKeyring is the Linux kernel keyring; elsewhere every call
// fails.
func SystemKernelKeyring() Keyring { return noKernelKeyring{} }

type noKernelKeyring struct{}

func (noKernelKeyring) Get(string, string) (string, error) { return "", errNoKernelKeyring }
func (noKernelKeyring) Set(string, string, string) error   { return errNoKernelKeyring }
func (noKernelKeyring) Delete(string, string) error        { return errNoKernelKeyring }

func kernelRefusal(err error) string { return err.Error() }

// KernelLifetime is 0: there is no kernel keyring here.
func KernelLifetime() time.Duration { return 0 }
