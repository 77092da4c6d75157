//go:build !linux

package main

import (
	"fmt"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/rogpeppe/go-internal/testscript"
)

// kernelKeyringFor: there is no kernel keyring store off Linux; every
// spec gives a keyring that refuses, as maketoken's own does there.
func kernelKeyringFor(string) (credentials.Keyring, error) { return refusingKernel{}, nil }

type refusingKernel struct{}

func (refusingKernel) Get(string, string) (string, error) { return "", errNoKernel }
func (refusingKernel) Set(string, string, string) error   { return errNoKernel }
func (refusingKernel) Delete(string, string) error        { return errNoKernel }

var errNoKernel = fmt.Errorf("no kernel keyring here")

func setupKernelKeyring(env *testscript.Env) error {
	env.Setenv("MAKETOKEN_TEST_KERNEL_KEYRING", "refuse:ENOSYS")
	return nil
}

func kernelKeysUsable() bool { return false }

func cmdKernelKey(ts *testscript.TestScript, _ bool, _ []string) {
	ts.Fatalf("kernelkey: no kernel keyring off Linux (guard the script with [kernelkeys])")
}
