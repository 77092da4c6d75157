package credentials

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// These tests state rules that mutation testing (docs/mutation-testing.md)
// found no test of: each fails with a mutant the other tests let through.

// A variable named exactly MAKETOKEN_TOKEN_ is a credential variable too:
// an ephemeral token's command does not get it.
func TestEphemeralEnvDropsTheBarePrefix(t *testing.T) {
	got := EphemeralEnv([]string{"MAKETOKEN_TOKEN_=secret", "MAKETOKEN_TOKEN=kept"}, "t", "h", "cred")
	if want := []string{"MAKETOKEN_TOKEN=kept", "MAKE_API_KEY=t", "MAKE_ZONE=h"}; !slices.Equal(got, want) {
		t.Errorf("EphemeralEnv = %q, want %q", got, want)
	}
}

// An empty entry in the credentials file is no credential.
func TestEmptyEntryInTheFileIsNoCredential(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials.yaml")
	if err := os.WriteFile(path, []byte("tokens:\n  eu1: \"\"\n  us1: \""+tokA+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := &fileStore{path: path}
	if tok, err := f.get("eu1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get(eu1) = %q, %v; want not found", tok, err)
	}
	if tok, err := f.get("us1"); err != nil || tok != tokA {
		t.Errorf("get(us1) = %q, %v", tok, err)
	}
}

// Only a change abandoned before the keyring answered may still happen; a
// change the keyring refused did not, and a read changes nothing.
func TestKeyringOutcomeUnknown(t *testing.T) {
	for _, tc := range []struct {
		e    KeyringError
		want bool
	}{
		{KeyringError{Op: "store", Err: errBroken}, false},
		{KeyringError{Op: "store", Timeout: time.Second}, true},
		{KeyringError{Op: "delete", Interrupted: true}, true},
		{KeyringError{Op: "read", Timeout: time.Second}, false},
	} {
		if got := tc.e.OutcomeUnknown(); got != tc.want {
			t.Errorf("%+v: OutcomeUnknown = %v, want %v", tc.e, got, tc.want)
		}
	}
}
