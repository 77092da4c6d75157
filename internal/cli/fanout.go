package cli

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/maketoken/maketoken/internal/config"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/zones"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// parallel runs fn for 0..n-1 concurrently and returns each one's error.
func parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i)
		}()
	}
	wg.Wait()
	return errs
}

// allZonesFlag gives cmd --all-zones (usage says which zones it covers):
// it chooses the zones, as -z does, so it cannot go with -z.
func allZonesFlag(cmd *cobra.Command, all *bool, usage string) {
	cmd.PreRunE = func(cmd *cobra.Command, _ []string) error {
		return exclusiveFlags(cmd, "zone", "all-zones")
	}
	cmd.Flags().BoolVar(all, "all-zones", false, usage)
}

// Credential is the one way to get the selected zone and its credential
// (the only one that may come from MAKE_API_KEY): its active account's, or
// --user's. On an error the zone is filled in when it is known.
func (f *Factory) Credential(ctx context.Context) (credentials.Target, error) {
	sel, err := f.Selection()
	if err != nil {
		return credentials.Target{}, err
	}
	zone := sel.Zone
	store, err := f.Store()
	if err != nil {
		return credentials.Target{Zone: zone}, err
	}
	c, err := store.LookupUser(ctx, zone, userFlag(f.flags))
	return credentials.Target{Zone: zone, Credential: c}, err
}

// userFlag is --user: the stored account (its email, or its user id) a
// command uses instead of its zone's active one; "" for the active one.
func userFlag(flags *pflag.FlagSet) string {
	if fl := flags.Lookup("user"); fl != nil {
		return strings.TrimSpace(fl.Value.String())
	}
	return ""
}

// selectedZone is how a command about every known zone begins (zones,
// doctor): the zones and the selected one, whose name must be known even
// when the command covers them all.
func selectedZone(zonesOf func() (*config.Zones, error)) (*config.Zones, zones.Zone, error) {
	reg, err := zonesOf()
	if err != nil {
		return nil, zones.Zone{}, err
	}
	selected, err := reg.Selected()
	return reg, selected, err
}

// accounts are what the commands about a zone's stored accounts (login,
// logout, switch) use: the terminal, the selected zone, the credential
// store and --user.
type accounts struct {
	IO        *iostreams.IOStreams
	Selection func() (config.Selection, error)
	Store     func() (*credentials.Store, error)
	// User is --user ("": the zone's active account, unless the command
	// says otherwise).
	User func() string
}

// newAccounts takes accounts' services from f.
func newAccounts(f *Factory) accounts {
	return accounts{IO: f.IO, Selection: f.Selection, Store: f.Store, User: func() string { return userFlag(f.flags) }}
}

// selected is how login and switch begin: the selected zone and the
// credential store.
func (a accounts) selected() (zones.Zone, *credentials.Store, error) {
	sel, err := a.Selection()
	if err != nil {
		return zones.Zone{}, nil, err
	}
	st, err := a.Store()
	return sel.Zone, st, err
}

// zoneWork are what the commands that work on the selected zone or on
// every zone (list, status, prune) take: the terminal, the printer, the
// zones to work on (Factory.Targets, or status's AccountTargets), a
// client for each, and the clock.
type zoneWork struct {
	IO      *iostreams.IOStreams
	Printer func() (*output.Printer, error)
	Targets func(ctx context.Context, all bool) ([]credentials.Target, error)
	Client  func(zones.Zone, string) (*makeapi.Client, error)
	Now     func() time.Time
}

// newZoneWork takes zoneWork's services from f (Targets: f.Targets).
func newZoneWork(f *Factory) zoneWork {
	return zoneWork{IO: f.IO, Printer: f.Printer, Targets: f.Targets, Client: f.Client, Now: f.Now}
}

// start is how such a command begins: the printer for its result and the
// zones it works on (all: every zone, see Factory.Targets).
func (w zoneWork) start(ctx context.Context, all bool) (*output.Printer, []credentials.Target, error) {
	p, err := w.Printer()
	if err != nil {
		return nil, nil, err
	}
	t, err := w.Targets(ctx, all)
	return p, t, err
}

// oneZone are what the commands that print about the selected zone alone
// (revoke, scopes) take: the terminal, the printer, the zone's
// credential and a client.
type oneZone struct {
	IO         *iostreams.IOStreams
	Printer    func() (*output.Printer, error)
	Credential func(context.Context) (credentials.Target, error)
	Client     func(zones.Zone, string) (*makeapi.Client, error)
}

// newOneZone takes oneZone's services from f.
func newOneZone(f *Factory) oneZone {
	return oneZone{IO: f.IO, Printer: f.Printer, Credential: f.Credential, Client: f.Client}
}

// start is how such a command begins: the printer for its result and the
// zone with its credential.
func (o oneZone) start(ctx context.Context) (*output.Printer, credentials.Target, error) {
	p, err := o.Printer()
	if err != nil {
		return nil, credentials.Target{}, err
	}
	zc, err := o.Credential(ctx)
	return p, zc, err
}

// Targets returns the zones a command works on: the selected zone, or
// with all every zone that has a credential, each with the credential of
// its active account (or --user's). For the selected zone a missing or
// unusable credential is the error. In a fan-out, zones without one are
// skipped (and if no zone has one, that is the error); a zone whose
// credential must not be sent is a target with Err set, which the command
// reports as a failed zone (see eachZone). With --user, a fan-out covers
// the zones where that user has an account (none: exit 2).
func (f *Factory) Targets(ctx context.Context, all bool) ([]credentials.Target, error) {
	if !all {
		zc, err := f.Credential(ctx)
		if err != nil {
			return nil, err
		}
		return []credentials.Target{zc}, nil
	}
	return f.fanOut(ctx, false)
}

// AccountTargets is Targets for status: every stored account of each zone
// is a target of its own (only --user's, with it), checked like the
// others; a zone whose credential comes from the environment is one
// target, as is one whose only credential an older maketoken stored and
// that Make could not yet be asked about.
func (f *Factory) AccountTargets(ctx context.Context, all bool) ([]credentials.Target, error) {
	if userFlag(f.flags) != "" {
		return f.Targets(ctx, all)
	}
	if all {
		return f.fanOut(ctx, true)
	}
	zone, store, err := newAccounts(f).selected()
	if err != nil {
		return nil, err
	}
	found, err := store.ZoneTargets(ctx, zone, "", true)
	if err != nil {
		return nil, err
	}
	targets := found
	if len(targets) == 1 && targets[0].Err != nil && !credentials.MustNotSend(targets[0].Err) {
		return nil, targets[0].Err
	}
	return targets, nil
}

// fanOut is Targets for every zone; with every, AccountTargets' (see
// credentials.Store.FanOut).
func (f *Factory) fanOut(ctx context.Context, every bool) ([]credentials.Target, error) {
	reg, err := f.Zones()
	if err != nil {
		return nil, err
	}
	if _, err := reg.Selected(); err != nil {
		return nil, err
	}
	store, err := f.Store()
	if err != nil {
		return nil, err
	}
	targets, skipped, err := store.FanOut(ctx, reg.All(), userFlag(f.flags), every)
	if err != nil {
		return nil, err
	}
	// An OS keyring that is simply absent (a server, a CI job) is normal
	// when the credentials come from the environment or the file; one that
	// did not answer in time, a kernel keyring that a credential was
	// stored in and that cannot be used now, or a credentials file that
	// cannot be read, may hide credentials the user expects, so say so.
	var ke *credentials.KeyringError
	if skipped != nil && (!errors.As(skipped, &ke) || ke.IsTimeout() || ke.Kind == credentials.KindKernel) {
		f.IO.Warn("some zones were skipped: " + skipped.Error())
	}
	return targets, nil
}

// noteAdHocZones says, on stderr, which zones exist only because MAKE_ZONE
// names their host (zones and status call it).
func noteAdHocZones(ios *iostreams.IOStreams, zones func() (*config.Zones, error)) {
	reg, err := zones()
	if err != nil {
		return
	}
	for _, z := range reg.All() {
		if z.AdHoc {
			ios.Note("zone %s comes from MAKE_ZONE: a private instance at %s", z.Name, z.URL)
		}
	}
}

// eachZone runs fn for every target at once and returns each one's error.
// A target that failed before any request (its Err) is not given to fn:
// its Err is its error.
func eachZone(targets []credentials.Target, fn func(i int, t credentials.Target) error) []error {
	return parallel(len(targets), func(i int) error {
		if targets[i].Err != nil {
			return targets[i].Err
		}
		return fn(i, targets[i])
	})
}
