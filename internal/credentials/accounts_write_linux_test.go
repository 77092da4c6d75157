package credentials

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestLoginWhoseAccountCannotBeRecorded: a login whose record of accounts
// cannot be written (the file system refuses a write past 64 bytes, as a
// full disk would; the lock file's process id still fits) is an error,
// and the credential it stored under a new account's entry, which
// nothing would find again, is removed.
func TestLoginWhoseAccountCannotBeRecorded(t *testing.T) {
	as := newAccountStore(t, nil)
	var err error
	refusingWritesPast(t, 64, func() { _, err = as.Login(context.Background(), zone("eu1"), ann, tokA, OSKeyring()) })
	if err == nil || !strings.Contains(err.Error(), "zone eu1: stored in the OS keyring, but could not record the account: ") {
		t.Errorf("login: %v", err)
	}
	if left := entries(as.keyring); len(left) != 0 {
		t.Errorf("entries left in the keyring: %v", left)
	}
}

// TestAccountsRecordOnDisk: the record says its version (1); a zone whose
// last account logged out is gone from it, user id and all; an update of
// a record whose active id names no account (edited by hand) makes the
// first account active.
func TestAccountsRecordOnDisk(t *testing.T) {
	ctx := context.Background()
	as := newAccountStore(t, nil)
	as.login(t, zone("eu1"), ann, tokA, OSKeyring())
	as.login(t, zone("us1"), bob, tokB, OSKeyring())
	read := func() accountsFile {
		t.Helper()
		data, err := os.ReadFile(as.opts.Accounts)
		if err != nil {
			t.Fatal(err)
		}
		var f accountsFile
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	if f := read(); f.Version != 1 {
		t.Errorf("version %d", f.Version)
	}
	if _, err := as.Delete(ctx, zone("us1"), ""); err != nil {
		t.Fatal(err)
	}
	if f := read(); f.Zones["us1"] != nil {
		t.Errorf("us1 is still in the record: %+v", *f.Zones["us1"])
	}

	rec := &accountsRecord{path: as.opts.Accounts}
	if err := rec.update(ctx, "eu1", func(z *zoneAccounts) error {
		z.Accounts = append(z.Accounts, accountRecord{ID: carol.ID, Entry: entryKey("eu1", carol.ID), Store: OSKeyring()})
		z.Active = 999
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if z := read().Zones["eu1"]; z == nil || z.Active != ann.ID {
		t.Errorf("active after an update that named no account: %+v", z)
	}
}
