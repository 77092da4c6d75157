package credentials

import (
	"context"
	"errors"
	"os"
	"slices"
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

// TestEveryTokenReachesTheRedactor: every token the store reads, or is
// given to store, is handed to Options.Found (the redactor that keeps it
// out of every output) by the call that read it, whichever way it came:
// a variable, an account, the one credential of the release before
// accounts, a store login is about to replace, a reread, a login that
// replaces a stored credential (the old one too), a rotation's save.
func TestEveryTokenReachesTheRedactor(t *testing.T) {
	ctx := context.Background()
	eu1 := zone("eu1")
	type step struct {
		name string
		// prepare sets the stores up through a store without Found;
		// run is the call under test, on one with it (plain: its
		// options without Found).
		prepare func(t *testing.T, as *accountStore)
		vars    map[string]string
		legacy  bool // the store has no record of accounts
		run     func(t *testing.T, s *Store, plain Options) error
		want    []string
	}
	loginAnn := func(t *testing.T, as *accountStore) { as.login(t, eu1, ann, tokA, OSKeyring()) }
	oldRelease := func(t *testing.T, as *accountStore) {
		if err := as.previousRelease().saveLegacy(ctx, eu1, tokA, OSKeyring()); err != nil {
			t.Fatal(err)
		}
	}
	lookup := func(t *testing.T, s *Store, plain Options) error { _, err := s.Lookup(ctx, eu1); return err }
	where := func(t *testing.T, s *Store, plain Options) error { _, _, err := s.Where(ctx, eu1); return err }
	for _, st := range []step{
		{name: "variable", vars: map[string]string{"MAKETOKEN_TOKEN_EU1": tokB}, run: lookup, want: []string{tokB}},
		{name: "variable, Where", vars: map[string]string{"MAKETOKEN_TOKEN_EU1": tokB}, run: where, want: []string{tokB}},
		{name: "account", prepare: loginAnn, run: lookup, want: []string{tokA}},
		{name: "account, Where", prepare: loginAnn, run: where, want: []string{tokA}},
		{name: "release before accounts", prepare: oldRelease, legacy: true, run: lookup, want: []string{tokA}},
		{name: "release before accounts, Where", prepare: oldRelease, legacy: true, run: where, want: []string{tokA}},
		{name: "Stored, in the store asked", prepare: oldRelease, legacy: true, run: func(t *testing.T, s *Store, plain Options) error {
			_, _, err := s.Stored(ctx, eu1, OSKeyring())
			return err
		}, want: []string{tokA}},
		{name: "Stored, in another store", prepare: oldRelease, legacy: true, run: func(t *testing.T, s *Store, plain Options) error {
			_, _, err := s.Stored(ctx, eu1, KindFile)
			return err
		}, want: []string{tokA}},
		{name: "Reread, account", prepare: loginAnn, run: func(t *testing.T, s *Store, plain Options) error {
			c, err := NewStore(plain).Lookup(ctx, eu1) // read without Found
			if err != nil {
				return err
			}
			_, err = s.Reread(ctx, eu1, c)
			return err
		}, want: []string{tokA}},
		{name: "Reread, release before accounts", prepare: oldRelease, legacy: true, run: func(t *testing.T, s *Store, plain Options) error {
			_, err := s.Reread(ctx, eu1, Credential{Zone: "eu1", Store: OSKeyring()})
			return err
		}, want: []string{tokA}},
		{name: "Login replacing a credential", prepare: loginAnn, run: func(t *testing.T, s *Store, plain Options) error {
			_, err := s.Login(ctx, eu1, ann, tokC, OSKeyring())
			return err
		}, want: []string{tokC, tokA}},
		{name: "Login, release before accounts", prepare: oldRelease, legacy: true, run: func(t *testing.T, s *Store, plain Options) error {
			_, err := s.Login(ctx, eu1, ann, tokC, OSKeyring())
			return err
		}, want: []string{tokC}},
		{name: "SaveFor", prepare: loginAnn, run: func(t *testing.T, s *Store, plain Options) error {
			c, err := NewStore(plain).Lookup(ctx, eu1)
			if err != nil {
				return err
			}
			return s.SaveFor(ctx, eu1, c, tokC)
		}, want: []string{tokC}},
	} {
		t.Run(st.name, func(t *testing.T) {
			as := newAccountStore(t, st.vars)
			if st.prepare != nil {
				st.prepare(t, as)
			}
			var found []string
			o := as.opts
			if st.legacy {
				o.Accounts, o.Identify = "", nil
			}
			plain := o
			o.Found = func(tok string) { found = append(found, tok) }
			if err := st.run(t, NewStore(o), plain); err != nil {
				t.Fatal(err)
			}
			for _, tok := range st.want {
				if !slices.Contains(found, tok) {
					t.Errorf("%s did not reach the redactor (it got %d tokens)", tok[:4]+"…", len(found))
				}
			}
		})
	}
}

// TestCheckStores: what doctor is told of each store: nothing for a store
// that answered, with or without an entry; the error of one that could
// not be read. The kernel keyring is looked at only where the record
// names it for the zone or where login would store in it (chosen, or no
// choice and no Secret Service), and its entry is never taken for a
// failure.
func TestCheckStores(t *testing.T) {
	ctx := context.Background()
	eu1 := zone("eu1")
	refused := errors.New("the kernel refused")
	newStore := func(t *testing.T, osk, kernel Keyring, file string) *Store {
		t.Helper()
		dir := t.TempDir()
		if file == "" {
			file = dir + "/credentials.yaml"
		}
		return NewStore(Options{Keyring: osk, KernelKeyring: kernel, File: file, Record: dir + "/credential-hosts.json", KeyringTimeout: time.Second})
	}
	held := func() *mapKeyring {
		k := &mapKeyring{}
		_ = k.Set(Service, "eu1", tokA)
		return k
	}

	// Every store answers, with an entry or without.
	c := newStore(t, held(), held(), "").CheckStores(ctx, eu1, ChoiceKernel)
	if c.Keyring != nil || c.File != nil || c.Kernel != nil {
		t.Errorf("stores that answered: %+v", c)
	}
	if c.KernelChecked != KernelKeyringHere() {
		t.Errorf("--store kernel: kernel checked %v", c.KernelChecked)
	}

	// None can be read.
	c = newStore(t, brokenKeyring{}, refusingKeyring{refused}, t.TempDir()).CheckStores(ctx, eu1, ChoiceAuto)
	if !errors.Is(c.Keyring, errBroken) || c.File == nil || errors.Is(c.File, ErrNotFound) {
		t.Errorf("OS keyring and file that cannot be read: %+v", c)
	}
	if KernelKeyringHere() && (!c.KernelChecked || !errors.Is(c.Kernel, refused)) {
		t.Errorf("no choice, no Secret Service: the kernel keyring's error %v (checked %v)", c.Kernel, c.KernelChecked)
	}

	// A Secret Service that answers, no choice: the kernel keyring is not
	// where login stores, and is not looked at.
	kernel := &spyKeyring{Keyring: held()}
	c = newStore(t, &mapKeyring{}, kernel, "").CheckStores(ctx, eu1, ChoiceAuto)
	if c.KernelChecked || kernel.calls.Load() != 0 || c.Keyring != nil {
		t.Errorf("no choice, a Secret Service: %+v, %d calls to the kernel keyring", c, kernel.calls.Load())
	}
	// ... nor for --store file, unless the record names it for the zone.
	st := newStore(t, &mapKeyring{}, kernel, "")
	if c := st.CheckStores(ctx, eu1, ChoiceFile); c.KernelChecked {
		t.Errorf("--store file: %+v", c)
	}
	if err := st.record.SetStored("eu1", eu1.URL, KindKernel); err != nil {
		t.Fatal(err)
	}
	if c := st.CheckStores(ctx, eu1, ChoiceFile); c.KernelChecked != KernelKeyringHere() || c.Kernel != nil {
		t.Errorf("recorded in the kernel keyring: %+v", c)
	}
}

// TestNoSuchStore: a store this system does not have (a record written
// elsewhere, a kind mistyped) is an error, for saving and for the store
// login is about to use: never "stored" with nothing stored.
func TestNoSuchStore(t *testing.T) {
	ctx := context.Background()
	eu1 := zone("eu1")
	k := &mapKeyring{}
	st := NewStore(Options{Keyring: k, KernelKeyring: &mapKeyring{}, File: t.TempDir() + "/c.yaml", KeyringTimeout: time.Second})
	const nowhere = Kind("nowhere")
	if err := st.saveLegacy(ctx, eu1, tokA, nowhere); err == nil || !strings.Contains(err.Error(), `zone eu1: cannot store a credential in "nowhere"`) {
		t.Errorf("save: %v", err)
	}
	if _, err := k.Get(Service, "eu1"); err == nil {
		t.Error("stored in the OS keyring instead")
	}
	if kind, tok, err := st.Stored(ctx, eu1, nowhere); err == nil || kind != "" || tok != "" {
		t.Errorf("Stored = %q, %q, %v", kind, tok, err)
	}
}

// TestLegacySaveErrorsSayWhere: a credential of the release before
// accounts that cannot be written says where: the credentials file by
// name; a keyring's own error (a *KeyringError) as it is.
func TestLegacySaveErrorsSayWhere(t *testing.T) {
	ctx := context.Background()
	eu1 := zone("eu1")
	under := t.TempDir() + "/a-file"
	if err := os.WriteFile(under, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	st := NewStore(Options{Keyring: brokenKeyring{}, KernelKeyring: &mapKeyring{}, File: under + "/credentials.yaml", KeyringTimeout: time.Second})
	if err := st.saveLegacy(ctx, eu1, tokA, KindFile); err == nil || !strings.HasPrefix(err.Error(), "zone eu1: writing the credentials file: ") {
		t.Errorf("file: %v", err)
	}
	err := st.saveLegacy(ctx, eu1, tokA, OSKeyring())
	var ke *KeyringError
	if !errors.As(err, &ke) || strings.Contains(err.Error(), "credentials file") {
		t.Errorf("keyring: %v", err)
	}
}

// TestLifetimeTextCounts: the number in a lifetime's words is the count
// of whole units, however many there are.
func TestLifetimeTextCounts(t *testing.T) {
	for d, want := range map[time.Duration]string{
		61 * time.Minute:       "61 minutes",
		3601 * time.Hour:       "3601 hours",
		86401 * 24 * time.Hour: "86401 days",
		4000 * time.Second:     "4000 seconds",
		86401 * time.Hour:      "86401 hours",
	} {
		if got := lifetimeText(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}

// TestAccountWithoutEmail: an account Make gave no email is named, and
// picked, by its user id in decimal.
func TestAccountWithoutEmail(t *testing.T) {
	a := Account{User: User{ID: 123456789}}
	if got := a.Who(); got != "user 123456789" {
		t.Errorf("Who() = %q", got)
	}
	if !a.Matches(" 123456789 ") || a.Matches("") || a.Matches("12345678") {
		t.Error("Matches by user id")
	}
}

// TestRecordWithoutAnActiveAccount: a record of accounts whose active id
// names none of the zone's accounts (edited by hand) has its first
// account active, one account or several.
func TestRecordWithoutAnActiveAccount(t *testing.T) {
	for n := 1; n <= 3; n++ {
		z := &zoneAccounts{Active: 999}
		for i := range n {
			z.Accounts = append(z.Accounts, accountRecord{ID: int64(1001 + i), Entry: entryKey("eu1", int64(1001+i))})
		}
		var active []int64
		for _, a := range z.accounts("eu1") {
			if a.Active {
				active = append(active, a.ID)
			}
		}
		if !slices.Equal(active, []int64{1001}) {
			t.Errorf("%d accounts: active %v, want the first", n, active)
		}
	}
}
