package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/scopes"
	"github.com/maketoken/maketoken/internal/tokens"
	"github.com/maketoken/maketoken/internal/zones"
	"github.com/spf13/cobra"
)

const (
	// defaultEphemeralTTL is how long an ephemeral token lives if nobody
	// revokes it (maketoken killed): long enough for most jobs, short
	// enough that a scheduled `prune --expired` clears it the same day.
	defaultEphemeralTTL = "1h"
	// defaultEphemeralLabel names the tokens of `exec --ephemeral`.
	defaultEphemeralLabel = "maketoken-exec"
)

// ttlCompletions are the lifetimes offered for --ttl.
var ttlCompletions = cobra.FixedCompletions([]string{"15m", "1h", "12h", "7d"}, cobra.ShellCompDirectiveNoFileComp)

// ephemeralToken is the token `exec --ephemeral` made for one run.
type ephemeralToken struct {
	*tokens.EphemeralToken
	zone zones.Zone
	cred credentials.Credential
	// timeout bounds the revoke: --timeout, at least tokens.CleanupTimeout.
	timeout time.Duration
}

// runEphemeral is `exec --ephemeral`: create a token with exactly the asked
// scopes, run the command with it (and without the zone's credential),
// revoke it when the command ends, and exit with the command's code. The
// token's rules are tokens.Ephemeral's.
func runEphemeral(ctx context.Context, opts *ExecOptions, path string) error {
	if err := scopes.Validate(opts.Scopes); err != nil {
		return err
	}
	if err := tokens.CheckLabel(opts.Label); err != nil {
		return err
	}
	ttl, err := tokens.ParseLifetime(opts.Label, opts.TTL)
	if err != nil {
		return err
	}

	// From before the create until the token is revoked, the signals are
	// caught: none may end maketoken between the two. The first one that
	// comes before COMMAND starts means it does not run; those that arrive
	// while it runs are passed on to it (runCommand).
	early, release := opts.Signals.Hold()
	defer release()

	et, err := createEphemeral(ctx, opts, ttl)
	if err != nil {
		return err
	}
	if sig := early(); sig != nil {
		return revokeEphemeral(ctx, opts.IO, et, &cmderr.Error{Code: cmderr.Interrupted,
			Err: fmt.Errorf("zone %s: %v before %s started; it did not run", et.zone.Name, sig, opts.Command[0])})
	}
	env := credentials.EphemeralEnv(opts.Environ(), et.Token.Token, et.zone.Host, et.cred.Token)
	runErr := runCommand(opts, path, opts.Command, env)
	return revokeEphemeral(ctx, opts.IO, et, runErr)
}

// createEphemeral creates the token, within --timeout, and checks the
// create's answer.
func createEphemeral(ctx context.Context, opts *ExecOptions, ttl time.Duration) (*ephemeralToken, error) {
	// Bounded by --timeout, but not by the command's context: a Ctrl-C or
	// SIGTERM that cancelled the create would leave a token whose creation
	// is unknown. runEphemeral catches those signals itself and revokes the
	// token right after the create instead.
	cfg, err := opts.Config()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	zc, client, err := opts.zoneClient(ctx)
	if err != nil {
		return nil, err
	}
	zone, cred := zc.Zone, zc.Credential
	wanted, err := ephemeralScopes(ctx, opts, zc, client)
	if err != nil {
		return nil, err
	}
	rv := newRevoker(opts.IO, zone.Name, client)
	et, err := tokens.Ephemeral{Revoker: rv, Base: opts.Label, TTL: ttl, Scopes: wanted}.Make(ctx, opts.Now)
	if err != nil {
		return nil, cmderr.API(cred, fmt.Errorf("creating the ephemeral token: %w", err), "user:write")
	}
	opts.IO.Redactor.Add(et.Token.Token)
	warnSkew(opts.IO, zone.Name, client)
	return &ephemeralToken{EphemeralToken: et, zone: zone, cred: cred, timeout: max(cfg.Timeout, tokens.CleanupTimeout)}, nil
}

// ephemeralScopes expands the -s values as create does. Exact names need
// the zone's scope list only if it is cached (then they are checked, with
// suggestions): otherwise Make checks them on the create, which saves a
// request.
func ephemeralScopes(ctx context.Context, opts *ExecOptions, zc credentials.Target, client *makeapi.Client) ([]string, error) {
	zone := zc.Zone
	if _, cached := opts.Cache.Load(zone.Name, zone.URL); cached || scopes.HasGlob(opts.Scopes) {
		return expandScopes(ctx, opts.IO, opts.Cache, zc, client, opts.Scopes)
	}
	return tokens.SortedScopes(scopes.Split(opts.Scopes)), nil
}

// revokeEphemeral revokes the run's token (see
// tokens.EphemeralToken.Revoke), within --timeout anew, and returns result:
// the command's outcome. A revoke that fails, or whose outcome is unknown,
// is reported on stderr once, with how the token will still go; it is not
// retried beyond the client's policy, and it does not change the exit
// code (see cmderr.AfterCleanup).
func revokeEphemeral(ctx context.Context, ios *iostreams.IOStreams, et *ephemeralToken, result error) error {
	err := et.Revoke(ctx, et.timeout)
	if err != nil {
		err = cmderr.API(et.cred, err, "user:write")
	}
	return cmderr.AfterCleanup(result, err, ios.PrintError)
}
