package cli

import (
	"context"
	"strings"
	"sync"

	"github.com/maketoken/maketoken/internal/config"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/iostreams"
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
	zone, store, err := servicesOf(f).selected()
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
	// when the credentials come from the environment or the file; anything
	// else may hide credentials the user expects, so say so.
	if skipped != nil && credentials.SkipKindOf(skipped) != credentials.SkipNoKeyring {
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
