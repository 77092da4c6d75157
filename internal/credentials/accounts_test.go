package credentials

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/zones"
)

var (
	ann   = User{ID: 1001, Email: "ann@example.com", Name: "Ann"}
	bob   = User{ID: 11001, Email: "bob@example.com", Name: "Bob"}
	carol = User{ID: 21001, Email: "carol@example.com", Name: "Carol"}
)

const tokD = "44444444-5555-4666-8777-888888888888"

// whoami is Make's GET /users/me for the tests: which user each token
// belongs to, and how often it was asked.
type whoami struct {
	mu     sync.Mutex
	owners map[string]User
	err    error // every call fails with it
	calls  atomic.Int64
}

func (w *whoami) identify(_ context.Context, _ zones.Zone, token string) (User, error) {
	w.calls.Add(1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return User{}, w.err
	}
	u, ok := w.owners[token]
	if !ok {
		return User{}, fmt.Errorf("401: %w", ErrRejected)
	}
	return u, nil
}

// accountStore is a Store with a record of accounts, over an in-memory OS
// keyring and kernel keyring, a credentials file and both records in a
// temporary folder.
type accountStore struct {
	*Store
	opts    Options
	keyring *mapKeyring
	kernel  *mapKeyring
	who     *whoami
	warned  []string
}

func newAccountStore(t *testing.T, vars map[string]string) *accountStore {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "maketoken")
	as := &accountStore{keyring: &mapKeyring{}, kernel: &mapKeyring{},
		who: &whoami{owners: map[string]User{tokA: ann, tokB: bob, tokC: ann, tokD: carol}}}
	as.opts = Options{
		Keyring: as.keyring, KernelKeyring: as.kernel, KeyringTimeout: time.Second,
		File:     filepath.Join(dir, "credentials.yaml"),
		Record:   filepath.Join(dir, "credential-hosts.json"),
		Accounts: filepath.Join(dir, "accounts.json"),
		Getenv:   env(vars),
		Identify: as.who.identify,
		Warn:     func(w string) { as.warned = append(as.warned, w) },
	}
	as.Store = NewStore(as.opts)
	return as
}

// previousRelease is the store of the release before accounts, over the
// same keyrings and files: no record of accounts.
func (as *accountStore) previousRelease() *Store {
	o := as.opts
	o.Accounts, o.Identify = "", nil
	return NewStore(o)
}

// entries are the keyring's keys, sorted.
func entries(k *mapKeyring) []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for key := range k.m {
		out = append(out, key)
	}
	slices.Sort(out)
	return out
}

// annOnEU1 is an account store in which ann has logged in to zone eu1,
// her token in the OS keyring.
func annOnEU1(t *testing.T) (*accountStore, zones.Zone) {
	t.Helper()
	as := newAccountStore(t, nil)
	eu1 := zone("eu1")
	as.login(t, eu1, ann, tokA, OSKeyring())
	return as, eu1
}

func (as *accountStore) login(t *testing.T, zone zones.Zone, u User, token string, where Kind) Saved {
	t.Helper()
	s, err := as.Login(context.Background(), zone, u, token, where)
	if err != nil {
		t.Fatalf("login %s: %v", u.Email, err)
	}
	return s
}

func (as *accountStore) lookup(t *testing.T, zone zones.Zone, who string) Credential {
	t.Helper()
	c, err := as.LookupUser(context.Background(), zone, who)
	if err != nil {
		t.Fatalf("lookup %q: %v", who, err)
	}
	return c
}

func whos(accts []Account) []string {
	var out []string
	for _, a := range accts {
		w := a.Who()
		if a.Active {
			w += "*"
		}
		out = append(out, w)
	}
	return out
}

// TestAccountsOfAZone: login adds a user or replaces a stored user's
// credential, and makes that account active; --user picks another; switch
// toggles between two and needs a choice among more; deleting the active
// account makes the next one active.
func TestAccountsOfAZone(t *testing.T) {
	ctx := context.Background()
	as := newAccountStore(t, nil)
	eu1 := zone("eu1")

	s := as.login(t, eu1, ann, tokA, OSKeyring())
	if s.Replaced || s.Previous != nil || !s.Account.Active {
		t.Errorf("first login: %+v", s)
	}
	s = as.login(t, eu1, bob, tokB, OSKeyring())
	if s.Replaced || s.Previous == nil || s.Previous.Email != ann.Email || s.Account.Email != bob.Email {
		t.Errorf("second user: %+v", s)
	}
	if got := entries(as.keyring); !slices.Equal(got, []string{"maketoken/eu1/1001", "maketoken/eu1/11001"}) {
		t.Errorf("keyring entries: %v (never the zone's name alone, which the release before accounts uses)", got)
	}
	if c := as.lookup(t, eu1, ""); c.Token != tokB || c.Account == nil || c.Account.ID != bob.ID {
		t.Errorf("the active account is bob's: %+v", c)
	}
	for _, who := range []string{"ann@example.com", "ANN@Example.com", " ann@example.com ", "1001"} {
		if c := as.lookup(t, eu1, who); c.Token != tokA {
			t.Errorf("--user %q: %s", who, c.Token)
		}
	}
	_, err := as.LookupUser(ctx, eu1, "dan@example.com")
	var unknown *UnknownUserError
	if !errors.As(err, &unknown) || !slices.Equal(unknown.Known, []string{"ann@example.com", "bob@example.com"}) {
		t.Fatalf("unknown user: %v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "ann@example.com, bob@example.com") || !strings.Contains(msg, "dan@example.com") {
		t.Errorf("message: %s", msg)
	}
	if _, err := as.LookupUser(ctx, zone("us1"), "ann@example.com"); !errors.As(err, &unknown) || len(unknown.Known) != 0 {
		t.Errorf("--user in a zone without accounts: %v", err)
	}

	// Ann again, with a new token: replaced, active again.
	s = as.login(t, eu1, ann, tokC, OSKeyring())
	if !s.Replaced || s.Old != tokA || s.Previous == nil || s.Previous.Email != bob.Email {
		t.Errorf("replacing ann's: %+v", s)
	}
	accts, _ := as.Accounts(ctx, eu1)
	if got := whos(accts); !slices.Equal(got, []string{"ann@example.com*", "bob@example.com"}) {
		t.Errorf("accounts: %v", got)
	}
	if c := as.lookup(t, eu1, ""); c.Token != tokC {
		t.Errorf("active after replacing: %s", c.Token)
	}

	// switch with two toggles.
	to, err := as.Switch(ctx, eu1, "")
	if err != nil || to.Email != bob.Email || !to.Active {
		t.Fatalf("switch: %+v, %v", to, err)
	}
	if c := as.lookup(t, eu1, ""); c.Token != tokB {
		t.Errorf("after switch: %s", c.Token)
	}
	if to, err := as.Switch(ctx, eu1, ""); err != nil || to.Email != ann.Email {
		t.Errorf("switch back: %+v, %v", to, err)
	}

	// A third: switch needs a choice.
	as.login(t, eu1, carol, tokD, KindFile)
	var choose *ChooseError
	if _, err := as.Switch(ctx, eu1, ""); !errors.As(err, &choose) || len(choose.Accounts) != 3 {
		t.Fatalf("switch among three: %v", err)
	}
	if to, err := as.Switch(ctx, eu1, "bob@example.com"); err != nil || to.Email != bob.Email {
		t.Errorf("switch --user bob: %+v, %v", to, err)
	}
	if _, err := as.Switch(ctx, eu1, "dan@example.com"); !errors.As(err, &unknown) {
		t.Errorf("switch to an unknown user: %v", err)
	}
	if c := as.lookup(t, eu1, "carol@example.com"); c.Source != SourceFile || c.Store != KindFile {
		t.Errorf("carol's credential is in the file: %+v", c)
	}

	// Delete the other (not active) account: the active one stays.
	r, err := as.Delete(ctx, eu1, "ann@example.com")
	if err != nil || r.Account.Email != ann.Email || r.Active != nil || !slices.Equal(r.From, []Kind{OSKeyring()}) {
		t.Fatalf("delete ann: %+v, %v", r, err)
	}
	if c := as.lookup(t, eu1, ""); c.Token != tokB {
		t.Errorf("active after deleting another: %s", c.Token)
	}
	// Delete the active one: the next one left becomes active.
	r, err = as.Delete(ctx, eu1, "")
	if err != nil || r.Account.Email != bob.Email || r.Active == nil || r.Active.Email != carol.Email {
		t.Fatalf("delete the active bob: %+v, %v", r, err)
	}
	if c := as.lookup(t, eu1, ""); c.Token != tokD {
		t.Errorf("active after deleting it: %s", c.Token)
	}
	if _, err := as.Switch(ctx, eu1, ""); !errors.As(err, &choose) || len(choose.Accounts) != 1 {
		t.Errorf("switch with one account: %v", err)
	}
	r, err = as.Delete(ctx, eu1, "")
	if err != nil || r.Active != nil || !slices.Equal(r.From, []Kind{KindFile}) {
		t.Fatalf("delete the last: %+v, %v", r, err)
	}
	if _, err := as.Lookup(ctx, eu1); !isNotFound(err) {
		t.Errorf("after the last logout: %v", err)
	}
	if got := entries(as.keyring); len(got) != 0 {
		t.Errorf("keyring entries left: %v", got)
	}
	if n := as.who.calls.Load(); n != 0 {
		t.Errorf("Make was asked %d times whose a token is; nothing needed it", n)
	}
}

// TestEnvironmentOverridesAccounts: MAKETOKEN_TOKEN_<ZONE> and MAKE_API_KEY
// still win over the stored accounts (CI); --user with them is refused.
func TestEnvironmentOverridesAccounts(t *testing.T) {
	ctx := context.Background()
	vars := map[string]string{}
	as := newAccountStore(t, vars)
	as.login(t, zone("eu1"), ann, tokA, OSKeyring())
	vars["MAKETOKEN_TOKEN_EU1"] = tokB
	if c := as.lookup(t, zone("eu1"), ""); c.Token != tokB || c.Source != SourceEnv || c.Account != nil {
		t.Errorf("env: %+v", c)
	}
	_, err := as.LookupUser(ctx, zone("eu1"), "ann@example.com")
	var eu *EnvUserError
	if !errors.As(err, &eu) || eu.EnvVar != "MAKETOKEN_TOKEN_EU1" || !strings.Contains(err.Error(), "unset MAKETOKEN_TOKEN_EU1") {
		t.Errorf("--user with env: %v", err)
	}
	delete(vars, "MAKETOKEN_TOKEN_EU1")
	vars["MAKE_API_KEY"] = tokD
	as.opts.MakeZone = "eu1"
	as.Store = NewStore(as.opts)
	if c := as.lookup(t, zone("eu1"), ""); c.Token != tokD || c.EnvVar != "MAKE_API_KEY" {
		t.Errorf("MAKE_API_KEY: %+v", c)
	}
	if _, err := as.LookupUser(ctx, zone("eu1"), "ann@example.com"); !errors.As(err, &eu) || eu.EnvVar != "MAKE_API_KEY" {
		t.Errorf("--user with MAKE_API_KEY: %v", err)
	}
}

// TestUpgradeFromTheReleaseBeforeAccounts: the one credential that release
// stored (keyring or file, under the zone's name) becomes the zone's one
// account on first use, asking Make once whose it is; the old entry stays
// as it was; logout of that account removes both.
func TestUpgradeFromTheReleaseBeforeAccounts(t *testing.T) {
	ctx := context.Background()
	as := newAccountStore(t, nil)
	old := as.previousRelease()
	eu1, us1 := zone("eu1"), zone("us1")
	// What that release wrote: a keyring entry "eu1" with its origin
	// record, and a credentials-file entry "us1".
	if err := old.saveLegacy(ctx, eu1, tokA, OSKeyring()); err != nil {
		t.Fatal(err)
	}
	if err := old.saveLegacy(ctx, us1, tokB, KindFile); err != nil {
		t.Fatal(err)
	}
	record, _ := os.ReadFile(as.opts.Record)

	c := as.lookup(t, eu1, "")
	if c.Token != tokA || c.Account == nil || c.Account.Email != ann.Email || !c.Account.Active || c.Store != OSKeyring() {
		t.Fatalf("upgraded: %+v", c)
	}
	if n := as.who.calls.Load(); n != 1 {
		t.Errorf("Make asked %d times, want once", n)
	}
	if got := entries(as.keyring); !slices.Equal(got, []string{"maketoken/eu1", "maketoken/eu1/1001"}) {
		t.Errorf("keyring after the upgrade: %v (the old entry stays, the account has its own)", got)
	}
	if c.Account.Origin != Origin(eu1.URL) {
		t.Errorf("the account keeps the origin the old record holds: %q", c.Account.Origin)
	}
	for range 3 {
		as.lookup(t, eu1, "")
	}
	as.lookup(t, eu1, "ann@example.com")
	if n := as.who.calls.Load(); n != 1 {
		t.Errorf("Make asked %d times after the upgrade, want once in all", n)
	}
	if after, _ := os.ReadFile(as.opts.Record); string(after) != string(record) {
		t.Errorf("the upgrade changed the old record:\n%s\n->\n%s", record, after)
	}

	// The file's credential, by way of --user (Accounts, as status does).
	accts, err := as.Accounts(ctx, us1)
	if err != nil || len(accts) != 1 || accts[0].Email != bob.Email || accts[0].Store != KindFile {
		t.Fatalf("us1 from the file: %+v, %v", accts, err)
	}
	if tok, _ := as.file.get("us1"); tok != tokB {
		t.Error("the old file entry is gone")
	}
	if tok, _ := as.file.get("us1/11001"); tok != tokB {
		t.Error("the account's file entry is missing")
	}

	// Downgrading: the release before accounts still reads its entries,
	// and what it does touches no account.
	if c, err := old.Lookup(ctx, eu1); err != nil || c.Token != tokA {
		t.Errorf("the previous release after the upgrade: %+v, %v", c, err)
	}
	accounts, _ := os.ReadFile(as.opts.Accounts)
	if err := old.saveLegacy(ctx, eu1, tokD, OSKeyring()); err != nil { // its login of another user
		t.Fatal(err)
	}
	if _, err := old.deleteLegacy(ctx, us1, ""); err != nil { // its logout
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(as.opts.Accounts); string(after) != string(accounts) {
		t.Error("the previous release changed the record of accounts")
	}
	if c := as.lookup(t, eu1, ""); c.Token != tokA {
		t.Errorf("ann's account after the previous release's login: %s", c.Token)
	}
	if c := as.lookup(t, us1, ""); c.Token != tokB {
		t.Errorf("bob's account after the previous release's logout: %s", c.Token)
	}

	// Logout of the upgraded account removes the old entry too, unless
	// it now holds another credential (the previous release's login).
	r, err := as.Delete(ctx, eu1, "")
	if err != nil || r.Account.Email != ann.Email {
		t.Fatalf("logout eu1: %+v, %v", r, err)
	}
	if got := entries(as.keyring); !slices.Equal(got, []string{"maketoken/eu1"}) {
		t.Errorf("keyring after logout: %v (the previous release's new login stays)", got)
	}
	if tok, _ := as.keyring.Get(Service, "eu1"); tok != tokD {
		t.Errorf("the previous release's login: %q", tok)
	}
	// A zone whose old entry is still the account's: both go.
	if err := old.saveLegacy(ctx, us1, tokB, KindFile); err != nil {
		t.Fatal(err)
	}
	as.file.loaded = false
	r, err = as.Delete(ctx, us1, "")
	if err != nil || !slices.Equal(r.From, []Kind{KindFile}) {
		t.Fatalf("logout us1: %+v, %v", r, err)
	}
	as.file.loaded = false
	if _, err := as.file.get("us1"); !errors.Is(err, ErrNotFound) {
		t.Error("the old file entry survived the logout of its account")
	}
	if _, err := as.file.get("us1/11001"); !errors.Is(err, ErrNotFound) {
		t.Error("the account's file entry survived its logout")
	}
	if rec, _ := (Origins{Path: as.opts.Record}).Recorded("us1"); rec != "" {
		t.Errorf("the old record of us1 stayed: %q", rec)
	}
}

// TestUpgradeThatFails: while Make cannot say whose the old credential
// is, or the account cannot be written, the old entry is used as the
// previous release used it, stays as it was, and the upgrade is tried
// again next time. A login then stores nothing rather than risk losing
// another user's credential; one Make rejects is replaced.
func TestUpgradeThatFails(t *testing.T) {
	ctx := context.Background()
	as := newAccountStore(t, nil)
	eu1 := zone("eu1")
	if err := as.previousRelease().saveLegacy(ctx, eu1, tokA, OSKeyring()); err != nil {
		t.Fatal(err)
	}
	as.who.err = errors.New("dial tcp: connection refused")
	c := as.lookup(t, eu1, "")
	if c.Token != tokA || c.Account != nil {
		t.Errorf("not upgraded yet: %+v", c)
	}
	var unknown *UnknownUserError
	if _, err := as.LookupUser(ctx, eu1, "ann@example.com"); !errors.As(err, &unknown) || unknown.Unidentified == nil {
		t.Errorf("--user before the upgrade: %v", err)
	}
	if _, err := as.Login(ctx, eu1, bob, tokB, OSKeyring()); err == nil || !strings.Contains(err.Error(), "nothing was stored") {
		t.Errorf("login while the old credential's user is unknown: %v", err)
	}
	if got := entries(as.keyring); !slices.Equal(got, []string{"maketoken/eu1"}) {
		t.Errorf("keyring: %v", got)
	}
	if _, err := os.Stat(as.opts.Accounts); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a record of accounts was written: %v", err)
	}

	// The record cannot be written (its lock cannot be made: a folder in
	// its place): the account's copy is made, the record is not; the old
	// entry still works, and the upgrade is done next time.
	as.who.err = nil
	if err := os.MkdirAll(as.opts.Accounts+".lock", 0o700); err != nil {
		t.Fatal(err)
	}
	if c := as.lookup(t, eu1, ""); c.Token != tokA || c.Account != nil {
		t.Errorf("upgrade that could not be recorded: %+v", c)
	}
	if _, err := os.Stat(as.opts.Accounts); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a record of accounts was written: %v", err)
	}
	if err := os.Remove(as.opts.Accounts + ".lock"); err != nil {
		t.Fatal(err)
	}
	if c := as.lookup(t, eu1, ""); c.Account == nil || c.Account.Email != ann.Email {
		t.Errorf("upgraded once possible: %+v", c)
	}

	// An old credential Make rejects: a login takes its place.
	as2 := newAccountStore(t, nil)
	if err := as2.previousRelease().saveLegacy(ctx, eu1, "dead0000-0000-4000-8000-000000000000", OSKeyring()); err != nil {
		t.Fatal(err)
	}
	s := as2.login(t, eu1, bob, tokB, OSKeyring())
	if s.Previous != nil {
		t.Errorf("login over a rejected old credential: %+v", s)
	}
	if c := as2.lookup(t, eu1, ""); c.Token != tokB {
		t.Errorf("after it: %s", c.Token)
	}
}

// TestLoginAfterTheUpgradeKnowsTheUser: a login of the old credential's
// user replaces it; another user's is added beside it.
func TestLoginAfterTheUpgradeKnowsTheUser(t *testing.T) {
	for _, tc := range []struct {
		user     User
		token    string
		replaced bool
		accounts []string
	}{
		{ann, tokC, true, []string{"ann@example.com*"}},
		{bob, tokB, false, []string{"ann@example.com", "bob@example.com*"}},
	} {
		t.Run(tc.user.Name, func(t *testing.T) {
			ctx := context.Background()
			as := newAccountStore(t, nil)
			eu1 := zone("eu1")
			if err := as.previousRelease().saveLegacy(ctx, eu1, tokA, KindFile); err != nil {
				t.Fatal(err)
			}
			s := as.login(t, eu1, tc.user, tc.token, OSKeyring())
			if s.Replaced != tc.replaced {
				t.Errorf("replaced = %v", s.Replaced)
			}
			accts, _ := as.Accounts(ctx, eu1)
			if got := whos(accts); !slices.Equal(got, tc.accounts) {
				t.Errorf("accounts: %v, want %v", got, tc.accounts)
			}
			if tc.replaced {
				// Moved from the file to the keyring: no copy left in
				// the file under the account's key.
				if _, err := as.file.get("eu1/1001"); !errors.Is(err, ErrNotFound) {
					t.Error("a copy of ann's account stayed in the file")
				}
			}
		})
	}
}

// TestCredentialOfAnotherUser: a stored credential that is not the token
// maketoken stored for the account is identified before use; another
// user's is refused (and Make is not asked again about it) until the
// account logs in again; the same user's is taken. A command that asks
// Make anyway (status) confirms the user every time.
func TestCredentialOfAnotherUser(t *testing.T) {
	ctx := context.Background()
	as, eu1 := annOnEU1(t)
	as.login(t, eu1, bob, tokB, OSKeyring())

	// Someone writes bob's token into ann's entry.
	if err := as.keyring.Set(Service, "eu1/1001", tokB); err != nil {
		t.Fatal(err)
	}
	var changed *UserChangedError
	c, err := as.LookupUser(ctx, eu1, "ann@example.com")
	if !errors.As(err, &changed) || changed.Account.ID != ann.ID || changed.Now.ID != bob.ID {
		t.Fatalf("ann's entry holding bob's token: %v", err)
	}
	if c.Account == nil || c.Account.Email != ann.Email {
		t.Errorf("the refused credential still names its account (for logout): %+v", c)
	}
	if msg := err.Error(); !strings.Contains(msg, "belongs to bob@example.com") || !strings.Contains(msg, "maketoken login -z eu1") {
		t.Errorf("message: %s", msg)
	}
	if n := as.who.calls.Load(); n != 1 {
		t.Errorf("Make asked %d times, want once", n)
	}
	if _, err := as.LookupUser(ctx, eu1, "ann@example.com"); !errors.As(err, &changed) {
		t.Errorf("second lookup: %v", err)
	}
	if n := as.who.calls.Load(); n != 1 {
		t.Errorf("Make asked again about a token already refused (%d calls)", n)
	}
	if c := as.lookup(t, eu1, ""); c.Token != tokB {
		t.Errorf("bob's own account still works: %+v", c)
	}
	// Ann logs in again: refused no more.
	as.login(t, eu1, ann, tokA, OSKeyring())
	if c := as.lookup(t, eu1, "ann@example.com"); c.Token != tokA {
		t.Errorf("after logging in again: %s", c.Token)
	}

	// Another token of the same user (an older maketoken's rotation):
	// taken, after one question.
	if err := as.keyring.Set(Service, "eu1/1001", tokC); err != nil {
		t.Fatal(err)
	}
	before := as.who.calls.Load()
	if c := as.lookup(t, eu1, "ann@example.com"); c.Token != tokC {
		t.Errorf("ann's other token: %s", c.Token)
	}
	as.lookup(t, eu1, "ann@example.com")
	if n := as.who.calls.Load() - before; n != 1 {
		t.Errorf("Make asked %d times about ann's other token, want once", n)
	}

	// status asks /users/me anyway: the answer is checked.
	c = as.lookup(t, eu1, "bob@example.com")
	if err := as.ConfirmUser(ctx, c, bob); err != nil {
		t.Errorf("confirming bob's own: %v", err)
	}
	if err := as.ConfirmUser(ctx, c, carol); !errors.As(err, &changed) || changed.Now.ID != carol.ID {
		t.Fatalf("Make says bob's credential is carol's: %v", err)
	}
	before = as.who.calls.Load()
	if _, err := as.LookupUser(ctx, eu1, "bob@example.com"); !errors.As(err, &changed) {
		t.Errorf("after status saw another user: %v", err)
	}
	if as.who.calls.Load() != before {
		t.Error("Make was asked again")
	}
	// An email changed at Make is recorded.
	c = as.lookup(t, eu1, "ann@example.com")
	if err := as.ConfirmUser(ctx, c, User{ID: ann.ID, Email: "ann@new.example", Name: "Ann"}); err != nil {
		t.Fatal(err)
	}
	if c := as.lookup(t, eu1, "ann@new.example"); c.Token != tokC {
		t.Errorf("by the new email: %s", c.Token)
	}
	// An env credential is nobody's account: nothing to confirm.
	if err := as.ConfirmUser(ctx, Credential{Zone: "eu1", Token: tokD, Source: SourceEnv}, bob); err != nil {
		t.Errorf("env: %v", err)
	}
}

// TestSaveForIsThatAccountsOnly: a rotation stores the new token for the
// account that made it; the active account stays as it was, and no
// other account's entry changes.
func TestSaveForIsThatAccountsOnly(t *testing.T) {
	ctx := context.Background()
	as, eu1 := annOnEU1(t)
	as.login(t, eu1, bob, tokB, KindFile)
	c := as.lookup(t, eu1, "ann@example.com")
	if err := as.SaveFor(ctx, eu1, c, tokC); err != nil {
		t.Fatal(err)
	}
	if tok, err := as.Reread(ctx, eu1, c); err != nil || tok != tokC {
		t.Errorf("reread: %q, %v", tok, err)
	}
	if c := as.lookup(t, eu1, ""); c.Token != tokB {
		t.Errorf("active: %s, want bob's", c.Token)
	}
	if c := as.lookup(t, eu1, "ann@example.com"); c.Token != tokC || c.Store != OSKeyring() {
		t.Errorf("ann's: %+v", c)
	}
	if n := as.who.calls.Load(); n != 0 {
		t.Errorf("Make was asked %d times: the new token's fingerprint was recorded", n)
	}
}

// TestOriginPerAccount: each account's credential goes only to the origin
// it was checked at: a zone moved since refuses the accounts logged in
// before, not one logged in after.
func TestOriginPerAccount(t *testing.T) {
	ctx := context.Background()
	as, eu1 := annOnEU1(t)
	moved := eu1
	moved.URL = "http://127.0.0.1:9/api/v2"
	var oc *OriginChangedError
	if _, err := as.Lookup(ctx, moved); !errors.As(err, &oc) {
		t.Fatalf("ann at the moved zone: %v", err)
	}
	as.login(t, moved, bob, tokB, OSKeyring())
	if c := as.lookup(t, moved, ""); c.Token != tokB {
		t.Errorf("bob at the moved zone: %s", c.Token)
	}
	if _, err := as.LookupUser(ctx, moved, "ann@example.com"); !errors.As(err, &oc) {
		t.Errorf("ann still refused there: %v", err)
	}
	if _, err := as.LookupUser(ctx, eu1, "bob@example.com"); !errors.As(err, &oc) {
		t.Errorf("bob refused at the old origin: %v", err)
	}
}

// TestAccountsInTheKernelKeyring: an account stored in the kernel keyring
// is read from there only; the OS keyring is not asked.
func TestAccountsInTheKernelKeyring(t *testing.T) {
	needKernelHere(t)
	ctx := context.Background()
	as := newAccountStore(t, nil)
	spy := &spyKeyring{Keyring: as.keyring}
	as.opts.Keyring = spy
	as.Store = NewStore(as.opts)
	eu1 := zone("eu1")
	as.login(t, eu1, ann, tokA, KindKernel)
	as.login(t, eu1, bob, tokB, KindKernel)
	spy.calls.Store(0)
	if c := as.lookup(t, eu1, "ann@example.com"); c.Token != tokA || c.Store != KindKernel {
		t.Errorf("ann: %+v", c)
	}
	if c := as.lookup(t, eu1, ""); c.Token != tokB {
		t.Errorf("bob: %+v", c)
	}
	if n := spy.calls.Load(); n != 0 {
		t.Errorf("%d OS keyring calls for accounts in the kernel keyring", n)
	}
	if got := entries(as.kernel); !slices.Equal(got, []string{"maketoken/eu1/1001", "maketoken/eu1/11001"}) {
		t.Errorf("kernel keyring entries: %v", got)
	}
	if _, err := as.Delete(ctx, eu1, "bob@example.com"); err != nil {
		t.Fatal(err)
	}
	if got := entries(as.kernel); !slices.Equal(got, []string{"maketoken/eu1/1001"}) {
		t.Errorf("kernel keyring entries after logout: %v", got)
	}
	// Gone behind maketoken's back (a reboot): said so, for that account.
	_ = as.kernel.Delete(Service, "eu1/1001")
	_, err := as.Lookup(ctx, eu1)
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Account != ann.Email || nf.Store != KindKernel || !strings.Contains(err.Error(), "gone from the kernel keyring") {
		t.Errorf("gone: %v", err)
	}
}

// TestConcurrentLogins: two maketoken processes adding accounts to one
// zone at once lose neither (the record changes under a file lock).
func TestConcurrentLogins(t *testing.T) {
	as := newAccountStore(t, nil)
	eu1 := zone("eu1")
	users := []User{}
	for i := range 12 {
		u := User{ID: int64(5000 + i), Email: fmt.Sprintf("u%d@example.com", i)}
		users = append(users, u)
	}
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Go(func() {
			st := NewStore(as.opts) // a process of its own
			tok := fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)
			if _, err := st.Login(context.Background(), eu1, u, tok, OSKeyring()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	accts, err := as.Accounts(context.Background(), eu1)
	if err != nil || len(accts) != len(users) {
		t.Fatalf("%d accounts recorded, want %d: %v", len(accts), len(users), err)
	}
	if got := entries(as.keyring); len(got) != len(users) {
		t.Errorf("%d keyring entries", len(got))
	}
}

// TestRecordOfAccounts: the record is mode 0600, and one that is not
// valid JSON is an error that names it, never taken for "no accounts"
// (which would upgrade over it).
func TestRecordOfAccounts(t *testing.T) {
	ctx := context.Background()
	as := newAccountStore(t, nil)
	as.login(t, zone("eu1"), ann, tokA, OSKeyring())
	fi, err := os.Stat(as.opts.Accounts)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("record: %v, %v", fi, err)
	}
	data, _ := os.ReadFile(as.opts.Accounts)
	for _, secret := range []string{tokA, tokA[:8]} {
		if strings.Contains(string(data), secret) {
			t.Errorf("the record holds (part of) the token:\n%s", data)
		}
	}
	if err := os.WriteFile(as.opts.Accounts, []byte("{broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := as.Lookup(ctx, zone("eu1")); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("broken record: %v", err)
	}
	if _, err := as.Login(ctx, zone("eu1"), bob, tokB, OSKeyring()); err == nil {
		t.Error("a login wrote over a broken record")
	}
}
