// Package credentials finds, stores and forgets the credentials (Make API
// tokens) that maketoken holds: one per account, an account being a Make
// user in a zone (see Account), and keeps the records of the accounts, of
// which one is each zone's active one, and of the origin each stored
// credential was checked at.
package credentials

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/maketoken/maketoken/internal/zones"
)

// Source says where a zone's credential comes from.
type Source string

// The sources, in the order they are looked up.
const (
	SourceEnv     Source = "env"
	SourceKeyring Source = "keyring"
	SourceFile    Source = "file"
	SourceNone    Source = "none"
)

// Credential is a zone's token and where it was found.
type Credential struct {
	Zone   string
	Token  string
	Source Source
	// EnvVar names the variable when Source is SourceEnv.
	EnvVar string
	// Store is the store of a stored credential ("" for one from the
	// environment): the OS keyring's kind, KindKernel or KindFile.
	Store Kind
	// Account is the account a stored credential belongs to; nil for one
	// from the environment, and for the one credential of the release
	// before accounts while Make could not yet be asked whose it is (see
	// Store.Lookup).
	Account *Account
}

// Where describes the credential's place for people, e.g.
// "keyring", "kernel keyring" or "env (MAKETOKEN_TOKEN_EU1)".
func (c Credential) Where() string {
	switch {
	case c.Source == SourceEnv && c.EnvVar != "":
		return fmt.Sprintf("env (%s)", c.EnvVar)
	case c.Store != "":
		return c.Store.Label()
	}
	return string(c.Source)
}

// Stored reports whether the credential comes from storage (a Backend),
// not from the environment.
func (c Credential) Stored() bool { return c.Source == SourceKeyring || c.Source == SourceFile }

// Rejected says that Make rejected the credential (a 401) and what to do
// about it, which depends on where it came from: a variable's value is
// replaced (logging in would not help: the variable wins over a stored
// credential); a stored one is replaced by logging in again. A credential
// of unknown origin (Source "") gets the login.
func (c Credential) Rejected() string {
	const why = "was rejected (it may be revoked or expired)"
	switch {
	case c.Source == SourceEnv && c.EnvVar != "":
		return fmt.Sprintf("the credential in %s %s; replace the value of %s (it is used instead of any stored credential)", c.EnvVar, why, c.EnvVar)
	case c.Stored() && c.Store != "":
		return fmt.Sprintf("the credential stored in %s %s; run `maketoken login -z %s`", c.Store.Name(), why, c.Zone)
	}
	return fmt.Sprintf("the credential %s; run `maketoken login -z %s`", why, c.Zone)
}

// NotFoundError is a zone without any credential, or an account whose
// credential is no longer where it was stored.
type NotFoundError struct {
	Zone string
	// Store is where login put the credential, if the record says so: a
	// credential in the kernel keyring ends without a logout (a reboot,
	// its expiry).
	Store Kind
	// Account is the account whose credential is gone ("" for a zone
	// without any).
	Account string
}

func (e *NotFoundError) Error() string {
	if e.Account != "" {
		why := ""
		if e.Store == KindKernel {
			why = " (" + KernelEnds() + ")"
		}
		return fmt.Sprintf("zone %s: the credential of %s is gone from %s%s; run `maketoken login -z %s` with a token of %s, or `maketoken logout -z %s --user %s` to forget the account", e.Zone, e.Account, e.Store.Name(), why, e.Zone, e.Account, e.Zone, e.Account)
	}
	if e.Store == KindKernel {
		return fmt.Sprintf("zone %s: not logged in: the credential stored in the kernel keyring is gone (%s); run `maketoken login -z %s` (or set MAKETOKEN_TOKEN_%s)", e.Zone, KernelEnds(), e.Zone, envNameOf(e.Zone))
	}
	return fmt.Sprintf("zone %s: not logged in; run `maketoken login -z %s` (or set MAKETOKEN_TOKEN_%s)", e.Zone, e.Zone, envNameOf(e.Zone))
}

func envNameOf(zone string) string { return zones.EnvName(zone) }

// Store is the one way to a zone's credential. It looks credentials up in
// the order the CLI contract gives: MAKETOKEN_TOKEN_<ZONE>, MAKE_API_KEY
// (for its zone only), then the store login put it in. It owns the record
// of each stored credential's store and of the origin it was checked at:
// saving records them, deleting clears them, and a lookup reads the
// recorded store only, and refuses a stored credential whose zone has
// moved since (*OriginChangedError). A zone whose record names no store
// (logged in by an older version) is looked up where those looked: the OS
// keyring, then the plain-text file. The kernel keyring is only ever read
// for a zone whose record names it.
type Store struct {
	// accounts is the record of accounts; nil without maketoken's config
	// folder: then each zone has one credential, kept as the release
	// before accounts kept it.
	accounts *accountsRecord
	identify Identify
	// legacy are the places read, in order, for a zone whose record
	// names no store.
	legacy  []Backend
	keyring keyringBackend
	kernel  keyringBackend // used only where kernelKeyringHere
	file    fileBackend
	record  Origins
	getenv  func(string) string
	// makeZone is the zone MAKE_API_KEY belongs to; "": none, and the key
	// is unused.
	makeZone string
	found    func(string)
	warn     func(string)
}

// Options configure a Store.
type Options struct {
	Keyring Keyring // nil: the OS keyring
	// KernelKeyring is the Linux kernel keyring; nil: the user's
	// persistent keyring (SystemKernelKeyring).
	KernelKeyring  Keyring
	KeyringTimeout time.Duration // bound on every keyring call; 0: 10s
	File           string        // the plain-text credentials file
	// Record is the file of the origins stored credentials were checked
	// at (credential-hosts.json); "": nothing is recorded or checked.
	Record string
	// Accounts is the record of accounts (accounts.json); "": one
	// credential per zone (see Store.accounts).
	Accounts string
	// Identify asks Make whose a token is. The store asks only when it
	// must know and no command has asked yet: once per zone, to make the
	// credential of the release before accounts an account, and for a
	// stored credential that is not the token maketoken stored there.
	Identify Identify
	Getenv   func(string) string
	// Warn is told about a credentials file others can read, and about a
	// record that could not be written.
	Warn func(string)
	// Found is given every token the store reads or is given, so that it
	// can be kept out of every output (a redactor).
	Found func(string)
	// MakeZone is the zone MAKE_API_KEY belongs to: the zone MAKE_ZONE
	// names, or one the user chose explicitly for this command (see
	// config.Zones.APIKeyZone). MAKE_API_KEY is never used for another
	// zone, and "" means it is not used at all.
	MakeZone string
}

// KernelKeyringHere says whether the Linux kernel keyring is a store on
// this system.
func KernelKeyringHere() bool { return kernelKeyringHere }

// systemKernelKeyring is the kernel keyring a Store uses unless told
// otherwise; the package's tests replace it with one that refuses, so that
// no test reaches a real user's keys by forgetting to give its own.
var systemKernelKeyring = SystemKernelKeyring

// DefaultKeyringTimeout bounds a keyring call when nothing else is set.
const DefaultKeyringTimeout = 10 * time.Second

// NewStore returns a Store.
func NewStore(o Options) *Store {
	if o.Keyring == nil {
		o.Keyring = SystemKeyring{}
	}
	if o.KernelKeyring == nil {
		o.KernelKeyring = systemKernelKeyring()
	}
	if o.KeyringTimeout <= 0 {
		o.KeyringTimeout = DefaultKeyringTimeout
	}
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	if o.Warn == nil {
		o.Warn = func(string) {}
	}
	if o.Found == nil {
		o.Found = func(string) {}
	}
	s := &Store{
		keyring:  keyringBackend{boundedKeyring{k: o.Keyring, kind: OSKeyring(), timeout: o.KeyringTimeout}},
		kernel:   keyringBackend{boundedKeyring{k: o.KernelKeyring, kind: KindKernel, timeout: o.KeyringTimeout}},
		file:     fileBackend{&fileStore{path: o.File, warn: o.Warn}},
		record:   Origins{Path: o.Record},
		getenv:   o.Getenv,
		makeZone: o.MakeZone,
		found:    o.Found,
		warn:     o.Warn,
	}
	if o.Accounts != "" {
		s.accounts = &accountsRecord{path: o.Accounts}
	}
	s.identify = o.Identify
	s.legacy = []Backend{s.keyring, s.file}
	return s
}

// legacyKey names the zone's one entry in a store of the release before
// accounts: the zone's name. Accounts are kept under entryKey.
func legacyKey(zone zones.Zone) string { return zone.Name }

// EnvVar is the variable that holds a zone's credential.
func EnvVar(zone string) string { return "MAKETOKEN_TOKEN_" + zones.EnvName(zone) }

// InvalidError is a credential that cannot be a token: it holds a control
// character or white space.
type InvalidError struct {
	Zone  string
	Where string // e.g. "env (MAKETOKEN_TOKEN_EU1)", "keyring"
	// EnvVar is the variable it came from; "" for a stored one.
	EnvVar string
}

func (e *InvalidError) Error() string {
	fix := fmt.Sprintf("log in again (`maketoken login -z %s`)", e.Zone)
	if e.EnvVar != "" {
		fix = fmt.Sprintf("set %s to the token alone", e.EnvVar)
	}
	return fmt.Sprintf("zone %s: the credential from %s contains a control character or a space (a stray newline or escape from copying it?), so it cannot be a token; %s", e.Zone, e.Where, fix)
}

// MustNotSend reports whether a lookup found a credential that must not be
// sent: the zone moved since login (*OriginChangedError), the credential
// is malformed (*InvalidError), or Make says it is another user's than
// its account (*UserChangedError). The zone has a credential all
// the same: where a command covers several zones, that zone failed.
func MustNotSend(err error) bool {
	var (
		moved   *OriginChangedError
		invalid *InvalidError
		changed *UserChangedError
	)
	return errors.As(err, &moved) || errors.As(err, &invalid) || errors.As(err, &changed)
}

// IsNotFound reports whether err is a zone without a credential
// (*NotFoundError).
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

func (c Credential) check() error {
	if strings.IndexFunc(c.Token, unfitForToken) >= 0 {
		return &InvalidError{Zone: c.Zone, Where: c.Where(), EnvVar: c.EnvVar}
	}
	return nil
}

// unfitForToken reports whether r can be no part of a Make API token: a
// blank, a control character or a format character (a no-break or
// zero-width space, a bidi mark), which a paste can carry in unseen. One
// rule for a token given to login and a credential read back.
func unfitForToken(r rune) bool {
	if '!' <= r && r <= '~' {
		return false // printable ASCII: none of the three
	}
	return r <= ' ' || unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
}

// CheckTokenShape refuses what cannot be a Make API token before it is
// sent or stored: empty, longer than 512 bytes, or holding a blank, a
// control or a format character (unfitForToken, the rule a stored
// credential is held to).
func CheckTokenShape(token string) error {
	if token == "" {
		return errors.New("the token is empty; nothing was stored")
	}
	if len(token) > 512 {
		return errors.New("that is too long to be a Make API token; nothing was stored")
	}
	// Stricter than output.IsUnsafe on purpose: a token has no blanks.
	if strings.IndexFunc(token, unfitForToken) >= 0 {
		return errors.New("the token contains spaces or control characters; nothing was stored")
	}
	return nil
}

// fromEnv is the zone's credential from the environment, if it has one.
func (s *Store) fromEnv(name string) (Credential, bool) {
	variable := EnvVar(name)
	if v := strings.TrimSpace(s.getenv(variable)); v != "" {
		return Credential{Zone: name, Token: v, Source: SourceEnv, EnvVar: variable}, true
	}
	if s.makeZone != "" && s.makeZone == name {
		if v := strings.TrimSpace(s.getenv("MAKE_API_KEY")); v != "" {
			return Credential{Zone: name, Token: v, Source: SourceEnv, EnvVar: "MAKE_API_KEY"}, true
		}
	}
	return Credential{}, false
}

// legacyLookup finds the zone's one credential as the release before
// accounts kept it: under the zone's name, in the store the record names
// or else the OS keyring, then the credentials file.
func (s *Store) legacyLookup(ctx context.Context, zone zones.Zone) (Credential, error) {
	name := zone.Name
	// The recorded store, or the first of the others that holds it. If
	// none does, the last failure is the answer: a file that cannot be
	// read says more than a keyring that is not there.
	recorded, _ := s.record.StoredIn(name)
	var failed error
	for _, b := range s.readOrder(recorded) {
		tok, err := b.Get(ctx, legacyKey(zone))
		if err == nil {
			return Credential{Zone: name, Token: tok, Source: b.Kind().Source(), Store: b.Kind()}, nil
		}
		if cerr := ctx.Err(); cerr != nil {
			return Credential{}, cerr
		}
		if !errors.Is(err, ErrNotFound) {
			failed = err
		}
	}
	if failed != nil {
		return Credential{}, failed
	}
	return Credential{Zone: name, Source: SourceNone}, &NotFoundError{Zone: name, Store: recorded}
}

// checkLegacy refuses a credential of the release before accounts that
// must not be sent: malformed, or its zone moved since it was checked.
func (s *Store) checkLegacy(zone zones.Zone, c Credential) error {
	s.found(c.Token)
	if err := c.check(); err != nil {
		return err
	}
	return s.record.Check(zone.Name, zone.URL)
}

// backend is the store of that kind, nil if there is none here.
func (s *Store) backend(kind Kind) Backend {
	switch kind {
	case OSKeyring():
		return s.keyring
	case KindFile:
		return s.file
	case KindKernel:
		if kernelKeyringHere {
			return s.kernel
		}
	}
	return nil
}

// readOrder is where a zone's credential is read: the recorded store, or
// without one the legacy places.
func (s *Store) readOrder(recorded Kind) []Backend {
	if b := s.backend(recorded); b != nil {
		return []Backend{b}
	}
	return s.legacy
}

// places is every place a zone's credential may be in: the legacy places
// and the recorded store.
func (s *Store) places(recorded Kind) []Backend {
	all := append([]Backend(nil), s.legacy...)
	if b := s.backend(recorded); b != nil && b.Kind() != KindFile && b.Kind() != OSKeyring() {
		all = append(all, b)
	}
	return all
}

// StoreChecks is what reading a zone's entry gave in each store: nil
// where the store answered (with or without an entry).
type StoreChecks struct {
	Keyring, File error
	// Kernel is checked only where the zone's record names it or where
	// login would store in it (KernelChecked).
	Kernel        error
	KernelChecked bool
}

// CheckStores reads the zone's entry from the OS keyring, the credentials
// file and, where it is used, the kernel keyring, without using or
// changing any, and says what went wrong with each. It is how `doctor`
// says whether the credential stores work; choice is the credential_store
// setting (where login would store).
func (s *Store) CheckStores(ctx context.Context, zone zones.Zone, choice Choice) StoreChecks {
	var c StoreChecks
	if _, err := s.keyring.Get(ctx, legacyKey(zone)); err != nil && !errors.Is(err, ErrNotFound) {
		c.Keyring = err
	}
	if _, err := s.file.Get(ctx, legacyKey(zone)); err != nil && !errors.Is(err, ErrNotFound) {
		c.File = err
	}
	recorded, _ := s.record.StoredIn(zone.Name)
	osGone := KeyringAbsent(c.Keyring)
	if kernelKeyringHere && (recorded == KindKernel || choice == ChoiceKernel || (choice == ChoiceAuto && osGone)) {
		c.KernelChecked = true
		if _, err := s.kernel.Get(ctx, legacyKey(zone)); err != nil && !errors.Is(err, ErrNotFound) {
			c.Kernel = err
		}
	}
	return c
}

// Choice is where the user asked login to store credentials: the
// credential_store setting or login's --store.
type Choice string

// The choices.
const (
	// ChoiceAuto is no choice: the OS keyring, or on Linux without a
	// reachable Secret Service the kernel keyring.
	ChoiceAuto    Choice = ""
	ChoiceKeyring Choice = "keyring"
	ChoiceKernel  Choice = "kernel"
	ChoiceFile    Choice = "file"
)

// ChoiceError is a store that cannot be chosen here.
type ChoiceError struct{ Err error }

func (e *ChoiceError) Error() string { return e.Err.Error() }
func (e *ChoiceError) Unwrap() error { return e.Err }

// Destination is the one decision of where `login` stores a credential:
// choice is what the user asked for. Without a choice it is the OS keyring
// or, on Linux when no Secret Service can be reached (not one that does
// not answer in time: that may be a locked keyring about to be unlocked),
// the kernel keyring; auto says whether it was chosen so. A store that
// cannot be used is the error (a *KeyringError, for the kernel keyring
// with why the OS keyring could not be used either). It never falls back
// to the plain-text file.
func (s *Store) Destination(ctx context.Context, zone zones.Zone, choice Choice) (kind Kind, auto bool, err error) {
	switch choice {
	case ChoiceFile:
		return KindFile, false, nil
	case ChoiceKeyring:
		return OSKeyring(), false, nil
	case ChoiceKernel:
		if !kernelKeyringHere {
			return "", false, &ChoiceError{errors.New("the kernel keyring exists only on Linux: choose keyring or file")}
		}
		return KindKernel, false, nil
	case ChoiceAuto:
	default:
		return "", false, &ChoiceError{fmt.Errorf("cannot store a credential in %q: choose keyring, kernel or file", string(choice))}
	}
	if !kernelKeyringHere {
		return OSKeyring(), false, nil
	}
	_, err = s.keyring.Get(ctx, legacyKey(zone))
	if !KeyringAbsent(err) {
		return OSKeyring(), false, nil // Stored, read next, says what is wrong with it
	}
	// No Secret Service: the kernel keyring, if the kernel lets us use it.
	_, kerr := s.kernel.Get(ctx, legacyKey(zone))
	var ke, kke *KeyringError
	if KeyringAbsent(kerr) && errors.As(err, &ke) && errors.As(kerr, &kke) {
		kke.OSErr = ke.Err
	}
	if kerr != nil && !errors.Is(kerr, ErrNotFound) {
		return "", false, kerr
	}
	return KindKernel, true, nil
}

// Stored says where the zone's credential is stored, leaving the
// environment aside, and its token: where (the store login is about to
// store in) is read first, and a failure there is the error (login
// checks, before asking for a token, that the store can be used: a
// keyring that cannot be used is its *KeyringError); then the store the
// zone's record names (or the legacy places), whose failures are ignored.
// "" when no store has it.
func (s *Store) Stored(ctx context.Context, zone zones.Zone, where Kind) (Kind, string, error) {
	b := s.backend(where)
	if b == nil {
		return "", "", fmt.Errorf("zone %s: cannot store a credential in %q", zone.Name, where)
	}
	tok, err := b.Get(ctx, legacyKey(zone))
	switch {
	case err == nil:
		s.found(tok)
		return where, tok, nil
	case !errors.Is(err, ErrNotFound):
		return "", "", err
	}
	recorded, _ := s.record.StoredIn(zone.Name)
	for _, other := range s.readOrder(recorded) {
		if other.Kind() == where {
			continue
		}
		if tok, err := other.Get(ctx, legacyKey(zone)); err == nil {
			s.found(tok)
			return other.Kind(), tok, nil
		}
	}
	return "", "", nil
}

// saveLegacy stores token as the zone's one credential, as the release
// before accounts did (used without a record of accounts), in where (a
// keyring or the plain-text file), records that store and the origin of
// the zone's URL as the one it was checked at, and removes any copy from
// the other places, so that exactly one stored credential remains. A
// place that cannot be reached holds no copy that could win.
func (s *Store) saveLegacy(ctx context.Context, zone zones.Zone, token string, where Kind) error {
	b := s.backend(where)
	if b == nil {
		return fmt.Errorf("zone %s: cannot store a credential in %q", zone.Name, where)
	}
	// The kernel keyring is read only for a zone whose record names it:
	// without a record, a credential stored there would never be found.
	if where == KindKernel && s.record.Path == "" {
		return fmt.Errorf("zone %s: the kernel keyring needs maketoken's config folder, to record that the credential is there; set HOME (or XDG_CONFIG_HOME)", zone.Name)
	}
	recorded, _ := s.record.StoredIn(zone.Name)
	s.found(token)
	if err := b.Set(ctx, legacyKey(zone), token); err != nil {
		if where == KindFile {
			return fmt.Errorf("zone %s: writing the credentials file: %w", zone.Name, err)
		}
		return err
	}
	if err := s.record.SetStored(zone.Name, zone.URL, where); err != nil {
		if where == KindKernel {
			return fmt.Errorf("zone %s: stored in the kernel keyring, but could not record that it is there, so maketoken would not find it: %w", zone.Name, err)
		}
		s.warn(fmt.Sprintf("zone %s: could not record the host the credential was checked at (%v); a later change of the zone's URL will not be noticed", zone.Name, err))
	}
	for _, other := range s.places(recorded) {
		if other.Kind() == where {
			continue
		}
		err := other.Delete(ctx, legacyKey(zone))
		if err == nil || errors.Is(err, ErrNotFound) || unreachable(err) {
			continue
		}
		return fmt.Errorf("zone %s: stored in %s, but could not remove the old copy from %s: %w", zone.Name, where.Name(), other.Kind().Name(), err)
	}
	return nil
}

// deleteLegacy forgets the zone's credential of the release before
// accounts, from every place it may be in (the OS keyring, the
// credentials file, and the store the record names), and says where it
// was; with only set, only where it holds a token with that fingerprint.
// Environment variables are not touched. The record of the zone is
// cleared once every place answered: while one could not be asked, it may
// still hold the credential, which must still go only where it was
// checked.
//
// A place that cannot be reached is an error only when no other place
// held the credential (a keyring that is not there on a server, beside the
// file that held it, is no failure to forget it).
func (s *Store) deleteLegacy(ctx context.Context, zone zones.Zone, only string) ([]Kind, error) {
	recorded, _ := s.record.StoredIn(zone.Name)
	d := s.deleteEntry(ctx, s.places(recorded), legacyKey(zone), only, recorded)
	removed, failed, unreached, recordedAnswered := d.removed, d.failed, d.unreached, d.recordedAnswered
	switch {
	case failed == nil && unreached == nil:
		if err := s.record.Set(zone.Name, ""); err != nil {
			s.warn(fmt.Sprintf("zone %s: could not remove the recorded host of the credential: %v", zone.Name, err))
		}
	case recordedAnswered:
		// Gone from where login put it: lookups no longer go there (and
		// do not say it was lost), but the origin stays for a copy the
		// place that did not answer may hold.
		if err := s.record.ForgetStore(zone.Name); err != nil {
			s.warn(fmt.Sprintf("zone %s: could not update the record of the credential: %v", zone.Name, err))
		}
	}
	if failed != nil {
		return removed, failed
	}
	if unreached != nil && len(removed) == 0 {
		return removed, unreached
	}
	return removed, nil
}

// KernelEnds says what ends a credential in the kernel keyring, for
// people: "a reboot, or 3 days in which maketoken does not use it".
func KernelEnds() string {
	d := KernelLifetime()
	if d <= 0 {
		return "a reboot, or the persistent keyring's expiry, ends it"
	}
	return "a reboot ends it, and so do " + lifetimeText(d) + " in which maketoken does not use it"
}

// lifetimeText is a duration in the largest whole unit: "3 days",
// "36 hours", "90 seconds".
func lifetimeText(d time.Duration) string {
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	switch s := int64(d / time.Second); {
	case s%86400 == 0:
		return unit(s/86400, "day")
	case s%3600 == 0:
		return unit(s/3600, "hour")
	case s%60 == 0:
		return unit(s/60, "minute")
	default:
		return unit(s, "second")
	}
}
