package credentials

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestUnfitFirstCharacter: a control, blank or format character is
// refused wherever it is in a token, its first character too: in a token
// given to login, in a variable and in a stored credential; and the
// error says how to fix where it came from.
func TestUnfitFirstCharacter(t *testing.T) {
	ctx := context.Background()
	for _, bad := range []string{"\x1b[2J" + tokA, "\u00a0" + tokA, "\u200b" + tokA, "\x7f" + tokA} {
		if err := CheckTokenShape(bad); err == nil || !strings.Contains(err.Error(), "spaces or control characters; nothing was stored") {
			t.Errorf("CheckTokenShape(%q) = %v", bad, err)
		}

		// A variable's surrounding white space (a no-break space too)
		// is trimmed; the rest is refused.
		st, _ := newTestStore(t, map[string]string{"MAKETOKEN_TOKEN_EU1": bad}, nil)
		_, err := st.Lookup(ctx, zone("eu1"))
		var ie *InvalidError
		if strings.TrimSpace(bad) == bad && (!errors.As(err, &ie) || !strings.HasSuffix(err.Error(), "; set MAKETOKEN_TOKEN_EU1 to the token alone")) {
			t.Errorf("variable %q: %v", bad, err)
		}

		k := &mapKeyring{}
		if err := k.Set(Service, "eu1", bad); err != nil {
			t.Fatal(err)
		}
		st = NewStore(Options{Keyring: k, File: t.TempDir() + "/c.yaml", KeyringTimeout: time.Second})
		c, err := st.Lookup(ctx, zone("eu1"))
		if !errors.As(err, &ie) || !MustNotSend(err) || !strings.HasSuffix(err.Error(), "; log in again (`maketoken login -z eu1`)") {
			t.Errorf("stored %q: %+v, %v", bad, c, err)
		}
	}
}

// TestDefaultKeyringTimeout: a Store told no time limit bounds every call
// to either keyring by the documented 10 s (docs/configuration.md).
func TestDefaultKeyringTimeout(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		st := NewStore(Options{Keyring: &mapKeyring{}, KernelKeyring: &mapKeyring{}, KeyringTimeout: d})
		if st.keyring.timeout != 10*time.Second || st.kernel.timeout != 10*time.Second {
			t.Errorf("KeyringTimeout %v: the OS keyring's calls bounded by %v, the kernel keyring's by %v; want 10s", d, st.keyring.timeout, st.kernel.timeout)
		}
	}
	st := NewStore(Options{Keyring: &mapKeyring{}, KernelKeyring: &mapKeyring{}, KeyringTimeout: 3 * time.Second})
	if st.keyring.timeout != 3*time.Second || st.kernel.timeout != 3*time.Second {
		t.Errorf("KeyringTimeout 3s: %v, %v", st.keyring.timeout, st.kernel.timeout)
	}
}

// TestGoneFromTheKernelKeyringSaysWhy: an account whose credential the
// kernel keyring no longer holds is told why that happens without a
// logout (a reboot, the expiry); one gone from another store is not.
func TestGoneFromTheKernelKeyringSaysWhy(t *testing.T) {
	kernel := (&NotFoundError{Zone: "eu1", Store: KindKernel, Account: "ann@example.com"}).Error()
	if !strings.Contains(kernel, "is gone from the kernel keyring ("+KernelEnds()+"); run `maketoken login -z eu1` with a token of ann@example.com") {
		t.Errorf("kernel keyring: %q", kernel)
	}
	file := (&NotFoundError{Zone: "eu1", Store: KindFile, Account: "ann@example.com"}).Error()
	if strings.Contains(file, "reboot") || !strings.Contains(file, "is gone from the credentials file; run") {
		t.Errorf("file: %q", file)
	}
}
