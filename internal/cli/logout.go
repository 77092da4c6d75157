package cli

import (
	"context"
	"fmt"
	"strconv"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/config"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/tokens"
	"github.com/maketoken/maketoken/internal/zones"
	"github.com/spf13/cobra"
)

// LogoutOptions are the options of `maketoken logout`.
type LogoutOptions struct {
	services
	Revoke bool
	changeFlags
}

func newLogoutCmd(f *Factory) *cobra.Command {
	opts := &LogoutOptions{services: servicesOf(f)}
	cmd := &cobra.Command{
		Use: "logout",
		Long: `Forget one of the zone's stored accounts: the active one, or --user's. Its
credential is removed from the store login put it in (the OS keyring, the
kernel keyring or the plain-text credentials file); when it was the active one,
the next account left becomes active, and logout says which. The token itself
stays valid at Make: with --revoke it is first revoked there, so it stops
working everywhere; that asks for confirmation on a terminal and needs --yes
elsewhere.

On a terminal, logout asks before it forgets the credential (--yes does not
ask). Without a terminal, logout and logout --revoke need the zone named (-z,
MAKETOKEN_ZONE or MAKE_ZONE), so that a script never logs out of, or revokes,
a default zone by accident.

` + tokens.AlreadyRevokedHelp,
		Example: `  maketoken logout -z eu1
  maketoken logout -z eu1 --user client@example.com
  maketoken logout -z eu1 --revoke --yes`,
		Args: cobra.NoArgs,
		RunE: f.runE(func(ctx context.Context, _ []string) error {
			return RunLogout(ctx, opts)
		}),
	}
	cmd.Flags().BoolVar(&opts.Revoke, "revoke", false, "also revoke the token at Make before forgetting it")
	opts.register(cmd.Flags(), "")
	return cmd
}

// logoutZoneNamed is logout's one rule for acting without a terminal, for
// plain logout and --revoke alike: the zone must have been named for this
// command (-z, MAKETOKEN_ZONE, MAKE_ZONE), never taken from the config file
// or the default, so that a script never logs out of (or revokes) a zone
// by accident. On a terminal the person is asked instead.
func logoutZoneNamed(ios *iostreams.IOStreams, sel config.Selection) error {
	if ios.CanPrompt() || sel.Named() {
		return nil
	}
	return cmderr.Usagef("logout without a terminal needs the zone named: `maketoken logout -z %s` (the zone %s comes from %s)", sel.Zone.Name, sel.Zone.Name, sel.From())
}

// confirmLogout asks at a terminal before a credential is forgotten, and
// says that the token stays valid at Make.
func confirmLogout(ctx context.Context, ios *iostreams.IOStreams, zone string, cred credentials.Credential, yes bool) error {
	if yes || !ios.CanPrompt() {
		return nil
	}
	p := makeapi.Prefix(cred.Token)
	ios.Note("the token (%s…) stays valid at Make; to revoke it too, add --revoke", p)
	return ios.Confirm(ctx, fmt.Sprintf("Log out of zone %s%s (forget its credential in %s)?", zone, asAccount(cred), cred.Store.Name()), false)
}

// asAccount is " as EMAIL" for a stored account's credential, for
// messages: "Logged out of zone eu1 as ann@example.com".
func asAccount(cred credentials.Credential) string {
	if cred.Account == nil {
		return ""
	}
	return " as " + output.Printable(cred.Account.Who())
}

// revokeCredential revokes the zone's credential at Make (logout
// --revoke), once confirmed: it must be among the zone's tokens.
func revokeCredential(ctx context.Context, opts *LogoutOptions, zone zones.Zone, cred credentials.Credential) error {
	spinner := opts.IO.StartSpinner("finding the credential among the tokens of zone " + zone.Name)
	client, listed, err := listZoneTokens(ctx, opts.Client, credentials.Target{Zone: zone, Credential: cred})
	spinner.Stop()
	if err != nil {
		return err
	}
	mine, n := tokens.FindCurrent(listed, cred.Token)
	switch {
	case n == 0:
		return fmt.Errorf("zone %s: the credential is not among the zone's tokens, so it cannot be revoked; nothing was changed", zone.Name)
	case n > 1:
		return fmt.Errorf("zone %s: %d listed tokens start like the credential, so which one it is cannot be told; nothing was changed: log out without --revoke, and revoke the token by its created time once you know which it is (see `maketoken list -z %s`)", zone.Name, n, zone.Name)
	}
	if err := opts.IO.Confirm(ctx, fmt.Sprintf("Revoke the token %q (created %s) in zone %s and forget it?", mine.Label, mine.Created, zone.Name), opts.Yes); err != nil {
		return err
	}
	spinner = opts.IO.StartSpinner("revoking the credential in zone " + zone.Name)
	err = newRevoker(opts.IO, zone.Name, client).RevokeOne(ctx, mine)
	spinner.Stop()
	if err != nil {
		return cmderr.API(cred, err, "user:write")
	}
	opts.IO.Say("Revoked the token %s (created %s) in zone %s.", output.Printable(strconv.Quote(mine.Label)), mine.Created, zone.Name)
	return nil
}

// RunLogout forgets (and optionally revokes) the selected zone's credential.
func RunLogout(ctx context.Context, opts *LogoutOptions) error {
	sel, err := opts.Selection()
	if err != nil {
		return err
	}
	if err := logoutZoneNamed(opts.IO, sel); err != nil {
		return err
	}
	store, err := opts.Store()
	if err != nil {
		return err
	}
	zone := sel.Zone
	cred, overriding, err := store.ForLogout(ctx, zone, opts.User(), opts.Revoke)
	if err != nil && !credentials.IsNotFound(err) {
		return err
	}
	if credentials.IsNotFound(err) {
		opts.IO.Say("No credential is stored for zone %s; nothing to do.", zone.Name)
		return nil
	}
	switch {
	case opts.Revoke:
		if err := revokeCredential(ctx, opts, zone, cred); err != nil {
			return err
		}
		if cred.Source == credentials.SourceEnv {
			opts.IO.Say("The credential came from %s; unset it, it no longer works.", cred.EnvVar)
			return nil
		}
	default:
		if err := confirmLogout(ctx, opts.IO, zone.Name, cred, opts.Yes); err != nil {
			return err
		}
	}

	removed, err := store.Forget(ctx, zone, cred)
	if err != nil {
		return err
	}
	opts.IO.Result(true, "Logged out of zone %s%s; removed the credential from: %s.", zone.Name, asAccount(cred), removed.Places())
	if next := removed.Active; next != nil {
		opts.IO.Say("Zone %s's active account is now %s.", zone.Name, output.Printable(next.Who()))
	}
	if overriding != "" {
		opts.IO.Note("%s is set: it stays the credential maketoken uses for zone %s", overriding, zone.Name)
	}
	return nil
}
