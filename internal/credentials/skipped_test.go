package credentials

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// One rule says which failed look-ups may hide a credential: a keyring
// that answered that it cannot be used hides nothing; one that did not
// answer, was stopped, or an error that is no keyring's may.
func TestSkipKindOf(t *testing.T) {
	osGone := &KeyringError{Op: "read", Zone: "eu1", Kind: OSKeyring(), Err: errors.New("org.freedesktop.secrets was not provided")}
	kernelGone := &KeyringError{Op: "read", Zone: "eu1", Kind: KindKernel, Err: errors.New("function not implemented")}
	for _, c := range []struct {
		name   string
		err    error
		absent bool
		kind   SkipKind
	}{
		{"no Secret Service", osGone, true, SkipNoKeyring},
		{"wrapped", fmt.Errorf("zone eu1: %w", osGone), true, SkipNoKeyring},
		{"no kernel keyring", kernelGone, true, SkipKernelUnusable},
		{"timed out", &KeyringError{Op: "read", Zone: "eu1", Kind: OSKeyring(), Timeout: time.Second, Err: context.DeadlineExceeded}, false, SkipMayHide},
		{"kernel timed out", &KeyringError{Op: "read", Zone: "eu1", Kind: KindKernel, Timeout: time.Second, Err: context.DeadlineExceeded}, false, SkipMayHide},
		{"stopped", &KeyringError{Op: "read", Zone: "eu1", Kind: OSKeyring(), Interrupted: true, Err: context.Canceled}, false, SkipMayHide},
		{"no such entry", &KeyringError{Op: "read", Zone: "eu1", Kind: OSKeyring(), Err: ErrNotFound}, false, SkipMayHide},
		{"a record that is not JSON", errors.New("the record of accounts /x/accounts.json is not valid JSON"), false, SkipMayHide},
	} {
		if got := KeyringAbsent(c.err); got != c.absent {
			t.Errorf("%s: KeyringAbsent = %v, want %v", c.name, got, c.absent)
		}
		if got := SkipKindOf(c.err); got != c.kind {
			t.Errorf("%s: SkipKindOf = %v, want %v", c.name, got, c.kind)
		}
	}
	if KeyringAbsent(nil) {
		t.Error("KeyringAbsent(nil)")
	}
}

// A zone's look-up error that leaves out a credential that may exist is a
// skipped zone; a zone without one, one that must not be sent and one
// without the account asked for are not.
func TestSkipsZone(t *testing.T) {
	for err, want := range map[error]bool{
		nil:                                 false,
		&NotFoundError{Zone: "eu1"}:         false,
		&OriginChangedError{Zone: "eu1"}:    false,
		&InvalidError{Zone: "eu1"}:          false,
		&UnknownUserError{Zone: "eu1"}:      false,
		errors.New("not valid JSON"):        true,
		&KeyringError{Err: errors.New("x")}: true,
	} {
		if got := skipsZone(err); got != want {
			t.Errorf("skipsZone(%v) = %v, want %v", err, got, want)
		}
	}
}
