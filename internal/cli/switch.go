package cli

import (
	"context"
	"fmt"
	"strconv"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/spf13/cobra"
)

// SwitchOptions are the options of `maketoken switch`.
type SwitchOptions struct {
	// services' User: the account to switch to ("": the other one of
	// two, or asked).
	services
}

func newSwitchCmd(f *Factory) *cobra.Command {
	opts := &SwitchOptions{services: servicesOf(f)}
	return &cobra.Command{
		Use: "switch",
		Long: `Make another of the zone's stored accounts (see ` + "`maketoken status`" + `) the active
one: the account every command uses unless told another with --user.

With two accounts, switch toggles between them. With more, it asks on a
terminal (a numbered choice) and needs --user EMAIL elsewhere. Nothing is
sent to Make, and no credential is read: only the record of which account is
active changes. A credential in MAKETOKEN_TOKEN_<ZONE> or MAKE_API_KEY still
overrides every stored account.`,
		Example: `  maketoken switch -z eu1
  maketoken switch -z eu1 --user client@example.com`,
		Args: cobra.NoArgs,
		RunE: f.runE(func(ctx context.Context, _ []string) error {
			return RunSwitch(ctx, opts)
		}),
	}
}

// RunSwitch makes another stored account of the selected zone active.
func RunSwitch(ctx context.Context, opts *SwitchOptions) error {
	zone, store, err := opts.selected()
	if err != nil {
		return err
	}
	accts, err := store.Accounts(ctx, zone)
	if err != nil {
		return err
	}
	who := opts.User()
	if len(accts) == 0 {
		return &cmderr.Error{Code: cmderr.Auth, Err: fmt.Errorf("zone %s has no stored account; run `maketoken login -z %s`", zone.Name, zone.Name)}
	}
	var was *credentials.Account
	for i := range accts {
		if accts[i].Active {
			was = &accts[i]
		}
	}
	if who == "" && len(accts) > 2 && opts.IO.CanPrompt() {
		if who, err = chooseAccount(ctx, opts.IO, zone.Name, accts); err != nil {
			return err
		}
	}
	to, err := store.Switch(ctx, zone, who)
	if err != nil {
		return err
	}
	switch {
	case was != nil && was.ID == to.ID:
		opts.IO.Say("%s is zone %s's active account already.", output.Printable(to.Who()), zone.Name)
	case was != nil:
		opts.IO.Result(true, "Switched zone %s to %s (was %s).", zone.Name, output.Printable(to.Who()), output.Printable(was.Who()))
	default:
		opts.IO.Result(true, "Switched zone %s to %s.", zone.Name, output.Printable(to.Who()))
	}
	if v, ok := store.EnvVarOf(zone.Name); ok {
		opts.IO.Warnf("%s is set and takes precedence over the stored accounts of zone %s", v, zone.Name)
	}
	return nil
}

// chooseAccount asks on the terminal which of the zone's accounts to
// switch to (see IOStreams.Choose). It returns the chosen account's user
// id.
func chooseAccount(ctx context.Context, ios *iostreams.IOStreams, zone string, accts []credentials.Account) (string, error) {
	items := make([]string, len(accts))
	for i, a := range accts {
		items[i] = a.Who()
		if a.Active {
			items[i] += "  (active)"
		}
	}
	i, err := ios.Choose(ctx, fmt.Sprintf("Zone %s has %d accounts:", zone, len(accts)), "Switch to", items)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(accts[i].ID, 10), nil
}
