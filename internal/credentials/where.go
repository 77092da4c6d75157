package credentials

import (
	"context"
	"strings"
	"sync"

	"github.com/maketoken/maketoken/internal/zones"
)

// Place is where a zone's credential comes from, as `zones` shows it.
type Place struct {
	// Source is SourceNone when the zone has no credential; EnvVar and
	// Store say more where it has one.
	Source Source
	EnvVar string
	Store  Kind
	// Accounts counts the zone's stored accounts (a credential from the
	// environment overrides them, but they are there).
	Accounts int
}

// WhereEach is Where for each zone of list, sending nothing anywhere: a
// credential that must not be sent (the zone moved, a malformed one) is
// still where it comes from, and so is one from the environment when the
// record of accounts cannot be read. failed is the first zone's look-up
// that may have left a credential out (a keyring's *KeyringError, a record
// of accounts or a credentials file that could not be read: see
// SkipKindOf), in the order of list; nil if there was none.
func (s *Store) WhereEach(ctx context.Context, list []zones.Zone) (places []Place, failed error) {
	places = make([]Place, len(list))
	// The record of accounts is read once for all the zones.
	recorded := s.recordedAccounts
	if s.accounts != nil {
		f, err := s.accounts.load()
		recorded = func(zone string) ([]Account, error) {
			if err != nil {
				return nil, err
			}
			return f.Zones[zone].accounts(zone), nil
		}
	}
	errs := lookUpEach(s, list, func(i int) error {
		c, n, err := s.where(ctx, list[i], recorded)
		places[i] = Place{Source: SourceNone, Accounts: n}
		if err == nil || MustNotSend(err) || c.Source == SourceEnv {
			places[i].Source, places[i].EnvVar, places[i].Store = c.Source, c.EnvVar, c.Store
		}
		if skipsZone(err) {
			return err
		}
		return nil
	})
	for _, err := range errs {
		if err != nil {
			return places, err
		}
	}
	return places, nil
}

// lookUpEach runs look for each zone and returns each one's error: at
// once for a zone whose credential is in the environment (nothing to wait
// for, and no goroutine to start: zones in a CI job starts faster), and
// concurrently for the others, each of which may wait on a keyring.
func lookUpEach(store *Store, all []zones.Zone, look func(i int) error) []error {
	errs := make([]error, len(all))
	var wg sync.WaitGroup
	for i, z := range all {
		if _, inEnv := store.EnvVarOf(z.Name); inEnv {
			errs[i] = look(i)
			continue
		}
		wg.Go(func() { errs[i] = look(i) })
	}
	wg.Wait()
	return errs
}

// Places names where a forgotten credential was, for a message: "kernel
// keyring, file"; "" when it was nowhere.
func (r Removed) Places() string {
	names := make([]string, len(r.From))
	for i, k := range r.From {
		names[i] = k.Label()
	}
	return strings.Join(names, ", ")
}
