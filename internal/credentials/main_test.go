package credentials

import (
	"os"
	"testing"
)

// TestMain keeps every test of the package away from the user's kernel
// keyring: a Store made without a KernelKeyring of its own gets one that
// fails the test run, loudly, on its first call.
func TestMain(m *testing.M) {
	systemKernelKeyring = func() Keyring { return untouchableKernel{} }
	os.Exit(m.Run())
}

type untouchableKernel struct{}

func (untouchableKernel) Get(string, string) (string, error) { panic(untouched) }
func (untouchableKernel) Set(string, string, string) error   { panic(untouched) }
func (untouchableKernel) Delete(string, string) error        { panic(untouched) }

const untouched = "a test reached the real kernel keyring: give the Store a KernelKeyring of its own"
