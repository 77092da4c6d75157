package credentials

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/runctx"
)

// TestAccountsRecordThatCannotBeRead: an empty record of accounts is a
// record without accounts; one that cannot be read (a folder in its
// place), or that is not JSON (one byte of it too), is an error, never
// taken for a record without accounts (a lookup would then fall back to
// the places of the release before accounts, and a login write over the
// other accounts).
func TestAccountsRecordThatCannotBeRead(t *testing.T) {
	ctx := context.Background()
	eu1 := zone("eu1")
	for _, tt := range []struct {
		name    string
		make    func(path string) error
		wantErr string // "": no accounts, no error
	}{
		{"empty", func(p string) error { return os.WriteFile(p, nil, 0o600) }, ""},
		{"a folder", func(p string) error { return os.Mkdir(p, 0o700) }, "reading the record of accounts: "},
		{"one byte", func(p string) error { return os.WriteFile(p, []byte("x"), 0o600) }, "is not valid JSON"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			as := newAccountStore(t, nil)
			if err := os.MkdirAll(filepath.Dir(as.opts.Accounts), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := tt.make(as.opts.Accounts); err != nil {
				t.Fatal(err)
			}
			accts, err := as.RecordedAccounts("eu1")
			switch {
			case tt.wantErr == "" && (err != nil || len(accts) != 0):
				t.Errorf("RecordedAccounts = %v, %v", accts, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("RecordedAccounts = %v, %v; want %q", accts, err, tt.wantErr)
			}
			if tt.wantErr != "" {
				if _, err := as.Login(ctx, eu1, ann, tokA, OSKeyring()); err == nil {
					t.Error("a login wrote over a record it could not read")
				}
			}
		})
	}
}

// TestAccountsRecordChangeCatchesSignals: a change of the record of
// accounts is a change a signal must not cut in two: it starts the
// catching of signals before it begins, even one that changes nothing.
func TestAccountsRecordChangeCatchesSignals(t *testing.T) {
	rec := &accountsRecord{path: filepath.Join(t.TempDir(), "accounts.json")}
	var signals runctx.Signals
	ctx := signals.Context(context.Background(), time.Minute)
	defer ctx.Stop()
	if err := rec.update(ctx, "eu1", func(*zoneAccounts) error { return errNoChange }); err != nil {
		t.Fatal(err)
	}
	if !signals.Catching() {
		t.Error("the record of accounts was changed without catching signals first")
	}
}

// TestAccountsRecordFolderAndMode: the record of accounts is made in a
// folder only the user may enter (0700), the file readable by the user
// alone (0600); a folder that cannot be made is an error that says so.
func TestAccountsRecordFolderAndMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits")
	}
	ctx := context.Background()
	dir := t.TempDir()
	as := newAccountStore(t, nil)
	o := as.opts
	o.Accounts = filepath.Join(dir, "accounts", "accounts.json")
	st := NewStore(o)
	if _, err := st.Login(ctx, zone("eu1"), ann, tokA, OSKeyring()); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{filepath.Join(dir, "accounts"): 0o700, o.Accounts: 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v, %v; want mode %04o", path, fi.Mode().Perm(), err, want)
		}
	}

	under := filepath.Join(dir, "a-file")
	if err := os.WriteFile(under, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	rec := &accountsRecord{path: filepath.Join(under, "accounts.json")}
	err := rec.update(ctx, "eu1", func(z *zoneAccounts) error { z.Accounts = []accountRecord{{ID: 1}}; return nil })
	if err == nil || !strings.HasPrefix(err.Error(), "creating the folder of the record of accounts: ") {
		t.Errorf("a folder under a file: %v", err)
	}
}

// TestLoginToAStoreThatFails: a login whose store refuses the write is
// that store's error, and records no account (nothing was stored).
func TestLoginToAStoreThatFails(t *testing.T) {
	ctx := context.Background()
	as := newAccountStore(t, nil)
	o := as.opts
	o.Keyring = refusingKeyring{errors.New("the keyring is locked")}
	st := NewStore(o)
	if _, err := st.Login(ctx, zone("eu1"), ann, tokA, OSKeyring()); err == nil || !strings.Contains(err.Error(), "the keyring is locked") {
		t.Errorf("login: %v", err)
	}
	if accts, err := st.RecordedAccounts("eu1"); err != nil || len(accts) != 0 {
		t.Errorf("recorded after a failed store: %v, %v", accts, err)
	}

}

// TestFingerprintIsStable: what the record keeps of a token (64 bits of a
// salted SHA-256) is the same from one release to the next, so that a
// record written before still recognises the token maketoken stored.
func TestFingerprintIsStable(t *testing.T) {
	if got := fingerprint(tokA); got != "6d7ab4e351761424" {
		t.Errorf("fingerprint(tokA) = %q; a record written before would no longer match", got)
	}
}

// TestUnknownUserErrorSays: --user naming no stored account says which
// accounts there are, or that there are none, in one zone or in all.
func TestUnknownUserErrorSays(t *testing.T) {
	for _, tt := range []struct {
		err  UnknownUserError
		want string
	}{
		{UnknownUserError{Asked: "zed@example.com"}, "no zone has an account stored for zed@example.com (no zone has any); run `maketoken login -z ZONE` with a token of zed@example.com"},
		{UnknownUserError{Asked: "zed@example.com", Known: []string{"ann@example.com"}}, "no zone has an account stored for zed@example.com; the stored accounts: ann@example.com"},
		{UnknownUserError{Zone: "eu1", Asked: "zed@example.com", Unidentified: errors.New("timeout")}, "zone eu1: no account is stored for zed@example.com: the zone's credential was stored by an older maketoken, and whose it is could not be asked of Make (timeout); try again, or run `maketoken login -z eu1` with a token of zed@example.com"},
		{UnknownUserError{Zone: "eu1", Asked: "zed@example.com"}, "zone eu1: no account is stored for zed@example.com (the zone has none); run `maketoken login -z eu1` with a token of zed@example.com"},
		{UnknownUserError{Zone: "eu1", Asked: "zed@example.com", Known: []string{"ann@example.com"}}, "zone eu1: no account is stored for zed@example.com; the zone's accounts: ann@example.com (or run `maketoken login -z eu1` with a token of zed@example.com)"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%+v:\n got %q\nwant %q", tt.err, got, tt.want)
		}
	}
}

// TestAccountsRecordUpdateThatCannotRead: a change of a record that cannot
// be read is an error, and the change is not made (it would write a
// record holding only this zone over every other account).
func TestAccountsRecordUpdateThatCannotRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "accounts.json")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	ran := false
	err := (&accountsRecord{path: path}).update(context.Background(), "eu1", func(*zoneAccounts) error { ran = true; return nil })
	if err == nil || ran {
		t.Errorf("update of a record that cannot be read: %v (change made: %v)", err, ran)
	}
}
