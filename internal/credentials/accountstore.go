package credentials

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/maketoken/maketoken/internal/zones"
)

// Identify asks Make whose token is: GET /users/me at the zone's URL.
// It wraps ErrRejected when Make rejects the token (401).
type Identify func(ctx context.Context, zone zones.Zone, token string) (User, error)

// ErrRejected is a token Make does not accept (it answered 401).
var ErrRejected = errors.New("the token was rejected (401)")

// UnknownUserError is --user naming no stored account of the zone (of
// any zone, in a fan-out: Zone "").
type UnknownUserError struct {
	Zone  string
	Asked string
	// Known are the zone's stored accounts, for people.
	Known []string
	// Unidentified is why the zone's one credential, stored by the release
	// before accounts, is not an account yet (Make could not be asked
	// whose it is).
	Unidentified error
}

func (e *UnknownUserError) Error() string {
	switch {
	case e.Zone == "" && len(e.Known) == 0:
		return fmt.Sprintf("no zone has an account stored for %s (no zone has any); run `maketoken login -z ZONE` with a token of %s", e.Asked, e.Asked)
	case e.Zone == "":
		return fmt.Sprintf("no zone has an account stored for %s; the stored accounts: %s", e.Asked, strings.Join(e.Known, ", "))
	case e.Unidentified != nil:
		return fmt.Sprintf("zone %s: no account is stored for %s: the zone's credential was stored by an older maketoken, and whose it is could not be asked of Make (%v); try again, or run `maketoken login -z %s` with a token of %s", e.Zone, e.Asked, e.Unidentified, e.Zone, e.Asked)
	case len(e.Known) == 0:
		return fmt.Sprintf("zone %s: no account is stored for %s (the zone has none); run `maketoken login -z %s` with a token of %s", e.Zone, e.Asked, e.Zone, e.Asked)
	}
	return fmt.Sprintf("zone %s: no account is stored for %s; the zone's accounts: %s (or run `maketoken login -z %s` with a token of %s)", e.Zone, e.Asked, strings.Join(e.Known, ", "), e.Zone, e.Asked)
}

// EnvUserError is --user for a zone whose credential comes from the
// environment, which overrides every stored account.
type EnvUserError struct {
	Zone, Asked, EnvVar string
}

func (e *EnvUserError) Error() string {
	return fmt.Sprintf("zone %s: --user %s picks a stored account, but the zone's credential comes from %s, which overrides them; unset %s to use a stored account", e.Zone, e.Asked, e.EnvVar, e.EnvVar)
}

// UserChangedError is a stored credential that Make says belongs to
// another user than the account it is stored for. It is not used as that
// account's until the account logs in again.
type UserChangedError struct {
	Zone    string
	Account User // the account it is stored for
	Now     User // whose Make says it is
}

func (e *UserChangedError) Error() string {
	who := Account{User: e.Account}.Who()
	now := Account{User: e.Now}.Who()
	return fmt.Sprintf("zone %s: the credential stored for %s belongs to %s (Make's /users/me says so), so it was not used as %s's; run `maketoken login -z %s` with a token of %s, or `maketoken logout -z %s --user %s`", e.Zone, who, now, who, e.Zone, who, e.Zone, who)
}

// Lookup finds the zone's credential: the first of MAKETOKEN_TOKEN_<ZONE>,
// MAKE_API_KEY (only for the zone it belongs to, see Options.MakeZone), and
// the credential of the zone's active account. It is LookupUser for the
// active account.
func (s *Store) Lookup(ctx context.Context, zone zones.Zone) (Credential, error) {
	return s.LookupUser(ctx, zone, "")
}

// LookupUser finds the credential of the zone's stored account who names
// (its email, any case, or its user id), or of the active account when
// who is "". A credential in the environment overrides every account: it
// is the answer for "", and an *EnvUserError for a who. A who no account
// of the zone matches is an *UnknownUserError.
//
// The first lookup of a zone that holds the one credential the release
// before accounts stored makes it the zone's one account, without a
// prompt: Make is asked whose it is (Options.Identify), the credential is
// copied to the account's entry and the account recorded; the old entry is
// left as it was. If Make cannot be asked, the old credential is used as
// that release used it, and the upgrade is tried again next time.
//
// A stored credential is refused, and returned with the error (for its
// Source and Account: logout may still forget it; it must not be used),
// when:
//   - it holds a control character or white space (*InvalidError): no
//     request could carry it;
//   - its zone's URL now names another origin than the one it was checked
//     at (*OriginChangedError);
//   - it is not the token maketoken stored for the account and Make says
//     it belongs to another user (*UserChangedError). Such a token, found
//     where maketoken did not put it (another program or an older
//     maketoken wrote the entry), is identified with Make before any other
//     use; the answer is recorded, so that Make is asked once.
//
// A keyring that cannot be used is an error.
func (s *Store) LookupUser(ctx context.Context, zone zones.Zone, who string) (Credential, error) {
	who = strings.TrimSpace(who)
	if c, ok := s.fromEnv(zone.Name); ok {
		s.found(c.Token)
		if who != "" {
			return c, &EnvUserError{Zone: zone.Name, Asked: who, EnvVar: c.EnvVar}
		}
		return c, c.check()
	}
	return s.LookupStored(ctx, zone, who)
}

// LookupStored is LookupUser without the environment: the stored
// credential of the account who names (the active one for ""), even while
// a variable overrides it. logout forgets it so.
func (s *Store) LookupStored(ctx context.Context, zone zones.Zone, who string) (Credential, error) {
	who = strings.TrimSpace(who)
	if s.accounts == nil {
		c, err := s.legacyLookup(ctx, zone)
		if err == nil {
			err = s.checkLegacy(zone, c)
		}
		if err == nil && who != "" {
			err = &UnknownUserError{Zone: zone.Name, Asked: who, Unidentified: errors.New("accounts need maketoken's config folder; set HOME or XDG_CONFIG_HOME")}
		}
		return c, err
	}
	accts, err := s.accounts.zone(zone.Name)
	if err != nil {
		return Credential{}, err
	}
	if len(accts) == 0 {
		return s.upgradeLookup(ctx, zone, who)
	}
	a, err := pick(zone.Name, accts, who)
	if err != nil {
		return Credential{Zone: zone.Name, Source: SourceNone}, err
	}
	return s.read(ctx, zone, a)
}

// pick is the account who names, or the active one for "".
func pick(zone string, accts []Account, who string) (Account, error) {
	var known []string
	for _, a := range accts {
		if (who == "" && a.Active) || (who != "" && a.Matches(who)) {
			return a, nil
		}
		known = append(known, a.Who())
	}
	return Account{}, &UnknownUserError{Zone: zone, Asked: who, Known: known}
}

// read reads an account's credential and refuses it if it must not be
// used (see LookupUser).
func (s *Store) read(ctx context.Context, zone zones.Zone, a Account) (Credential, error) {
	c := Credential{Zone: zone.Name, Source: SourceNone, Account: &a}
	b := s.backend(a.Store)
	if b == nil {
		return c, fmt.Errorf("zone %s: the credential of %s was stored in %s, which this system does not have; run `maketoken login -z %s` again", zone.Name, a.Who(), a.Store.Name(), zone.Name)
	}
	tok, err := b.Get(ctx, a.entry)
	switch {
	case errors.Is(err, ErrNotFound):
		return c, &NotFoundError{Zone: zone.Name, Store: a.Store, Account: a.Who()}
	case err != nil:
		return Credential{}, err
	}
	c.Token, c.Source, c.Store = tok, a.Store.Source(), a.Store
	s.found(tok)
	if err := c.check(); err != nil {
		return c, err
	}
	if a.Origin != "" && a.Origin != Origin(zone.URL) {
		return c, &OriginChangedError{Zone: zone.Name, Recorded: a.Origin, Current: Origin(zone.URL)}
	}
	fp := fingerprint(tok)
	if fp == a.refused {
		return c, &UserChangedError{Zone: zone.Name, Account: a.User, Now: a.refusedBy}
	}
	if fp != a.check {
		if s.identify == nil {
			return c, fmt.Errorf("zone %s: the credential stored for %s is not the one maketoken stored, and whose it is cannot be asked of Make here", zone.Name, a.Who())
		}
		u, err := s.identify(ctx, zone, tok)
		if err != nil {
			return c, fmt.Errorf("zone %s: the credential stored for %s is not the one maketoken stored there (another program, or an older maketoken, changed it), and whose it is could not be asked of Make: %w", zone.Name, a.Who(), err)
		}
		if err := s.confirm(ctx, zone.Name, a, tok, u); err != nil {
			return c, err
		}
	}
	return c, nil
}

// ConfirmUser is told whom Make says a credential belongs to, by a
// command that asked anyway (GET /users/me: status, doctor): a stored
// credential that belongs to another user than its account is refused
// from now on (*UserChangedError) until the account logs in again. A
// user's new email or name is recorded.
func (s *Store) ConfirmUser(ctx context.Context, c Credential, u User) error {
	if c.Account == nil || !c.Stored() || s.accounts == nil {
		return nil
	}
	return s.confirm(ctx, c.Zone, *c.Account, c.Token, u)
}

func (s *Store) confirm(ctx context.Context, zone string, a Account, token string, u User) error {
	fp := fingerprint(token)
	same := u.ID == a.ID
	if same && fp == a.check && u.Email == a.Email && u.Name == a.Name {
		return nil
	}
	err := s.accounts.update(ctx, zone, func(z *zoneAccounts) error {
		r := z.find(a.ID)
		if r == nil {
			return errNoChange // logged out meanwhile
		}
		if same {
			r.Email, r.Name, r.Check = u.Email, u.Name, fp
			r.Refused, r.RefusedID, r.RefusedEmail = "", 0, ""
			return nil
		}
		r.Refused, r.RefusedID, r.RefusedEmail = fp, u.ID, u.Email
		return nil
	})
	if !same {
		return &UserChangedError{Zone: zone, Account: a.User, Now: u}
	}
	if err != nil {
		s.warn(fmt.Sprintf("zone %s: could not update the record of accounts: %v", zone, err))
	}
	return nil
}

// upgradeLookup is LookupUser for a zone without accounts: the
// credential of the release before accounts, made an account (see
// upgrade).
func (s *Store) upgradeLookup(ctx context.Context, zone zones.Zone, who string) (Credential, error) {
	c, err := s.legacyLookup(ctx, zone)
	if err == nil {
		err = s.checkLegacy(zone, c)
	}
	if err != nil {
		if who != "" && isNotFound(err) {
			return c, &UnknownUserError{Zone: zone.Name, Asked: who}
		}
		return c, err
	}
	a, err := s.upgrade(ctx, zone, c)
	switch {
	case err == nil:
		c.Account = &a
	case who != "":
		return c, &UnknownUserError{Zone: zone.Name, Asked: who, Unidentified: err}
	default:
		// Used as the release before accounts used it; the upgrade is
		// tried again next time.
		return c, nil
	}
	if who != "" && !a.Matches(who) {
		return c, &UnknownUserError{Zone: zone.Name, Asked: who, Known: []string{a.Who()}}
	}
	return c, nil
}

func isNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// upgrade makes c, the zone's one credential as the release before
// accounts stored it, the zone's one account: Make is asked whose it is,
// the token is written to the account's entry in the same store, and the
// account is recorded, with the origin the old record holds for the zone.
// The old entry is not changed (that release still finds it after a
// downgrade; logout of the account removes it). Whatever fails or is
// interrupted, the old entry stays readable and the upgrade is tried
// again on the next use.
func (s *Store) upgrade(ctx context.Context, zone zones.Zone, c Credential) (Account, error) {
	if s.identify == nil {
		return Account{}, errors.New("no way to ask Make here")
	}
	u, err := s.identify(ctx, zone, c.Token)
	if err != nil {
		return Account{}, err
	}
	b := s.backend(c.Store)
	if b == nil {
		return Account{}, fmt.Errorf("zone %s: no store %q here", zone.Name, c.Store)
	}
	origin, err := s.record.Recorded(zone.Name)
	if err != nil {
		return Account{}, err
	}
	fp := fingerprint(c.Token)
	var out Account
	err = s.accounts.update(ctx, zone.Name, func(z *zoneAccounts) error {
		if len(z.Accounts) > 0 {
			// Another maketoken did it meanwhile.
			a, err := pick(zone.Name, z.accounts(zone.Name), "")
			out = a
			if err == nil {
				err = errNoChange
			}
			return err
		}
		entry := entryKey(zone.Name, u.ID)
		if err := b.Set(ctx, entry, c.Token); err != nil {
			return err
		}
		z.Accounts = []accountRecord{{ID: u.ID, Email: u.Email, Name: u.Name, Entry: entry, Store: c.Store, Origin: origin, Check: fp, Legacy: fp}}
		z.Active = u.ID
		out = z.Accounts[0].account(zone.Name, u.ID)
		return nil
	})
	return out, err
}

// Accounts returns the zone's stored accounts, in the order they were
// added, the active one marked. A zone that holds the one credential the
// release before accounts stored is upgraded first (see LookupUser); if
// Make cannot be asked whose it is, the zone has no accounts yet (use
// Lookup for its credential). Environment variables play no part.
func (s *Store) Accounts(ctx context.Context, zone zones.Zone) ([]Account, error) {
	if s.accounts == nil {
		return nil, nil
	}
	accts, err := s.accounts.zone(zone.Name)
	if err != nil || len(accts) > 0 {
		return accts, err
	}
	c, err := s.legacyLookup(ctx, zone)
	if err == nil {
		err = s.checkLegacy(zone, c)
	}
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	if _, err := s.upgrade(ctx, zone, c); err != nil {
		return nil, nil //nolint:nilerr // not upgraded yet: no accounts, and Lookup still finds the credential
	}
	return s.accounts.zone(zone.Name)
}

// RecordedAccount is the stored account a command will use in the zone,
// as the record says (who as for LookupUser), without reading any store:
// nil for a credential from the environment, and for a zone without
// accounts (its credential, if any, was stored by an older maketoken). It
// is how a rotation knows which account's lock to take before it reads
// the credential.
func (s *Store) RecordedAccount(zone string, who string) (*Account, error) {
	if _, ok := s.fromEnv(zone); ok || s.accounts == nil {
		return nil, nil
	}
	accts, err := s.accounts.zone(zone)
	if err != nil || len(accts) == 0 {
		return nil, err
	}
	a, err := pick(zone, accts, strings.TrimSpace(who))
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// EnvVarOf names the variable the zone's credential comes from, if it
// comes from the environment (which overrides every stored account).
func (s *Store) EnvVarOf(zone string) (string, bool) {
	c, ok := s.fromEnv(zone)
	return c.EnvVar, ok
}

// Where says where the zone's credential comes from and how many stored
// accounts the zone has, as `zones` shows it: Lookup's answer, without
// asking Make anything (a credential an older maketoken stored is not made
// an account here: it counts as one) and without the check of a stored
// token against the one maketoken stored.
func (s *Store) Where(ctx context.Context, zone zones.Zone) (Credential, int, error) {
	return s.where(ctx, zone, s.recordedAccounts)
}

// recordedAccounts reads the zone's accounts from the record of accounts
// (none without one).
func (s *Store) recordedAccounts(zone string) ([]Account, error) {
	if s.accounts == nil {
		return nil, nil
	}
	return s.accounts.zone(zone)
}

// where is Where with the zone's recorded accounts from recorded.
func (s *Store) where(ctx context.Context, zone zones.Zone, recorded func(zone string) ([]Account, error)) (Credential, int, error) {
	accts, err := recorded(zone.Name)
	if c, ok := s.fromEnv(zone.Name); ok {
		// The environment's credential is the zone's whatever the record
		// holds; a record that cannot be read is said all the same.
		s.found(c.Token)
		if cerr := c.check(); cerr != nil {
			return c, len(accts), cerr
		}
		return c, len(accts), err
	}
	if err != nil {
		return Credential{}, 0, err
	}
	if len(accts) == 0 {
		c, err := s.legacyLookup(ctx, zone)
		if err == nil {
			err = s.checkLegacy(zone, c)
		}
		n := 0
		if c.Token != "" {
			n = 1
		}
		return c, n, err
	}
	a, err := pick(zone.Name, accts, "")
	if err != nil {
		return Credential{}, len(accts), err
	}
	c := Credential{Zone: zone.Name, Source: SourceNone, Account: &a}
	b := s.backend(a.Store)
	if b == nil {
		return c, len(accts), &NotFoundError{Zone: zone.Name, Store: a.Store, Account: a.Who()}
	}
	tok, err := b.Get(ctx, a.entry)
	switch {
	case errors.Is(err, ErrNotFound):
		return c, len(accts), &NotFoundError{Zone: zone.Name, Store: a.Store, Account: a.Who()}
	case err != nil:
		return Credential{}, len(accts), err
	}
	c.Token, c.Source, c.Store = tok, a.Store.Source(), a.Store
	s.found(tok)
	if err := c.check(); err != nil {
		return c, len(accts), err
	}
	if a.Origin != "" && a.Origin != Origin(zone.URL) {
		return c, len(accts), &OriginChangedError{Zone: zone.Name, Recorded: a.Origin, Current: Origin(zone.URL)}
	}
	return c, len(accts), nil
}

// RecordedAccounts returns the zone's accounts as the record holds them,
// without reading any store or asking Make (for completion and `zones`):
// a zone whose one credential the release before accounts stored has
// none yet.
func (s *Store) RecordedAccounts(zone string) ([]Account, error) {
	if s.accounts == nil {
		return nil, nil
	}
	return s.accounts.zone(zone)
}

// RecordedUsers returns the accounts of the zones as the record holds
// them (see RecordedAccounts), zone by zone, each email once (its first
// account) and none without an email: the users --user can name, for
// completion.
func (s *Store) RecordedUsers(list []zones.Zone) []Account {
	var out []Account
	seen := map[string]bool{}
	for _, z := range list {
		accts, _ := s.RecordedAccounts(z.Name)
		for _, a := range accts {
			if a.Email != "" && !seen[a.Email] {
				seen[a.Email] = true
				out = append(out, a)
			}
		}
	}
	return out
}

// Saved is what Login did.
type Saved struct {
	// Account is the account stored, now the zone's active one.
	Account Account
	// Replaced says the user had a stored account, whose credential was
	// replaced; Old is that credential ("" if it could not be read).
	Replaced bool
	Old      string
	// Previous is the account that was active before, if it was another.
	Previous *Account
}

// Login stores token, checked at the zone's URL and found to belong to u,
// as the credential of u's account in the zone, in where (a keyring or
// the plain-text file), and makes it the zone's active account: a user
// with a stored account has its credential replaced, another user is
// added. The account records the store and the origin of the zone's URL
// (the token is sent nowhere else). A copy of its entry in another place
// is removed, so that exactly one remains.
//
// A zone holding the one credential of the release before accounts is
// upgraded first, so that its user is known: if Make cannot be asked
// whose it is, nothing is stored (it could be another user's, and must
// not be lost), unless Make rejects it: then the login takes its place.
func (s *Store) Login(ctx context.Context, zone zones.Zone, u User, token string, where Kind) (Saved, error) {
	s.found(token)
	if s.accounts == nil {
		was, _ := s.legacyLookup(ctx, zone)
		if err := s.saveLegacy(ctx, zone, token, where); err != nil {
			return Saved{}, err
		}
		return Saved{Account: Account{Zone: zone.Name, User: u, Active: true, Store: where, Origin: Origin(zone.URL)}, Replaced: was.Token != "", Old: was.Token}, nil
	}
	b := s.backend(where)
	if b == nil {
		return Saved{}, fmt.Errorf("zone %s: cannot store a credential in %q", zone.Name, where)
	}
	accts, err := s.accounts.zone(zone.Name)
	if err != nil {
		return Saved{}, err
	}
	if len(accts) == 0 {
		if err := s.upgradeBeforeLogin(ctx, zone); err != nil {
			return Saved{}, err
		}
	}
	var (
		saved   Saved
		isNew   bool
		entry   string
		oldFrom Kind
		wrote   bool
	)
	fp := fingerprint(token)
	err = s.accounts.update(ctx, zone.Name, func(z *zoneAccounts) error {
		for _, a := range z.accounts(zone.Name) {
			if a.Active && a.ID != u.ID {
				saved.Previous = &a
			}
		}
		r := z.find(u.ID)
		isNew = r == nil
		entry = entryKey(zone.Name, u.ID)
		if !isNew {
			entry, oldFrom = r.Entry, r.Store
			saved.Replaced = true
			if ob := s.backend(r.Store); ob != nil {
				if old, err := ob.Get(ctx, r.Entry); err == nil {
					saved.Old = old
					s.found(old)
				}
			}
		}
		if err := b.Set(ctx, entry, token); err != nil {
			if where == KindFile {
				return fmt.Errorf("zone %s: writing the credentials file: %w", zone.Name, err)
			}
			return err
		}
		wrote = true
		rec := accountRecord{ID: u.ID, Email: u.Email, Name: u.Name, Entry: entry, Store: where, Origin: Origin(zone.URL), Check: fp}
		if isNew {
			z.Accounts = append(z.Accounts, rec)
		} else {
			rec.Legacy = r.Legacy
			*r = rec
		}
		z.Active = u.ID
		saved.Account = rec.account(zone.Name, u.ID)
		return nil
	})
	if err != nil {
		if wrote && isNew {
			// Not recorded: an entry nobody would find again.
			_ = b.Delete(context.WithoutCancel(ctx), entry)
		}
		if wrote {
			return Saved{}, fmt.Errorf("zone %s: stored in %s, but could not record the account: %w", zone.Name, where.Name(), err)
		}
		return Saved{}, err
	}
	if err := s.removeCopies(ctx, zone, entry, where, oldFrom); err != nil {
		return saved, err
	}
	return saved, nil
}

// upgradeBeforeLogin makes the zone's credential of the release before
// accounts an account before a login, so that the login knows whether it
// replaces it. See Login.
func (s *Store) upgradeBeforeLogin(ctx context.Context, zone zones.Zone) error {
	c, err := s.legacyLookup(ctx, zone)
	if err == nil {
		err = s.checkLegacy(zone, c)
	}
	switch {
	case isNotFound(err), unreachable(err):
		// Nothing there, or a keyring that cannot be used (the login
		// stores elsewhere): nothing it could read to lose.
		return nil
	case err != nil:
		var (
			moved   *OriginChangedError
			invalid *InvalidError
		)
		if errors.As(err, &moved) || errors.As(err, &invalid) {
			// Checked at another origin: the new login is confirmed
			// here, and takes its place as the old release's would.
			// Or no token at all (a control character, a space): it
			// can be neither sent nor asked about, and the login is
			// what its error says to do. Its entry stays as it was.
			return nil
		}
		return err
	}
	_, err = s.upgrade(ctx, zone, c)
	switch {
	case err == nil, errors.Is(err, ErrRejected):
		return nil
	}
	return fmt.Errorf("zone %s: an older maketoken stored a credential for the zone, and whose it is could not be asked of Make (%w); nothing was stored, so that it is not lost: try again", zone.Name, err)
}

// removeCopies removes the entry from every place but where: the legacy
// places and the store it was in before (from). A place that cannot be
// reached holds no copy that could win (an account is read from its store
// only).
func (s *Store) removeCopies(ctx context.Context, zone zones.Zone, entry string, where, from Kind) error {
	for _, other := range s.places(from) {
		if other.Kind() == where {
			continue
		}
		err := other.Delete(ctx, entry)
		if err == nil || errors.Is(err, ErrNotFound) || unreachable(err) {
			continue
		}
		return fmt.Errorf("zone %s: stored in %s, but could not remove the old copy from %s: %w", zone.Name, where.Name(), other.Kind().Name(), err)
	}
	return nil
}

// SaveFor stores token as the new credential of c's account (a rotation,
// create --save), in the store c came from: that account's only, the
// zone's active account stays what it was. The caller checked the token
// (a rotation with a call made with it; create --save made it with c). A
// credential of the release before accounts not made an account yet is
// saved as that release saved it.
func (s *Store) SaveFor(ctx context.Context, zone zones.Zone, c Credential, token string) error {
	s.found(token)
	if c.Account == nil || s.accounts == nil {
		return s.saveLegacy(ctx, zone, token, c.Store)
	}
	a := *c.Account
	b := s.backend(a.Store)
	if b == nil {
		return fmt.Errorf("zone %s: cannot store a credential in %q", zone.Name, a.Store)
	}
	fp := fingerprint(token)
	return s.accounts.update(ctx, zone.Name, func(z *zoneAccounts) error {
		if err := b.Set(ctx, a.entry, token); err != nil {
			if a.Store == KindFile {
				return fmt.Errorf("zone %s: writing the credentials file: %w", zone.Name, err)
			}
			return err
		}
		r := z.find(a.ID)
		if r == nil {
			// Logged out while the token was made: it is recorded
			// again, so that it can be found (it is the only copy).
			z.Accounts = append(z.Accounts, accountRecord{ID: a.ID, Email: a.Email, Name: a.Name, Entry: a.entry, Store: a.Store, Origin: a.Origin})
			r = &z.Accounts[len(z.Accounts)-1]
		}
		r.Check = fp
		r.Refused, r.RefusedID, r.RefusedEmail = "", 0, ""
		return nil
	})
}

// Reread reads c's account's credential again, as it is stored now,
// without checking it: for a rotation to see what storage holds after a
// write it could not confirm.
func (s *Store) Reread(ctx context.Context, zone zones.Zone, c Credential) (string, error) {
	if c.Account == nil || s.accounts == nil {
		l, err := s.legacyLookup(ctx, zone)
		if err == nil {
			s.found(l.Token)
		}
		return l.Token, err
	}
	b := s.backend(c.Account.Store)
	if b == nil {
		return "", fmt.Errorf("zone %s: no store %q here", zone.Name, c.Account.Store)
	}
	tok, err := b.Get(ctx, c.Account.entry)
	if err == nil {
		s.found(tok)
	}
	return tok, err
}

// Removed is what Delete did.
type Removed struct {
	// Account is the account forgotten; nil for a credential of the
	// release before accounts that was not one yet.
	Account *Account
	// From is where its credential was.
	From []Kind
	// Active is the zone's active account now, if the one forgotten was
	// active and another is left.
	Active *Account
}

// Delete forgets a stored account of the zone, the active one for who ""
// (see LookupUser for who): its credential, from every place it may be in,
// and its record. If it was active, the next one left (in the order they
// were added) becomes active. An account made from the credential of the
// release before accounts also takes that credential with it, from every
// place that still holds it (not one an older maketoken stored since).
// Environment variables are not touched.
//
// A place that cannot be reached is an error only when no other place
// held the credential (a keyring that is not there on a server, beside the
// file that held it, is no failure to forget it). The account stays
// recorded when its credential could not be removed.
func (s *Store) Delete(ctx context.Context, zone zones.Zone, who string) (Removed, error) {
	who = strings.TrimSpace(who)
	var accts []Account
	if s.accounts != nil {
		var err error
		if accts, err = s.accounts.zone(zone.Name); err != nil {
			return Removed{}, err
		}
		if len(accts) == 0 && who != "" {
			if accts, err = s.Accounts(ctx, zone); err != nil {
				return Removed{}, err
			}
		}
	}
	if len(accts) == 0 {
		if who != "" {
			return Removed{}, &UnknownUserError{Zone: zone.Name, Asked: who}
		}
		from, err := s.deleteLegacy(ctx, zone, "")
		return Removed{From: from}, err
	}
	a, err := pick(zone.Name, accts, who)
	if err != nil {
		return Removed{}, err
	}
	out := Removed{Account: &a}
	d := s.deleteEntry(ctx, s.places(a.Store), a.entry, "", a.Store)
	out.From = d.removed
	if d.failed != nil {
		return out, d.failed
	}
	if d.unreached != nil && len(d.removed) == 0 {
		return out, d.unreached
	}
	if a.legacy != "" {
		from, err := s.deleteLegacy(ctx, zone, a.legacy)
		for _, k := range from {
			if !slices.Contains(out.From, k) {
				out.From = append(out.From, k)
			}
		}
		if err != nil && !isNotFound(err) {
			s.warn(fmt.Sprintf("zone %s: the credential an older maketoken stored for the zone could not be removed: %v", zone.Name, err))
		}
	}
	err = s.accounts.update(ctx, zone.Name, func(z *zoneAccounts) error {
		z.Accounts = slices.DeleteFunc(z.Accounts, func(r accountRecord) bool { return r.ID == a.ID })
		if a.Active && len(z.Accounts) > 0 {
			z.Active = z.Accounts[0].ID
			next := z.Accounts[0].account(zone.Name, z.Active)
			out.Active = &next
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("zone %s: the credential of %s was removed, but the record of accounts could not be updated: %w", zone.Name, a.Who(), err)
	}
	return out, nil
}

// Forget is Delete for the account c belongs to (the credential of the
// zone's account a command used, e.g. one it revoked).
func (s *Store) Forget(ctx context.Context, zone zones.Zone, c Credential) (Removed, error) {
	if c.Account == nil {
		return s.Delete(ctx, zone, "")
	}
	return s.Delete(ctx, zone, fmt.Sprint(c.Account.ID))
}

// Switch makes the zone's account who names active and returns it. With
// who "", a zone with exactly two accounts switches to the other one;
// with more, who is needed (*ChooseError). Nothing but the record is
// read or changed.
func (s *Store) Switch(ctx context.Context, zone zones.Zone, who string) (Account, error) {
	accts, err := s.Accounts(ctx, zone)
	if err != nil {
		return Account{}, err
	}
	who = strings.TrimSpace(who)
	var to Account
	switch {
	case len(accts) == 0:
		return Account{}, &NotFoundError{Zone: zone.Name}
	case who != "":
		if to, err = pick(zone.Name, accts, who); err != nil {
			return Account{}, err
		}
	case len(accts) == 1:
		return Account{}, &ChooseError{Zone: zone.Name, Accounts: accts}
	case len(accts) == 2:
		to = accts[0]
		if to.Active {
			to = accts[1]
		}
	default:
		return Account{}, &ChooseError{Zone: zone.Name, Accounts: accts}
	}
	if to.Active {
		return to, nil
	}
	err = s.accounts.update(ctx, zone.Name, func(z *zoneAccounts) error {
		if z.find(to.ID) == nil {
			return &UnknownUserError{Zone: zone.Name, Asked: to.Who()}
		}
		z.Active = to.ID
		return nil
	})
	to.Active = err == nil
	return to, err
}

// ChooseError is a switch that needs to be told which account: the zone
// has one account (nothing to switch to) or more than two.
type ChooseError struct {
	Zone     string
	Accounts []Account
}

func (e *ChooseError) Error() string {
	if len(e.Accounts) == 1 {
		return fmt.Sprintf("zone %s has one account (%s): there is none to switch to; add one with `maketoken login -z %s`", e.Zone, e.Accounts[0].Who(), e.Zone)
	}
	names := make([]string, len(e.Accounts))
	for i, a := range e.Accounts {
		names[i] = a.Who()
	}
	return fmt.Sprintf("zone %s has %d accounts (%s): say which with --user EMAIL", e.Zone, len(e.Accounts), strings.Join(names, ", "))
}

// deletion is what deleteEntry did in each place.
type deletion struct {
	removed           []Kind
	failed, unreached error
	// recordedAnswered: the recorded store answered.
	recordedAnswered bool
}

// deleteEntry removes the entry from each place; with only set, only
// where it holds a token with that fingerprint.
func (s *Store) deleteEntry(ctx context.Context, places []Backend, entry, only string, recorded Kind) deletion {
	var d deletion
	for _, b := range places {
		var err error
		if only != "" {
			var tok string
			if tok, err = b.Get(ctx, entry); err == nil && fingerprint(tok) != only {
				continue // another credential, stored since: not this one's
			}
		}
		if err == nil {
			err = b.Delete(ctx, entry)
		}
		switch {
		case err == nil:
			d.removed = append(d.removed, b.Kind())
		case errors.Is(err, ErrNotFound):
		case unreachable(err):
			if d.unreached == nil {
				d.unreached = err
			}
			continue
		default:
			if d.failed == nil {
				d.failed = err
			}
			continue
		}
		d.recordedAnswered = d.recordedAnswered || b.Kind() == recorded
	}
	return d
}
