package credentials

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/runctx"
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

// Every change of every backend catches signals before it begins (a
// signal must not cut a store or a delete in two), even one that fails.
func TestEveryChangeCatchesSignals(t *testing.T) {
	dir := t.TempDir()
	backends := []Backend{
		keyringBackend{boundedKeyring{k: &mapKeyring{}, kind: OSKeyring(), timeout: 5 * time.Second}},
		fileBackend{&fileStore{path: filepath.Join(dir, "credentials.yaml")}},
	}
	for _, b := range backends {
		for name, change := range map[string]func(context.Context) error{
			"Set":    func(ctx context.Context) error { return b.Set(ctx, "eu1", tokA) },
			"Delete": func(ctx context.Context) error { return b.Delete(ctx, "eu1") },
		} {
			var signals runctx.Signals
			ctx := signals.Context(context.Background(), time.Minute)
			_ = change(ctx)
			caught := signals.Catching()
			ctx.Stop()
			if !caught {
				t.Errorf("%s.%s began without catching signals", b.Kind(), name)
			}
		}
	}
}

// A credentials file that cannot be read is an error, not an empty file
// (which a save would then overwrite, losing the other zones' entries);
// a file store without a file writes nothing and says so.
func TestUnreadableOrMissingCredentialsFile(t *testing.T) {
	dir := t.TempDir() // a folder where the file should be
	if tok, err := (&fileStore{path: dir}).get("eu1"); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("get from a folder = %q, %v; want a read error", tok, err)
	}
	if _, err := (&fileStore{}).update("eu1", tokA); err == nil {
		t.Error("a file store without a file saved a credential")
	}
}

// silentKeyring never answers a read until the test ends.
type silentKeyring struct{ release chan struct{} }

func (k silentKeyring) Get(string, string) (string, error) { <-k.release; return "", ErrNotFound }
func (silentKeyring) Set(string, string, string) error     { return nil }
func (silentKeyring) Delete(string, string) error          { return nil }

// A read cut short by the command's end is that end, not "no credential".
func TestInterruptedReadIsNoNotFound(t *testing.T) {
	k := silentKeyring{release: make(chan struct{})}
	defer close(k.release)
	b := keyringBackend{boundedKeyring{k: k, kind: OSKeyring(), timeout: time.Minute}}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if tok, err := b.Get(ctx, "eu1"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get = %q, %v; want the context's end", tok, err)
	}
}

// A record of credential hosts that cannot be read, or is not JSON down to
// one byte, refuses the check: the moved-zone protection fails closed. An
// empty one records nothing.
func TestUnreadableOriginRecordRefuses(t *testing.T) {
	dir := t.TempDir()
	const url = "https://eu1.make.com/api/v2"
	if err := (Origins{Path: dir}).Check("eu1", url); err == nil {
		t.Error("a record that cannot be read (a folder) let the credential go")
	}
	for content, ok := range map[string]bool{"": true, "{": false} {
		path := filepath.Join(t.TempDir(), "credential-hosts.json")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := (Origins{Path: path}).Check("eu1", url); (err == nil) != ok {
			t.Errorf("record %q: Check = %v", content, err)
		}
	}
}
