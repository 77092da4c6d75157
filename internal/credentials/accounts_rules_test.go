package credentials

import (
	"context"
	"os"
	"path/filepath"
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
