package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/spf13/cobra"
)

// LogoutOptions are the options of `maketoken logout`.
type LogoutOptions struct {
	F      *Factory
	Revoke bool
	changeFlags
}

func newLogoutCmd(f *Factory) *cobra.Command {
	opts := &LogoutOptions{F: f}
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "Forget a zone's stored credential (and with --revoke, revoke it at Make)",
		Long: `Remove the zone's credential from the OS keyring and the plain-text credentials
file. With --revoke the token is first revoked at Make, so it stops working
everywhere; that asks for confirmation on a terminal and needs --yes elsewhere.

` + alreadyRevokedHelp,
		Args: cobra.NoArgs,
		RunE: f.runE(func(ctx context.Context, _ []string) error {
			return RunLogout(ctx, opts)
		}),
	}
	cmd.Flags().BoolVar(&opts.Revoke, "revoke", false, "also revoke the token at Make before forgetting it")
	opts.register(cmd.Flags(), "")
	return cmd
}

// RunLogout forgets (and optionally revokes) the selected zone's credential.
func RunLogout(ctx context.Context, opts *LogoutOptions) error {
	f := opts.F
	store, err := f.Store()
	if err != nil {
		return err
	}
	zc, err := f.selectedCredential(ctx)
	zone, cred := zc.Zone, zc.Credential
	if err != nil && !isNotFound(err) {
		return err
	}
	if isNotFound(err) {
		fmt.Fprintf(f.IO.ErrOut, "No credential is stored for zone %s; nothing to do.\n", zone.Name)
		return nil
	}
	if cred.Source == credentials.SourceEnv && !opts.Revoke {
		return usageErrorf("zone %s: the credential comes from %s, not from storage; unset the variable instead", zone.Name, cred.EnvVar)
	}

	if opts.Revoke {
		client, err := f.Client(zone, cred.Token)
		if err != nil {
			return err
		}
		tokens, err := client.ListTokens(ctx)
		if err != nil {
			return apiError(zone.Name, err, "user:read")
		}
		var mine *makeapi.Token
		for i := range tokens {
			if makeapi.Matches(tokens[i].Token, cred.Token) {
				mine = &tokens[i]
				break
			}
		}
		if mine == nil {
			return fmt.Errorf("zone %s: the credential is not among the zone's tokens, so it cannot be revoked; nothing was changed", zone.Name)
		}
		if err := f.Confirm(ctx, fmt.Sprintf("Revoke the token %q (created %s) in zone %s and forget it?", mine.Label, mine.Created, zone.Name), opts.Yes); err != nil {
			return err
		}
		if err := (revoker{client: client, zone: zone.Name, errOut: f.IO.ErrOut}).revokeOne(ctx, *mine); err != nil {
			return apiError(zone.Name, err, "user:write")
		}
		fmt.Fprintf(f.IO.ErrOut, "Revoked the token %s (created %s) in zone %s.\n", output.Printable(strconv.Quote(mine.Label)), output.Sanitize(mine.Created), zone.Name)
		if cred.Source == credentials.SourceEnv {
			fmt.Fprintf(f.IO.ErrOut, "The credential came from %s; unset it, it no longer works.\n", cred.EnvVar)
			return nil
		}
	}

	removed, err := store.Delete(ctx, zone.Name)
	if err != nil {
		return err
	}
	names := make([]string, len(removed))
	for i, s := range removed {
		names[i] = string(s)
	}
	f.Report(true, "Logged out of zone %s; removed the credential from: %s.", zone.Name, strings.Join(names, ", "))
	return nil
}
