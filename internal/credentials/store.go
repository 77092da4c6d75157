// Package credentials finds, stores and forgets the one credential (a Make
// API token) that maketoken holds for each zone.
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

// NotFoundError is a zone without any credential.
type NotFoundError struct{ Zone string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("zone %s: not logged in; run `maketoken login -z %s` (or set MAKETOKEN_TOKEN_%s)", e.Zone, e.Zone, envNameOf(e.Zone))
}

func envNameOf(zone string) string { return zones.EnvName(zone) }

// Store looks credentials up in the order the CLI contract gives:
// MAKETOKEN_TOKEN_<ZONE>, MAKE_API_KEY (for the selected zone only), the
// OS keyring, then the plain-text file written by --insecure-storage.
type Store struct {
	keyring boundedKeyring
	file    *fileStore
	getenv  func(string) string
	// makeZone is the zone MAKE_API_KEY belongs to (the one MAKE_ZONE
	// names, or one chosen explicitly); "": none, and the key is unused.
	makeZone string
}

// Options configure a Store.
type Options struct {
	Keyring        Keyring       // nil: the OS keyring
	KeyringTimeout time.Duration // bound on every keyring call; 0: 10s
	File           string        // the plain-text credentials file
	Getenv         func(string) string
	Warn           func(string) // told about a credentials file others can read
	// MakeZone is the zone MAKE_API_KEY belongs to: the zone MAKE_ZONE
	// names, or one the user chose explicitly for this command. MAKE_API_KEY
	// is never used for another zone, and "" means it is not used at all
	// (make-cli too refuses a key without a zone).
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
	return &Store{
		keyring:  boundedKeyring{k: o.Keyring, timeout: o.KeyringTimeout},
		file:     &fileStore{path: o.File, warn: o.Warn},
		getenv:   o.Getenv,
		makeZone: o.MakeZone,
	}
}

// EnvVar is the variable that holds a zone's credential.
func EnvVar(zone string) string { return "MAKETOKEN_TOKEN_" + zones.EnvName(zone) }

// Lookup finds the zone's credential. selected says whether the zone is the
// one chosen for this command: only then is MAKE_API_KEY considered, so
// that a fan-out never sends one zone's key to another zone.
//
// A keyring that cannot be used is an error, unless the user chose the
// plain-text file for this zone and it holds the credential.
//
// A credential with a control character or a space in it (a stray newline
// or escape sequence pasted along) is an *InvalidError: no request could
// carry it, and it is not sent.
func (s *Store) Lookup(ctx context.Context, zone string, selected bool) (Credential, error) {
	c, err := s.lookup(ctx, zone, selected)
	if err == nil {
		err = c.check()
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

func (s *Store) lookup(ctx context.Context, zone string, selected bool) (Credential, error) {
	if v := strings.TrimSpace(s.getenv(EnvVar(zone))); v != "" {
		return Credential{Zone: zone, Token: v, Source: SourceEnv, EnvVar: EnvVar(zone)}, nil
	}
	if selected && s.makeZone != "" && s.makeZone == zone {
		if v := strings.TrimSpace(s.getenv("MAKE_API_KEY")); v != "" {
			return Credential{Zone: zone, Token: v, Source: SourceEnv, EnvVar: "MAKE_API_KEY"}, nil
		}
	}
	tok, kerr := s.keyring.get(ctx, zone)
	if kerr == nil && tok != "" {
		return Credential{Zone: zone, Token: tok, Source: SourceKeyring}, nil
	}
	if err := ctx.Err(); err != nil {
		return Credential{}, err
	}
	tok, ferr := s.file.get(zone)
	if ferr == nil {
		return Credential{Zone: zone, Token: tok, Source: SourceFile}, nil
	}
	if !errors.Is(ferr, ErrNotFound) {
		return Credential{}, ferr
	}
	if kerr != nil && !errors.Is(kerr, ErrNotFound) {
		return Credential{}, kerr
	}
	return Credential{Zone: zone, Source: SourceNone}, &NotFoundError{Zone: zone}
}

// CheckStores reads the zone's entry from the keyring and from the
// credentials file, without using or changing either, and returns what
// went wrong with each: nil when the store answered (with or without an
// entry). It is how `doctor` says whether the credential stores work.
func (s *Store) CheckStores(ctx context.Context, zone string) (keyringErr, fileErr error) {
	if _, err := s.keyring.get(ctx, zone); err != nil && !errors.Is(err, ErrNotFound) {
		keyringErr = err
	}
	if _, err := s.file.get(zone); err != nil && !errors.Is(err, ErrNotFound) {
		fileErr = err
	}
	return keyringErr, fileErr
}

// Stored says where the zone's credential is stored (keyring or file;
// none), leaving the environment aside, and its token. It is how login
// checks, before asking for a token, that the keyring can be used: a
// keyring that cannot be used is its *KeyringError. With fileOnly (login
// --insecure-storage) only the file is looked at.
func (s *Store) Stored(ctx context.Context, zone string, fileOnly bool) (Source, string, error) {
	if !fileOnly {
		tok, kerr := s.keyring.get(ctx, zone)
		switch {
		case kerr == nil && tok != "":
			return SourceKeyring, tok, nil
		case kerr != nil && !errors.Is(kerr, ErrNotFound):
			return SourceNone, "", kerr
		}
	}
	tok, ferr := s.file.get(zone)
	switch {
	case ferr == nil:
		return SourceFile, tok, nil
	case !errors.Is(ferr, ErrNotFound):
		return SourceNone, "", ferr
	}
	return SourceNone, "", nil
}

// Save stores token as the zone's credential, in the keyring or (when the
// user asked for it) in the plain-text file, and removes any copy from the
// other place so that exactly one stored credential remains.
func (s *Store) Save(ctx context.Context, zone, token string, where Source) error {
	switch where {
	case SourceKeyring:
		if err := s.keyring.set(ctx, zone, token); err != nil {
			return err
		}
		if _, err := s.file.update(zone, ""); err != nil {
			return fmt.Errorf("zone %s: stored in the keyring, but could not remove the old copy from the credentials file: %w", zone, err)
		}
		return nil
	case SourceFile:
		if _, err := s.file.update(zone, token); err != nil {
			return fmt.Errorf("zone %s: writing the credentials file: %w", zone, err)
		}
		// A keyring entry would win over the file: remove it if the keyring
		// can be reached; if not, there is nothing in it to win.
		if err := s.keyring.delete(ctx, zone); err != nil && !errors.Is(err, ErrNotFound) {
			var ke *KeyringError
			if !errors.As(err, &ke) {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("zone %s: cannot store a credential in %q", zone, where)
	}
}

// Delete forgets the zone's stored credential, from the keyring and from the
// file, and says where it was. Environment variables are not touched.
func (s *Store) Delete(ctx context.Context, zone string) ([]Source, error) {
	var removed []Source
	kerr := s.keyring.delete(ctx, zone)
	if kerr == nil {
		removed = append(removed, SourceKeyring)
	} else if errors.Is(kerr, ErrNotFound) {
		kerr = nil
	}
	had, ferr := s.file.update(zone, "")
	if had && ferr == nil {
		removed = append(removed, SourceFile)
	}
	if ferr != nil {
		return removed, ferr
	}
	if kerr != nil && len(removed) == 0 {
		return removed, kerr
	}
	return removed, nil
}
