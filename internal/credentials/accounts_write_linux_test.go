package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/maketoken/maketoken/internal/testkit"
)

// TestLoginWhoseAccountCannotBeRecorded: a login whose record of accounts
// cannot be written (the file system refuses a write past 64 bytes, as a
// full disk would; the lock file's process id still fits) is an error,
// and the credential it stored under a new account's entry, which
// nothing would find again, is removed.
func TestLoginWhoseAccountCannotBeRecorded(t *testing.T) {
	if !testkit.OwnProcess(t) {
		return
	}
	as := newAccountStore(t, nil)
	var err error
	testkit.RefusingWritesPast(t, 64, func() { _, err = as.Login(context.Background(), zone("eu1"), ann, tokA, OSKeyring()) })
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

// TestTheAccountsOwnTokenBack: an entry that held another user's token
// (refused) and holds one of the account's own again is used, Make asked
// once, and the record keeps no trace of the refusal; a record that
// cannot then be written is warned of, and the credential still used.
func TestTheAccountsOwnTokenBack(t *testing.T) {
	if !testkit.OwnProcess(t) {
		return
	}
	ctx := context.Background()
	eu1 := zone("eu1")
	for _, full := range []bool{false, true} {
		as := newAccountStore(t, nil)
		as.login(t, eu1, ann, tokA, OSKeyring())
		entry := entryKey("eu1", ann.ID)
		if err := as.keyring.Set(Service, entry, tokB); err != nil { // bob's
			t.Fatal(err)
		}
		if _, err := as.Lookup(ctx, eu1); !errors.As(err, new(*UserChangedError)) {
			t.Fatalf("bob's token in ann's entry: %v", err)
		}
		if err := as.keyring.Set(Service, entry, tokC); err != nil { // ann's other token
			t.Fatal(err)
		}
		var (
			c   Credential
			err error
		)
		if full {
			testkit.RefusingWritesPast(t, 64, func() { c, err = as.Lookup(ctx, eu1) })
		} else {
			c, err = as.Lookup(ctx, eu1)
		}
		if err != nil || c.Token != tokC {
			t.Fatalf("ann's own token back (record full %v): %+v, %v", full, c, err)
		}
		data, _ := os.ReadFile(as.opts.Accounts)
		switch {
		case full && (len(as.warned) != 1 || !strings.HasPrefix(as.warned[0], "zone eu1: could not update the record of accounts: ")):
			t.Errorf("a record that cannot be written: warned %q", as.warned)
		case !full && strings.Contains(string(data), "refused"):
			t.Errorf("the record keeps the refusal: %s", data)
		}
	}
}

// TestLoginToAFileThatCannotBeWritten: a login whose credentials file
// refuses the write (past 16 bytes, as a full disk; the lock's process id
// fits) is an error naming the file, and records no account.
func TestLoginToAFileThatCannotBeWritten(t *testing.T) {
	if !testkit.OwnProcess(t) {
		return
	}
	as := newAccountStore(t, nil)
	var err error
	testkit.RefusingWritesPast(t, 16, func() { _, err = as.Login(context.Background(), zone("eu1"), ann, tokA, KindFile) })
	if err == nil || !strings.HasPrefix(err.Error(), "zone eu1: writing the credentials file: ") {
		t.Errorf("login: %v", err)
	}
	if accts, err := as.RecordedAccounts("eu1"); err != nil || len(accts) != 0 {
		t.Errorf("recorded after a failed write: %v, %v", accts, err)
	}
}

// TestSaveForThatCannotWrite: a rotation's save whose credentials file,
// or whose record of accounts, refuses the write is an error (the file's
// names the file).
func TestSaveForThatCannotWrite(t *testing.T) {
	if !testkit.OwnProcess(t) {
		return
	}
	ctx := context.Background()
	eu1 := zone("eu1")
	for _, where := range []Kind{KindFile, OSKeyring()} {
		as := newAccountStore(t, nil)
		as.login(t, eu1, ann, tokA, where)
		c, err := as.Lookup(ctx, eu1)
		if err != nil {
			t.Fatal(err)
		}
		testkit.RefusingWritesPast(t, 16, func() { err = as.SaveFor(ctx, eu1, c, tokC) })
		switch {
		case err == nil:
			t.Errorf("%s: SaveFor that could not write: no error", where)
		case where == KindFile && !strings.HasPrefix(err.Error(), "zone eu1: writing the credentials file: "):
			t.Errorf("%s: %v", where, err)
		}
	}
}

// TestLogoutWhoseRecordCannotBeWritten: a logout that removed the
// credential but cannot update the record of accounts says both.
func TestLogoutWhoseRecordCannotBeWritten(t *testing.T) {
	if !testkit.OwnProcess(t) {
		return
	}
	as := newAccountStore(t, nil)
	as.login(t, zone("eu1"), ann, tokA, OSKeyring())
	var err error
	testkit.RefusingWritesPast(t, 16, func() { _, err = as.Delete(context.Background(), zone("eu1"), "") })
	if err == nil || !strings.HasPrefix(err.Error(), "zone eu1: the credential of ann@example.com was removed, but the record of accounts could not be updated: ") {
		t.Errorf("logout: %v", err)
	}
	if left := entries(as.keyring); len(left) != 0 {
		t.Errorf("left in the keyring: %v", left)
	}
}
