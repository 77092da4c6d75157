// Package credentials finds, stores and forgets the one credential (a Make
// API token) that maketoken holds for each zone, and keeps the record of
// the origin each stored credential was checked at.
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
}

// Where describes the credential's place for people, e.g.
// "keyring" or "env (MAKETOKEN_TOKEN_EU1)".
func (c Credential) Where() string {
	if c.Source == SourceEnv && c.EnvVar != "" {
		return fmt.Sprintf("env (%s)", c.EnvVar)
	}
	return string(c.Source)
}

// Stored reports whether the credential comes from storage (a Backend),
// not from the environment.
func (c Credential) Stored() bool { return c.Source == SourceKeyring || c.Source == SourceFile }

// NotFoundError is a zone without any credential.
type NotFoundError struct{ Zone string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("zone %s: not logged in; run `maketoken login -z %s` (or set MAKETOKEN_TOKEN_%s)", e.Zone, e.Zone, envNameOf(e.Zone))
}

func envNameOf(zone string) string { return zones.EnvName(zone) }

// Store is the one way to a zone's credential. It looks credentials up in
// the order the CLI contract gives: MAKETOKEN_TOKEN_<ZONE>, MAKE_API_KEY
// (for its zone only), then the backends (the OS keyring, then the
// plain-text file that --insecure-storage writes). It owns the record of
// the origin each stored credential was checked at: saving records it,
// deleting clears it, and a lookup refuses a stored credential whose zone
// has moved since (*OriginChangedError).
type Store struct {
	// backends in the order they are read.
	backends []Backend
	keyring  keyringBackend
	file     fileBackend
	record   Origins
	getenv   func(string) string
	// makeZone is the zone MAKE_API_KEY belongs to; "": none, and the key
	// is unused.
	makeZone string
	found    func(string)
	warn     func(string)
}

// Options configure a Store.
type Options struct {
	Keyring        Keyring       // nil: the OS keyring
	KeyringTimeout time.Duration // bound on every keyring call; 0: 10s
	File           string        // the plain-text credentials file
	// Record is the file of the origins stored credentials were checked
	// at (credential-hosts.json); "": nothing is recorded or checked.
	Record string
	Getenv func(string) string
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

// DefaultKeyringTimeout bounds a keyring call when nothing else is set.
const DefaultKeyringTimeout = 10 * time.Second

// NewStore returns a Store.
func NewStore(o Options) *Store {
	if o.Keyring == nil {
		o.Keyring = SystemKeyring{}
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
		keyring:  keyringBackend{boundedKeyring{k: o.Keyring, timeout: o.KeyringTimeout}},
		file:     fileBackend{&fileStore{path: o.File, warn: o.Warn}},
		record:   Origins{Path: o.Record},
		getenv:   o.Getenv,
		makeZone: o.MakeZone,
		found:    o.Found,
		warn:     o.Warn,
	}
	s.backends = []Backend{s.keyring, s.file}
	return s
}

// account names the zone's entry in a backend: the zone's name.
func account(zone zones.Zone) string { return zone.Name }

// EnvVar is the variable that holds a zone's credential.
func EnvVar(zone string) string { return "MAKETOKEN_TOKEN_" + zones.EnvName(zone) }

// Lookup finds the zone's credential: the first of MAKETOKEN_TOKEN_<ZONE>,
// MAKE_API_KEY (only for the zone it belongs to, see Options.MakeZone), the
// OS keyring and the credentials file that has one.
//
// A keyring that cannot be used is an error, unless the user chose the
// plain-text file for this zone and it holds the credential.
//
// A credential with a control character or a space in it (a stray newline
// or escape sequence pasted along) is an *InvalidError: no request could
// carry it, and it is not sent.
//
// A stored credential whose zone's URL now names another origin than the
// one it was checked at is an *OriginChangedError: it must not be sent
// there. The credential is returned with either error, for its Source
// (logout may still forget it); it must not be used.
func (s *Store) Lookup(ctx context.Context, zone zones.Zone) (Credential, error) {
	c, err := s.lookup(ctx, zone)
	if c.Token != "" {
		s.found(c.Token)
	}
	if err == nil {
		err = c.check()
	}
	if err == nil && c.Stored() {
		err = s.record.Check(zone.Name, zone.URL)
	}
	return c, err
}

// InvalidError is a credential that cannot be a token: it holds a control
// character or white space.
type InvalidError struct {
	Zone  string
	Where string // e.g. "env (MAKETOKEN_TOKEN_EU1)", "keyring"
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("zone %s: the credential from %s contains a control character or a space (a stray newline or escape from copying it?), so it cannot be a token; set it to the token alone, or log in again", e.Zone, e.Where)
}

func (c Credential) check() error {
	for _, r := range c.Token {
		if unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			return &InvalidError{Zone: c.Zone, Where: c.Where()}
		}
	}
	return nil
}

func (s *Store) lookup(ctx context.Context, zone zones.Zone) (Credential, error) {
	name := zone.Name
	if v := strings.TrimSpace(s.getenv(EnvVar(name))); v != "" {
		return Credential{Zone: name, Token: v, Source: SourceEnv, EnvVar: EnvVar(name)}, nil
	}
	if s.makeZone != "" && s.makeZone == name {
		if v := strings.TrimSpace(s.getenv("MAKE_API_KEY")); v != "" {
			return Credential{Zone: name, Token: v, Source: SourceEnv, EnvVar: "MAKE_API_KEY"}, nil
		}
	}
	// The first backend that holds it wins. If none does, the last
	// failure is the answer: a file that cannot be read says more than a
	// keyring that is not there.
	var failed error
	for _, b := range s.backends {
		tok, err := b.Get(ctx, account(zone))
		if err == nil {
			return Credential{Zone: name, Token: tok, Source: b.Source()}, nil
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
	return Credential{Zone: name, Source: SourceNone}, &NotFoundError{Zone: name}
}

// CheckStores reads the zone's entry from the keyring and from the
// credentials file, without using or changing either, and returns what
// went wrong with each: nil when the store answered (with or without an
// entry). It is how `doctor` says whether the credential stores work.
func (s *Store) CheckStores(ctx context.Context, zone zones.Zone) (keyringErr, fileErr error) {
	if _, err := s.keyring.Get(ctx, account(zone)); err != nil && !errors.Is(err, ErrNotFound) {
		keyringErr = err
	}
	if _, err := s.file.Get(ctx, account(zone)); err != nil && !errors.Is(err, ErrNotFound) {
		fileErr = err
	}
	return keyringErr, fileErr
}

// Destination is the one decision of where `login` stores a credential:
// asked is what the user asked for (SourceFile for --insecure-storage;
// "" for no choice, which is the OS keyring). It never falls back to the
// plain-text file on its own.
func (s *Store) Destination(asked Source) (Source, error) {
	switch asked {
	case "":
		return SourceKeyring, nil
	case SourceKeyring, SourceFile:
		return asked, nil
	}
	return SourceNone, fmt.Errorf("cannot store a credential in %q", asked)
}

func (s *Store) backend(where Source) Backend {
	for _, b := range s.backends {
		if b.Source() == where {
			return b
		}
	}
	return nil
}

// Stored says where the zone's credential is stored, leaving the
// environment aside, and its token: where (the place login is about to
// store in) is read first, and a failure there is the error (login checks,
// before asking for a token, that the keyring can be used: a keyring that
// cannot be used is its *KeyringError); then the places read after it.
func (s *Store) Stored(ctx context.Context, zone zones.Zone, where Source) (Source, string, error) {
	start := -1
	for i, b := range s.backends {
		if b.Source() == where {
			start = i
		}
	}
	if start < 0 {
		return SourceNone, "", fmt.Errorf("zone %s: cannot store a credential in %q", zone.Name, where)
	}
	for _, b := range s.backends[start:] {
		tok, err := b.Get(ctx, account(zone))
		switch {
		case err == nil:
			s.found(tok)
			return b.Source(), tok, nil
		case !errors.Is(err, ErrNotFound):
			return SourceNone, "", err
		}
	}
	return SourceNone, "", nil
}

// Save stores token as the zone's credential in where (the keyring or the
// plain-text file), records the origin of the zone's URL as the one it was
// checked at, and removes any copy from the other places, so that exactly
// one stored credential remains. A place that cannot be reached holds no
// copy that could win.
//
// The caller checked the token at the zone's URL (login with a call, a
// rotation with the new token, create --save with the credential that
// made it).
func (s *Store) Save(ctx context.Context, zone zones.Zone, token string, where Source) error {
	b := s.backend(where)
	if b == nil {
		return fmt.Errorf("zone %s: cannot store a credential in %q", zone.Name, where)
	}
	s.found(token)
	if err := b.Set(ctx, account(zone), token); err != nil {
		if where == SourceFile {
			return fmt.Errorf("zone %s: writing the credentials file: %w", zone.Name, err)
		}
		return err
	}
	if err := s.record.Set(zone.Name, zone.URL); err != nil {
		s.warn(fmt.Sprintf("zone %s: could not record the host the credential was checked at (%v); a later change of the zone's URL will not be noticed", zone.Name, err))
	}
	for _, other := range s.backends {
		if other == b {
			continue
		}
		err := other.Delete(ctx, account(zone))
		if err == nil || errors.Is(err, ErrNotFound) || unreachable(err) {
			continue
		}
		return fmt.Errorf("zone %s: stored in %s, but could not remove the old copy from %s: %w", zone.Name, placeName(where), placeName(other.Source()), err)
	}
	return nil
}

func placeName(s Source) string {
	if s == SourceFile {
		return "the credentials file"
	}
	return "the " + string(s)
}

// Delete forgets the zone's stored credential, from every place, and says
// where it was. Environment variables are not touched. The origin record
// of the zone is cleared once every place answered: while one could not be
// asked, it may still hold the credential, which must still go only where
// it was checked.
//
// A place that cannot be reached is an error only when no other place
// held the credential (a keyring that is not there on a server, beside the
// file that held it, is no failure to forget it).
func (s *Store) Delete(ctx context.Context, zone zones.Zone) ([]Source, error) {
	var removed []Source
	var failed, unreached error
	for _, b := range s.backends {
		err := b.Delete(ctx, account(zone))
		switch {
		case err == nil:
			removed = append(removed, b.Source())
		case errors.Is(err, ErrNotFound):
		case unreachable(err):
			if unreached == nil {
				unreached = err
			}
		default:
			if failed == nil {
				failed = err
			}
		}
	}
	if failed == nil && unreached == nil {
		if err := s.record.Set(zone.Name, ""); err != nil {
			s.warn(fmt.Sprintf("zone %s: could not remove the recorded host of the credential: %v", zone.Name, err))
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
