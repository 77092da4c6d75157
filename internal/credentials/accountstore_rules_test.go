package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAccountCredentialThatMustNotBeUsed: an account's stored credential
// is never handed out, not even empty, when it cannot be read or must not
// be sent: its store is not on this system, the store fails, it holds a
// control character, or it is not the token maketoken stored and Make
// cannot be asked whose it is. Each is an error; none is a credential
// without one.
func TestAccountCredentialThatMustNotBeUsed(t *testing.T) {
	ctx := context.Background()
	eu1 := zone("eu1")
	lookup := func(t *testing.T, s *Store) (Credential, error) {
		t.Helper()
		c, err := s.Lookup(ctx, eu1)
		if err == nil {
			t.Errorf("Lookup = %+v and no error", c)
		}
		return c, err
	}

	t.Run("a store this system does not have", func(t *testing.T) {
		as := newAccountStore(t, nil)
		as.login(t, eu1, ann, tokA, OSKeyring())
		recordStoreOf(t, as, "eu1", "nowhere")
		if _, err := lookup(t, as.Store); err == nil || !strings.Contains(err.Error(), "which this system does not have") {
			t.Errorf("store nowhere: %v", err)
		}
		if c, n, err := as.Where(ctx, eu1); n != 1 || !IsNotFound(err) || c.Token != "" {
			t.Errorf("Where, store nowhere: %+v, %d, %v", c, n, err)
		}
	})

	t.Run("the store fails", func(t *testing.T) {
		as := newAccountStore(t, nil)
		as.login(t, eu1, ann, tokA, OSKeyring())
		o := as.opts
		o.Keyring = brokenKeyring{}
		_, err := lookup(t, NewStore(o))
		var ke *KeyringError
		if !errors.As(err, &ke) || !errors.Is(err, errBroken) {
			t.Errorf("a keyring that cannot be used: %v", err)
		}
	})

	t.Run("a control character", func(t *testing.T) {
		as := newAccountStore(t, nil)
		as.login(t, eu1, ann, tokA, OSKeyring())
		if err := as.keyring.Set(Service, entryKey("eu1", ann.ID), tokA+"\x1b[2J"); err != nil {
			t.Fatal(err)
		}
		_, err := lookup(t, as.Store)
		var ie *InvalidError
		if !errors.As(err, &ie) || !MustNotSend(err) {
			t.Errorf("an escape in the credential: %v", err)
		}
		if n := as.who.calls.Load(); n != 0 {
			t.Errorf("Make was asked %d times about a credential that cannot be sent", n)
		}
	})

	t.Run("another token, Make cannot be asked here", func(t *testing.T) {
		as := newAccountStore(t, nil)
		as.login(t, eu1, ann, tokA, OSKeyring())
		if err := as.keyring.Set(Service, entryKey("eu1", ann.ID), tokC); err != nil {
			t.Fatal(err)
		}
		o := as.opts
		o.Identify = nil
		if _, err := lookup(t, NewStore(o)); err == nil || !strings.Contains(err.Error(), "is not the one maketoken stored, and whose it is cannot be asked of Make here") {
			t.Errorf("no Identify: %v", err)
		}
	})

	t.Run("another token, Make does not answer", func(t *testing.T) {
		as := newAccountStore(t, nil)
		as.login(t, eu1, ann, tokA, OSKeyring())
		if err := as.keyring.Set(Service, entryKey("eu1", ann.ID), tokC); err != nil {
			t.Fatal(err)
		}
		down := errors.New("connection refused")
		as.who.err = down
		if _, err := lookup(t, as.Store); !errors.Is(err, down) || !strings.Contains(err.Error(), "whose it is could not be asked of Make: ") {
			t.Errorf("Make down: %v", err)
		}
	})
}

// TestUpgradedCredentialIsNotAnotherUsers: --user naming someone else than
// the user the credential of the release before accounts belongs to is
// an unknown user (naming the one there is), never that credential.
func TestUpgradedCredentialIsNotAnotherUsers(t *testing.T) {
	as := newAccountStore(t, nil)
	eu1 := zone("eu1")
	if err := as.previousRelease().saveLegacy(context.Background(), eu1, tokA, OSKeyring()); err != nil {
		t.Fatal(err)
	}
	_, err := as.LookupUser(context.Background(), eu1, "bob@example.com")
	var uu *UnknownUserError
	if !errors.As(err, &uu) || len(uu.Known) != 1 || uu.Known[0] != ann.Email {
		t.Errorf("--user bob over ann's credential: %v", err)
	}
}

// TestNoUpgradeWithoutMake: where Make cannot be asked whose it is, the
// credential of the release before accounts is used as that release used
// it: no account, none recorded, and asked again next time.
func TestNoUpgradeWithoutMake(t *testing.T) {
	as := newAccountStore(t, nil)
	eu1 := zone("eu1")
	if err := as.previousRelease().saveLegacy(context.Background(), eu1, tokA, OSKeyring()); err != nil {
		t.Fatal(err)
	}
	o := as.opts
	o.Identify = nil
	st := NewStore(o)
	c, err := st.Lookup(context.Background(), eu1)
	if err != nil || c.Token != tokA || c.Account != nil {
		t.Errorf("Lookup = %+v, %v; want the old credential, no account", c, err)
	}
	if accts, err := st.Accounts(context.Background(), eu1); err != nil || len(accts) != 0 {
		t.Errorf("Accounts = %v, %v", accts, err)
	}
	if accts, _ := st.RecordedAccounts("eu1"); len(accts) != 0 {
		t.Errorf("recorded: %v", accts)
	}
}

// readOnlyKeyring reads, and refuses every change.
type readOnlyKeyring struct{ Keyring }

var errReadOnly = errors.New("the keyring refuses changes")

func (readOnlyKeyring) Set(string, string, string) error { return errReadOnly }
func (readOnlyKeyring) Delete(string, string) error      { return errReadOnly }

// TestUpgradeThatCannotWrite: an upgrade that cannot write the account's
// entry records no account (it would name an entry that holds nothing);
// the old credential is used as before.
func TestUpgradeThatCannotWrite(t *testing.T) {
	ctx := context.Background()
	as := newAccountStore(t, nil)
	eu1 := zone("eu1")
	if err := as.previousRelease().saveLegacy(ctx, eu1, tokA, OSKeyring()); err != nil {
		t.Fatal(err)
	}
	o := as.opts
	o.Keyring = readOnlyKeyring{as.keyring}
	st := NewStore(o)
	if c, err := st.Lookup(ctx, eu1); err != nil || c.Token != tokA || c.Account != nil {
		t.Errorf("Lookup = %+v, %v", c, err)
	}
	if accts, _ := st.RecordedAccounts("eu1"); len(accts) != 0 {
		t.Errorf("recorded an account whose entry was not written: %v", accts)
	}
}

// TestAccountsOfAZoneThatCannotBeRead: listing a zone's accounts, where
// the credential of the release before accounts would be upgraded first,
// is an error when that credential cannot be read, or must not be sent
// (its zone moved: Make is not asked about it at the new URL); a zone
// with no credential has no accounts.
func TestAccountsOfAZoneThatCannotBeRead(t *testing.T) {
	ctx := context.Background()
	eu1 := zone("eu1")

	as := newAccountStore(t, nil)
	if accts, err := as.Accounts(ctx, eu1); err != nil || len(accts) != 0 {
		t.Errorf("no credential: %v, %v", accts, err)
	}

	o := as.opts
	o.Keyring = brokenKeyring{}
	if accts, err := NewStore(o).Accounts(ctx, eu1); !errors.Is(err, errBroken) {
		t.Errorf("a keyring that cannot be used: %v, %v", accts, err)
	}

	if err := as.previousRelease().saveLegacy(ctx, eu1, tokA, OSKeyring()); err != nil {
		t.Fatal(err)
	}
	movedEU1 := moved(eu1, "https://elsewhere.example.com/api/v2")
	var oc *OriginChangedError
	if accts, err := as.Accounts(ctx, movedEU1); !errors.As(err, &oc) {
		t.Errorf("zone moved: %v, %v", accts, err)
	}
	if n := as.who.calls.Load(); n != 0 {
		t.Errorf("Make was asked %d times about a credential of a zone that moved", n)
	}
}

// TestRecordedAccount: the account a command will use, from the record
// alone: none for a variable's credential, for a store without a record
// of accounts, or a zone without accounts; the active one, or the one
// --user names; an unknown user, or a record that cannot be read, is an
// error.
func TestRecordedAccount(t *testing.T) {
	as := newAccountStore(t, nil)
	eu1 := zone("eu1")
	if a, err := as.RecordedAccount("eu1", ""); a != nil || err != nil {
		t.Errorf("no accounts: %+v, %v", a, err)
	}
	as.login(t, eu1, ann, tokA, OSKeyring())
	as.login(t, eu1, bob, tokB, OSKeyring())
	if a, err := as.RecordedAccount("eu1", ""); err != nil || a == nil || a.ID != bob.ID {
		t.Errorf("active: %+v, %v", a, err)
	}
	if a, err := as.RecordedAccount("eu1", " ann@example.com "); err != nil || a == nil || a.ID != ann.ID {
		t.Errorf("--user ann: %+v, %v", a, err)
	}
	if a, err := as.RecordedAccount("eu1", "zed@example.com"); a != nil || !errors.As(err, new(*UnknownUserError)) {
		t.Errorf("--user zed: %+v, %v", a, err)
	}

	withVar := newAccountStore(t, map[string]string{"MAKETOKEN_TOKEN_EU1": tokC})
	withVar.login(t, eu1, ann, tokA, OSKeyring())
	if a, err := withVar.RecordedAccount("eu1", ""); a != nil || err != nil {
		t.Errorf("a variable: %+v, %v", a, err)
	}
	if a, err := as.previousRelease().RecordedAccount("eu1", ""); a != nil || err != nil {
		t.Errorf("no record of accounts: %+v, %v", a, err)
	}

	if err := os.Remove(as.opts.Accounts); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(as.opts.Accounts, 0o700); err != nil {
		t.Fatal(err)
	}
	if a, err := as.RecordedAccount("eu1", ""); a != nil || err == nil {
		t.Errorf("a record that cannot be read: %+v, %v", a, err)
	}
}

// TestWhereCounts: what `zones` is told of a zone: where its credential
// comes from and how many stored accounts it has (a credential of the
// release before accounts counts as one, no credential as none), without
// asking Make; a record that cannot be read, a credential gone, one that
// cannot be read or must not be sent, is an error.
func TestWhereCounts(t *testing.T) {
	ctx := context.Background()
	eu1 := zone("eu1")

	as := newAccountStore(t, nil)
	if c, n, err := as.Where(ctx, eu1); n != 0 || !IsNotFound(err) || c.Token != "" {
		t.Errorf("nothing stored: %+v, %d, %v", c, n, err)
	}
	if err := as.previousRelease().saveLegacy(ctx, eu1, tokA, OSKeyring()); err != nil {
		t.Fatal(err)
	}
	if c, n, err := as.Where(ctx, eu1); n != 1 || err != nil || c.Token != tokA || c.Account != nil {
		t.Errorf("the release before accounts: %+v, %d, %v", c, n, err)
	}
	if n := as.who.calls.Load(); n != 0 {
		t.Errorf("Make asked %d times", n)
	}

	as = newAccountStore(t, nil)
	as.login(t, eu1, ann, tokA, OSKeyring())
	as.login(t, eu1, bob, tokB, KindFile)
	if c, n, err := as.Where(ctx, eu1); n != 2 || err != nil || c.Token != tokB || c.Store != KindFile || c.Account == nil || c.Account.ID != bob.ID {
		t.Errorf("two accounts: %+v, %d, %v", c, n, err)
	}
	withVar := NewStore(func() Options { o := as.opts; o.Getenv = env(map[string]string{"MAKETOKEN_TOKEN_EU1": tokC}); return o }())
	if c, n, err := withVar.Where(ctx, eu1); n != 2 || err != nil || c.Token != tokC || c.Source != SourceEnv {
		t.Errorf("a variable over two accounts: %+v, %d, %v", c, n, err)
	}
	if _, n, err := as.Where(ctx, moved(eu1, "https://elsewhere.example.com/api/v2")); n != 2 || !errors.As(err, new(*OriginChangedError)) {
		t.Errorf("zone moved: %d, %v", n, err)
	}
	if err := as.keyring.Set(Service, entryKey("eu1", ann.ID), "x\x1b"); err != nil {
		t.Fatal(err)
	}
	if _, err := as.Switch(ctx, eu1, "ann@example.com"); err != nil {
		t.Fatal(err)
	}
	if c, n, err := as.Where(ctx, eu1); n != 2 || !errors.As(err, new(*InvalidError)) || c.Account == nil {
		t.Errorf("an escape in ann's credential: %+v, %d, %v", c, n, err)
	}
	if err := as.keyring.Delete(Service, entryKey("eu1", ann.ID)); err != nil {
		t.Fatal(err)
	}
	if _, n, err := as.Where(ctx, eu1); n != 2 || !IsNotFound(err) {
		t.Errorf("ann's credential gone: %d, %v", n, err)
	}
	broken := NewStore(func() Options { o := as.opts; o.Keyring = brokenKeyring{}; return o }())
	if _, n, err := broken.Where(ctx, eu1); n != 2 || !errors.Is(err, errBroken) {
		t.Errorf("a keyring that cannot be used: %d, %v", n, err)
	}

	if err := os.Remove(as.opts.Accounts); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(as.opts.Accounts, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, n, err := as.Where(ctx, eu1); n != 0 || err == nil {
		t.Errorf("a record that cannot be read: %d, %v", n, err)
	}
}

// TestLoginThatCannotStore: a login into a store this system does not
// have, or (without a record of accounts) into one that refuses the
// write, is an error: never "logged in" with nothing stored.
func TestLoginThatCannotStore(t *testing.T) {
	ctx := context.Background()
	eu1 := zone("eu1")
	as := newAccountStore(t, nil)
	if s, err := as.Login(ctx, eu1, ann, tokA, Kind("nowhere")); err == nil || !strings.Contains(err.Error(), `cannot store a credential in "nowhere"`) {
		t.Errorf("store nowhere: %+v, %v", s, err)
	}
	o := as.opts
	o.Accounts, o.Keyring = "", brokenKeyring{}
	if s, err := NewStore(o).Login(ctx, eu1, ann, tokA, OSKeyring()); !errors.Is(err, errBroken) {
		t.Errorf("no record of accounts, a keyring that cannot be used: %+v, %v", s, err)
	}
	if accts, err := as.previousRelease().RecordedAccounts("eu1"); accts != nil || err != nil {
		t.Errorf("RecordedAccounts without a record of accounts: %v, %v", accts, err)
	}
}

// recordStoreOf edits the record of accounts, as a hand or another
// system's maketoken might: the zone's first account's store is kind.
func recordStoreOf(t *testing.T, as *accountStore, zone string, kind Kind) {
	t.Helper()
	data, err := os.ReadFile(as.opts.Accounts)
	if err != nil {
		t.Fatal(err)
	}
	var f accountsFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	f.Zones[zone].Accounts[0].Store = kind
	if data, err = json.Marshal(f); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(as.opts.Accounts, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestLoginThatCannotRemoveTheOldCopy: an account's credential moved to
// another store whose old copy cannot be removed (a credentials file too
// large to be read) is an error that says so: two copies are not one
// login.
func TestLoginThatCannotRemoveTheOldCopy(t *testing.T) {
	ctx := context.Background()
	as := newAccountStore(t, nil)
	as.login(t, zone("eu1"), ann, tokA, KindFile)
	f, err := os.OpenFile(as.opts.File, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString("#" + strings.Repeat("x", 1<<20) + "\n")
	if cerr := f.Close(); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	_, err = as.Login(ctx, zone("eu1"), ann, tokB, OSKeyring())
	if err == nil || !strings.HasPrefix(err.Error(), "zone eu1: stored in the OS keyring, but could not remove the old copy from the credentials file: ") {
		t.Errorf("login: %v", err)
	}
}

// TestLoginOverAnOldCredential: a login over the credential of the
// release before accounts that is no token (a space inside) replaces it,
// as its error says to (the old entry stays as it was); over one that
// cannot be read (a credentials file too large) it stores nothing, so that
// it is not lost.
func TestLoginOverAnOldCredential(t *testing.T) {
	ctx := context.Background()
	eu1 := zone("eu1")
	as := newAccountStore(t, nil)
	if err := as.keyring.Set(Service, "eu1", "a broken token"); err != nil {
		t.Fatal(err)
	}
	if _, err := as.Login(ctx, eu1, ann, tokA, OSKeyring()); err != nil {
		t.Fatalf("login over a malformed credential: %v", err)
	}
	if c, err := as.Lookup(ctx, eu1); err != nil || c.Token != tokA {
		t.Errorf("after the login: %+v, %v", c, err)
	}
	if old, _ := as.keyring.Get(Service, "eu1"); old != "a broken token" {
		t.Errorf("the old entry now holds %q", old)
	}

	as = newAccountStore(t, nil)
	if err := os.MkdirAll(filepath.Dir(as.opts.File), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(as.opts.File, []byte("#"+strings.Repeat("x", 1<<20)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := as.Login(ctx, eu1, ann, tokA, OSKeyring())
	if err == nil || !strings.HasPrefix(err.Error(), "reading the credentials file: ") {
		t.Errorf("login over a credentials file that cannot be read: %v", err)
	}
	if got := entries(as.keyring); len(got) != 0 {
		t.Errorf("stored all the same: %v", got)
	}
}

// TestSaveForThatFails: a rotation's save (SaveFor) that does not store
// the new token is an error, whatever the store and whichever way the
// credential came, so that the old token is never revoked on the strength
// of a save that did not happen; a reread that cannot read is an error
// too.
func TestSaveForThatFails(t *testing.T) {
	ctx := context.Background()
	eu1 := zone("eu1")
	lookedUp := func(t *testing.T, as *accountStore) Credential {
		t.Helper()
		c, err := as.Lookup(ctx, eu1)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	t.Run("the keyring refuses", func(t *testing.T) {
		as := newAccountStore(t, nil)
		as.login(t, eu1, ann, tokA, OSKeyring())
		c := lookedUp(t, as)
		o := as.opts
		o.Keyring = readOnlyKeyring{as.keyring}
		if err := NewStore(o).SaveFor(ctx, eu1, c, tokC); !errors.Is(err, errReadOnly) {
			t.Errorf("SaveFor: %v", err)
		}
		o.Keyring = brokenKeyring{}
		if tok, err := NewStore(o).Reread(ctx, eu1, c); !errors.Is(err, errBroken) {
			t.Errorf("Reread = %q, %v", tok, err)
		}
	})

	t.Run("a store this system does not have", func(t *testing.T) {
		as := newAccountStore(t, nil)
		as.login(t, eu1, ann, tokA, OSKeyring())
		c := lookedUp(t, as)
		c.Account.Store = "nowhere"
		if err := as.SaveFor(ctx, eu1, c, tokC); err == nil || !strings.Contains(err.Error(), `cannot store a credential in "nowhere"`) {
			t.Errorf("SaveFor: %v", err)
		}
		if tok, err := as.Reread(ctx, eu1, c); err == nil || tok != "" {
			t.Errorf("Reread = %q, %v", tok, err)
		}
	})

	t.Run("the release before accounts", func(t *testing.T) {
		as := newAccountStore(t, nil)
		old := as.previousRelease()
		if err := old.saveLegacy(ctx, eu1, tokA, OSKeyring()); err != nil {
			t.Fatal(err)
		}
		c, err := old.Lookup(ctx, eu1)
		if err != nil {
			t.Fatal(err)
		}
		o := as.opts
		o.Accounts, o.Identify, o.Keyring = "", nil, brokenKeyring{}
		if err := NewStore(o).SaveFor(ctx, eu1, c, tokC); !errors.Is(err, errBroken) {
			t.Errorf("SaveFor: %v", err)
		}
		if tok, err := NewStore(o).Reread(ctx, eu1, c); !errors.Is(err, errBroken) {
			t.Errorf("Reread = %q, %v", tok, err)
		}
	})
}

// TestSaveForAnAccountLoggedOutMeanwhile: a rotation's new token saved for
// an account logged out while it was made is recorded again (it is the
// only copy), as maketoken's own: read without asking Make, and with no
// trace of a refusal; the zone's other accounts are left as they were.
func TestSaveForAnAccountLoggedOutMeanwhile(t *testing.T) {
	ctx := context.Background()
	eu1 := zone("eu1")
	as := newAccountStore(t, nil)
	as.login(t, eu1, bob, tokB, OSKeyring())
	as.login(t, eu1, ann, tokA, OSKeyring())
	// ann's entry held bob's token once: refused, recorded so.
	if err := as.keyring.Set(Service, entryKey("eu1", ann.ID), tokB); err != nil {
		t.Fatal(err)
	}
	if _, err := as.Lookup(ctx, eu1); !errors.As(err, new(*UserChangedError)) {
		t.Fatalf("bob's token in ann's entry: %v", err)
	}
	if err := as.keyring.Set(Service, entryKey("eu1", ann.ID), tokA); err != nil {
		t.Fatal(err)
	}
	c := Credential{Zone: "eu1", Token: tokA, Source: SourceKeyring, Store: OSKeyring(),
		Account: &Account{Zone: "eu1", User: ann, Store: OSKeyring(), Origin: Origin(eu1.URL), entry: entryKey("eu1", ann.ID)}}
	if err := as.SaveFor(ctx, eu1, c, tokC); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(as.opts.Accounts)
	if strings.Contains(string(data), "refused") {
		t.Errorf("the record keeps a refusal: %s", data)
	}
	if _, err := as.Delete(ctx, eu1, "ann@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := as.SaveFor(ctx, eu1, c, tokC); err != nil {
		t.Fatal(err)
	}
	calls := as.who.calls.Load()
	for who, want := range map[string]string{"ann@example.com": tokC, "bob@example.com": tokB} {
		if got := as.lookup(t, eu1, who); got.Token != want {
			t.Errorf("%s: %q", who, got.Token)
		}
	}
	if n := as.who.calls.Load() - calls; n != 0 {
		t.Errorf("Make asked %d times about tokens maketoken stored", n)
	}
}

// TestLogoutOfAUserOfTheReleaseBeforeAccounts: logout --user of a zone
// that holds the one credential of the release before accounts makes it
// an account first, and forgets it if it is that user's.
func TestLogoutOfAUserOfTheReleaseBeforeAccounts(t *testing.T) {
	ctx := context.Background()
	eu1 := zone("eu1")
	as := newAccountStore(t, nil)
	if err := as.previousRelease().saveLegacy(ctx, eu1, tokA, OSKeyring()); err != nil {
		t.Fatal(err)
	}
	r, err := as.Delete(ctx, eu1, "ann@example.com")
	if err != nil || r.Account == nil || r.Account.ID != ann.ID {
		t.Fatalf("logout --user ann: %+v, %v", r, err)
	}
	if got := entries(as.keyring); len(got) != 0 {
		t.Errorf("left in the keyring: %v", got)
	}
}

// TestLogoutThatCannotRemove: logout is claimed only when the credential
// is gone. A store that fails, or the one store that held it not
// answering, is an error, and the account stays recorded (its credential
// may still be there); a keyring that is not there beside the file that
// held it is no failure. --user naming no account, or a zone whose old
// credential cannot be read, is an error, never "logged out".
func TestLogoutThatCannotRemove(t *testing.T) {
	ctx := context.Background()
	eu1 := zone("eu1")
	recorded := func(t *testing.T, as *accountStore) int {
		t.Helper()
		accts, err := as.RecordedAccounts("eu1")
		if err != nil {
			t.Fatal(err)
		}
		return len(accts)
	}

	t.Run("the file cannot be read", func(t *testing.T) {
		as := newAccountStore(t, nil)
		as.login(t, eu1, ann, tokA, KindFile)
		f, err := os.OpenFile(as.opts.File, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.WriteString("#" + strings.Repeat("x", 1<<20) + "\n")
		if cerr := f.Close(); err != nil || cerr != nil {
			t.Fatal(err, cerr)
		}
		if r, err := as.Delete(ctx, eu1, ""); err == nil || !strings.Contains(err.Error(), "reading the credentials file") {
			t.Errorf("logout: %+v, %v", r, err)
		}
		if n := recorded(t, as); n != 1 {
			t.Errorf("%d accounts recorded; want the account kept", n)
		}
	})

	t.Run("the one store that held it does not answer", func(t *testing.T) {
		as := newAccountStore(t, nil)
		as.login(t, eu1, ann, tokA, OSKeyring())
		o := as.opts
		o.Keyring = brokenKeyring{}
		st := NewStore(o)
		var ke *KeyringError
		if r, err := st.Delete(ctx, eu1, ""); !errors.As(err, &ke) || len(r.From) != 0 {
			t.Errorf("logout: %+v, %v", r, err)
		}
		if n := recorded(t, as); n != 1 {
			t.Errorf("%d accounts recorded; want the account kept", n)
		}
	})

	t.Run("a keyring that is not there beside the file", func(t *testing.T) {
		as := newAccountStore(t, nil)
		as.login(t, eu1, ann, tokA, KindFile)
		o := as.opts
		o.Keyring = brokenKeyring{}
		if r, err := NewStore(o).Delete(ctx, eu1, ""); err != nil || !slices.Equal(r.From, []Kind{KindFile}) {
			t.Errorf("logout: %+v, %v", r, err)
		}
		if n := recorded(t, as); n != 0 {
			t.Errorf("%d accounts still recorded", n)
		}
	})

	t.Run("--user naming no account", func(t *testing.T) {
		as := newAccountStore(t, nil)
		if _, err := as.Delete(ctx, eu1, "zed@example.com"); !errors.As(err, new(*UnknownUserError)) {
			t.Errorf("no accounts: %v", err)
		}
		as.login(t, eu1, ann, tokA, OSKeyring())
		if _, err := as.Delete(ctx, eu1, "zed@example.com"); !errors.As(err, new(*UnknownUserError)) {
			t.Errorf("ann only: %v", err)
		}
		if n := recorded(t, as); n != 1 {
			t.Errorf("%d accounts recorded", n)
		}
	})

	t.Run("a record of accounts that cannot be read", func(t *testing.T) {
		as := newAccountStore(t, nil)
		if err := os.MkdirAll(as.opts.Accounts, 0o700); err != nil { // a folder in its place
			t.Fatal(err)
		}
		if r, err := as.Delete(ctx, eu1, ""); err == nil {
			t.Errorf("logout: %+v and no error", r)
		}
	})

	t.Run("--user, an old credential that cannot be read", func(t *testing.T) {
		as := newAccountStore(t, nil)
		o := as.opts
		o.Keyring = brokenKeyring{}
		if _, err := NewStore(o).Delete(ctx, eu1, "ann@example.com"); !errors.Is(err, errBroken) {
			t.Errorf("logout --user: %v", err)
		}
	})
}

// TestForgetTheCredentialsAccount: Forget (after a revoke) forgets the
// account the credential belongs to, not the zone's active one; a
// credential of the release before accounts is forgotten as that
// release's.
func TestForgetTheCredentialsAccount(t *testing.T) {
	ctx := context.Background()
	eu1 := zone("eu1")
	as := newAccountStore(t, nil)
	as.login(t, eu1, ann, tokA, OSKeyring())
	c := as.lookup(t, eu1, "")
	as.login(t, eu1, bob, tokB, OSKeyring())
	r, err := as.Forget(ctx, eu1, c)
	if err != nil || r.Account == nil || r.Account.ID != ann.ID {
		t.Fatalf("Forget ann's: %+v, %v", r, err)
	}
	if got := as.lookup(t, eu1, ""); got.Token != tokB {
		t.Errorf("bob's account after forgetting ann's: %+v", got)
	}
	if got := entries(as.keyring); !slices.Equal(got, []string{"maketoken/" + entryKey("eu1", bob.ID)}) {
		t.Errorf("keyring: %v", got)
	}

	old := newAccountStore(t, nil).previousRelease()
	if err := old.saveLegacy(ctx, eu1, tokA, OSKeyring()); err != nil {
		t.Fatal(err)
	}
	c, err = old.Lookup(ctx, eu1)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := old.Forget(ctx, eu1, c); err != nil || !slices.Equal(r.From, []Kind{OSKeyring()}) {
		t.Errorf("Forget of the release before accounts: %+v, %v", r, err)
	}
	if _, err := old.Lookup(ctx, eu1); !IsNotFound(err) {
		t.Errorf("after Forget: %v", err)
	}
}

// TestSwitchWithoutAccounts: switch in a zone without accounts says there
// is none; one whose credential cannot be read is that error.
func TestSwitchWithoutAccounts(t *testing.T) {
	ctx := context.Background()
	as := newAccountStore(t, nil)
	if _, err := as.Switch(ctx, zone("eu1"), ""); !IsNotFound(err) {
		t.Errorf("no accounts: %v", err)
	}
	o := as.opts
	o.Keyring = brokenKeyring{}
	if _, err := NewStore(o).Switch(ctx, zone("eu1"), ""); !errors.Is(err, errBroken) {
		t.Errorf("a keyring that cannot be used: %v", err)
	}
}

// failingDelete is a keyring whose Delete of one entry fails.
type failingDelete struct {
	*mapKeyring
	entry string
}

func (k failingDelete) Delete(s, a string) error {
	if a == k.entry {
		return errors.New("the keyring is locked")
	}
	return k.mapKeyring.Delete(s, a)
}

// TestLogoutOfAnUpgradedAccountWarns: logout of an account made from the
// credential of the release before accounts warns when that old entry
// could not be removed (the account's own is gone).
func TestLogoutOfAnUpgradedAccountWarns(t *testing.T) {
	ctx := context.Background()
	eu1 := zone("eu1")
	as := newAccountStore(t, nil)
	if err := as.previousRelease().saveLegacy(ctx, eu1, tokA, OSKeyring()); err != nil {
		t.Fatal(err)
	}
	as.lookup(t, eu1, "") // the upgrade
	o := as.opts
	o.Keyring = failingDelete{as.keyring, "eu1"}
	var warned []string
	o.Warn = func(w string) { warned = append(warned, w) }
	if _, err := NewStore(o).Delete(ctx, eu1, ""); err != nil {
		t.Fatal(err)
	}
	if len(warned) != 1 || !strings.HasPrefix(warned[0], "zone eu1: the credential an older maketoken stored for the zone could not be removed: ") {
		t.Errorf("warned %q", warned)
	}
}

// TestChooseErrorSays: switch without --user says why it cannot choose:
// one account (none to switch to) or more than two (which?).
func TestChooseErrorSays(t *testing.T) {
	one := (&ChooseError{Zone: "eu1", Accounts: []Account{{User: ann}}}).Error()
	if one != "zone eu1 has one account (ann@example.com): there is none to switch to; add one with `maketoken login -z eu1`" {
		t.Errorf("one: %q", one)
	}
	three := (&ChooseError{Zone: "eu1", Accounts: []Account{{User: ann}, {User: bob}, {User: carol}}}).Error()
	if three != "zone eu1 has 3 accounts (ann@example.com, bob@example.com, carol@example.com): say which with --user EMAIL" {
		t.Errorf("three: %q", three)
	}
}

// TestUpgradeAfterAnotherMaketoken: an upgrade that finds the zone given
// an account meanwhile (another maketoken upgraded it, or logged someone
// in) leaves the record as it found it and uses that account.
func TestUpgradeAfterAnotherMaketoken(t *testing.T) {
	ctx := context.Background()
	eu1 := zone("eu1")
	as := newAccountStore(t, nil)
	as.login(t, eu1, bob, tokB, OSKeyring()) // meanwhile
	if err := as.previousRelease().saveLegacy(ctx, eu1, tokA, OSKeyring()); err != nil {
		t.Fatal(err)
	}
	old, err := as.previousRelease().Lookup(ctx, eu1)
	if err != nil {
		t.Fatal(err)
	}
	a, err := as.upgrade(ctx, eu1, old)
	if err != nil || a.ID != bob.ID {
		t.Errorf("upgrade = %+v, %v; want bob's account, found there", a, err)
	}
	accts, err := as.RecordedAccounts("eu1")
	if err != nil || len(accts) != 1 || accts[0].ID != bob.ID {
		t.Errorf("recorded: %v, %v", whos(accts), err)
	}
}
