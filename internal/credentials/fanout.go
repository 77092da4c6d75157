package credentials

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"

	"github.com/maketoken/maketoken/internal/zones"
)

// Target is a zone with the credential a command uses for it. Err, in a
// fan-out, is why the zone failed before any request: it has a credential
// that must not be sent (MustNotSend: the zone moved since login, a
// malformed credential), or, with every, an account whose lookup failed.
// The zone is reported as failed; Credential is not to be used.
type Target struct {
	Zone       zones.Zone
	Credential Credential
	Err        error
}

// CallCredential is the credential of a call made for the zone: the
// zone's own, or, when there is none, one that names the zone alone (so
// that an error can name it, with no source to hint at).
func (t Target) CallCredential() Credential {
	c := t.Credential
	if c.Zone == "" {
		c.Zone = t.Zone.Name
	}
	return c
}

// ErrNoCredential is a fan-out in which no zone has a credential (exit 4).
var ErrNoCredential = errors.New("no zone has a credential; run `maketoken login -z ZONE` (or set MAKETOKEN_TOKEN_<ZONE>)")

// FanOut is what a command that covers every zone of list works on: each
// zone's credential of its active account (or of user's: "" for the
// active one), or with every one target per stored account (see
// ZoneTargets). Zones without a credential, and where user has no
// account, are left out. skipped is the first place credentials are kept
// in that could not be read (a keyring, the credentials file): the zones
// it hides are left out too. With no target left the error is skipped,
// or with user an *UnknownUserError naming the accounts stored, or
// ErrNoCredential. --user for a zone whose credential comes from the
// environment, where the user has an account, is an *EnvUserError for the
// whole command.
func (s *Store) FanOut(ctx context.Context, list []zones.Zone, user string, every bool) (targets []Target, skipped, err error) {
	found := make([][]Target, len(list))
	errs := make([]error, len(list))
	atOnce(len(list), func(i int) {
		found[i], errs[i] = s.ZoneTargets(ctx, list[i], user, every)
	})
	var unknown []string
	for i, zts := range found {
		if errs[i] != nil {
			return nil, nil, errs[i]
		}
		for _, t := range zts {
			var uu *UnknownUserError
			switch err := t.Err; {
			case err == nil, MustNotSend(err), every && t.Credential.Account != nil:
				targets = append(targets, t)
			case errors.As(err, &uu):
				for _, k := range uu.Known {
					unknown = append(unknown, k+" ("+t.Zone.Name+")")
				}
			case skipsZone(err) && skipped == nil:
				skipped = err
			}
		}
	}
	switch {
	case len(targets) > 0:
		return targets, skipped, nil
	case skipped != nil:
		return nil, nil, skipped
	case user != "":
		return nil, nil, &UnknownUserError{Asked: user, Known: unknown}
	}
	return nil, nil, ErrNoCredential
}

// ZoneTargets is what a zone gives a fan-out: the credential of its
// active account (or of user's, with Err an *UnknownUserError where the
// user has none), or with every, one target per stored account. Each
// target's Err is its lookup's error. The error is --user for a zone
// whose credential comes from the environment, where the user has an
// account (an *EnvUserError): that is a usage error for the whole
// command.
func (s *Store) ZoneTargets(ctx context.Context, zone zones.Zone, user string, every bool) ([]Target, error) {
	c, err := s.LookupUser(ctx, zone, user)
	var eu *EnvUserError
	if errors.As(err, &eu) {
		accts, _ := s.RecordedAccounts(zone.Name)
		if slices.ContainsFunc(accts, func(a Account) bool { return a.Matches(user) }) {
			return nil, err
		}
		return []Target{{Zone: zone, Credential: c, Err: &UnknownUserError{Zone: zone.Name, Asked: user}}}, nil
	}
	first := Target{Zone: zone, Credential: c, Err: err}
	if !every || c.Source == SourceEnv {
		return []Target{first}, nil
	}
	// (A record of accounts that cannot be read failed the lookup too.)
	accts, aerr := s.Accounts(ctx, zone)
	if len(accts) == 0 {
		if first.Err == nil {
			first.Err = aerr
		}
		return []Target{first}, nil
	}
	out := make([]Target, len(accts))
	atOnce(len(accts), func(i int) {
		a := accts[i]
		c, err := s.LookupUser(ctx, zone, strconv.FormatInt(a.ID, 10))
		if c.Account == nil {
			c.Account = &a
		}
		out[i] = Target{Zone: zone, Credential: c, Err: err}
	})
	return out, nil
}

// atOnce runs fn for 0..n-1 concurrently and waits for all.
func atOnce(n int, fn func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(i)
		}()
	}
	wg.Wait()
}
