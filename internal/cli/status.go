package cli

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/config"
	"github.com/maketoken/maketoken/internal/credcheck"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/runctx"
	"github.com/spf13/cobra"
)

// StatusOptions are the options of `maketoken status`.
type StatusOptions struct {
	// services' Targets are every stored account's (AccountTargets);
	// with --user (User) status checks that account only, and says
	// nothing of the zones where it has none.
	services
	AllZones bool
}

func newStatusCmd(f *Factory) *cobra.Command {
	opts := &StatusOptions{services: servicesOf(f)}
	opts.Targets = f.AccountTargets
	cmd := &cobra.Command{
		Use: "status",
		Long: `Check the credential of every zone that has one (or only the zone given with
-z): who it belongs to, its scopes and where it comes from, and how many of the
zone's tokens have outlived their lifetime (create --ttl; revoke them with
` + "`maketoken prune --expired`" + `). A zone with several stored accounts has a row
for each (only --user's with --user); the active one is marked (ACTIVE; in JSON
"active"). A stored credential that Make says belongs to another user than its
account is refused (exit 4) until that account logs in again. Below a table,
status names the zones it did not check because they have no credential.

When the credential can list tokens, status also shows its age (AGE; in JSON
"credentialCreated", the created time of the listed token that is the
credential), and past the rotate_after setting (default 90d; "off" for
never) it suggests ` + "`maketoken rotate --self`" + ` on stderr.

Zones and accounts are checked in parallel, three requests each, at once.
Exits 4 if Make rejects a checked credential, 7 if some zones could not be
checked.`,
		Args: cobra.NoArgs,
		RunE: f.runE(func(ctx context.Context, _ []string) error {
			return RunStatus(ctx, opts)
		}),
	}
	allZonesFlag(cmd, &opts.AllZones, "check every zone that has a credential (the default without -z)")
	return cmd
}

// RunStatus checks the credentials of the selected zone, or of all zones
// that have one.
func RunStatus(ctx context.Context, opts *StatusOptions) error {
	reg, err := opts.Zones()
	if err != nil {
		return err
	}
	all, err := reg.EveryUnlessNamed(opts.AllZones)
	if err != nil {
		return err
	}
	printer, targets, err := opts.start(ctx, all)
	if err != nil {
		return err
	}
	noteAdHocZones(opts.IO, opts.Zones)
	records := make([]credcheck.Record, len(targets))
	spinner := opts.IO.StartSpinner("checking the credentials of " + zonesText(targetNames(targets)))
	defer spinner.Stop()
	for i, t := range targets {
		records[i] = credcheck.NewRecord(t, opts.IO.Redactor.String)
	}
	errs := eachZone(targets, func(i int, t credentials.Target) error {
		return checkStatus(ctx, opts, t, &records[i])
	})

	spinner.Stop()
	if err := runctx.InterruptedErr(ctx, "not every zone had answered; nothing was printed"); err != nil {
		return err
	}
	rows := statusRows(opts.Now(), printer, records)
	if err := printer.Print(records, rows); err != nil {
		return err
	}
	suggestRotation(opts, records, targets)
	if all && printer.Format == output.Table && (opts.User == nil || opts.User() == "") {
		noteZonesNotLoggedIn(opts.IO, opts.Zones, targets)
	}
	// A rejected credential is exit 4 even when other zones are fine:
	// status is how people and jobs check that their credentials work.
	return cmderr.Summarize(errs, true, opts.IO.PrintError)
}

// statusRows is the table or TSV form of status records: TSV's columns as
// cli.md lists them (zone name email scopes credentialSource ok|error
// expiredTokens), then active; a table adds AGE where it is known, and
// ACTIVE where a zone has several accounts.
func statusRows(now time.Time, printer *output.Printer, records []credcheck.Record) output.Rows {
	table := printer.Format == output.Table
	rows := output.Rows{Headers: []string{"ZONE", "USER", "EMAIL", "SCOPES", "CREDENTIAL", "STATUS"}}
	if table {
		rows.Flexible = []bool{false, true, true, true, true, false}
		// The zone names the row; a narrow terminal leaves the email out
		// before it cuts the user's name. With several accounts in a zone
		// the email tells them apart: it stays, cut last.
		if severalAccounts(records) {
			rows.Keep = []bool{false, false, true, false, false, false}
		} else {
			rows.Optional = []bool{false, false, true, false, false, false}
		}
		rows.Dim = []bool{false, false, true, false, true, false} // email, credential
	}
	// TSV always has the count; a table only when a zone has expired tokens.
	withExpired := !table || slices.ContainsFunc(records, func(r credcheck.Record) bool {
		return r.ExpiredTokens != nil && *r.ExpiredTokens > 0
	})
	// A table shows the credential's age when it is known for a zone. TSV
	// stays as it was; JSON has credentialCreated.
	withAge := table && slices.ContainsFunc(records, func(r credcheck.Record) bool { return r.CredentialCreated != nil })
	withActive := !table || severalAccounts(records)
	// The columns past the first six are neither cut nor left out (see
	// output.Rows).
	if withExpired {
		rows.Headers = append(rows.Headers, "EXPIRED")
	}
	if withAge {
		rows.Headers = append(rows.Headers, "AGE")
	}
	if withActive {
		rows.Headers = append(rows.Headers, "ACTIVE")
	}
	if !table {
		rows.Headers = output.TSVColumns("status")
	}
	for _, r := range records {
		name, email := "", ""
		if r.User != nil {
			name, email = r.User.Name, r.User.Email
		}
		state := "ok"
		switch {
		case !r.OK && table:
			state = printer.Style.Plain().Failed("error")
		case !r.OK:
			state = "error"
		case table:
			state = printer.Style.Plain().OK(state)
		}
		row := []string{r.Zone, name, email, strings.Join(r.Scopes, ","), credentialWhere(r.CredentialSource, r.CredentialVariable, r.CredentialStore, printer.Format), state}
		if withExpired {
			expired := ""
			if r.ExpiredTokens != nil {
				expired = strconv.Itoa(*r.ExpiredTokens)
			}
			row = append(row, expired)
		}
		if withAge {
			row = append(row, credcheck.Age(r.CredentialCreated, now))
		}
		if withActive {
			active := output.Bool(r.Active, printer.Format)
			if table {
				active = map[bool]string{true: "*", false: ""}[r.Active]
			}
			row = append(row, active)
		}
		rows.Rows = append(rows.Rows, row)
		// A narrow terminal shows the source without its variable name.
		rows.Short = append(rows.Short, []string{"", "", "", output.ScopeCount(r.Scopes), r.CredentialSource, ""})
	}
	return rows
}

// noteZonesNotLoggedIn names, below a person's table, the zones status
// did not check because they have no credential (not a word was said of
// them), and how to log in to one. TSV and JSON keep a record per
// credential checked.
func noteZonesNotLoggedIn(ios *iostreams.IOStreams, zonesOf func() (*config.Zones, error), targets []credentials.Target) {
	reg, err := zonesOf()
	if err != nil {
		return
	}
	var missing []string
	for _, z := range reg.All() {
		if !slices.ContainsFunc(targets, func(t credentials.Target) bool { return t.Zone.Name == z.Name }) {
			missing = append(missing, z.Name)
		}
	}
	if len(missing) > 0 {
		ios.Say("No credential for %s: log in with `maketoken login -z ZONE` (or set MAKETOKEN_TOKEN_<ZONE>).", zonesText(missing))
	}
}

// severalAccounts says whether a zone has more than one record.
func severalAccounts(records []credcheck.Record) bool {
	seen := map[string]bool{}
	for _, r := range records {
		if seen[r.Zone] {
			return true
		}
		seen[r.Zone] = true
	}
	return false
}

// checkStatus checks one zone's credential with Make and fills in its
// record (see credcheck.CheckRecord).
func checkStatus(ctx context.Context, opts *StatusOptions, t credentials.Target, rec *credcheck.Record) error {
	client, err := opts.Client(t.Zone, t.Credential.Token)
	if err != nil {
		return err
	}
	confirm := func(ctx context.Context, c credentials.Credential, u credentials.User) error {
		store, err := opts.Store()
		if err != nil {
			return err
		}
		return store.ConfirmUser(ctx, c, u)
	}
	return credcheck.CheckRecord(ctx, client, t.CallCredential(), opts.Now, confirm, opts.IO.Redactor.String, rec)
}

// suggestRotation tells on stderr which credentials are older than the
// rotate_after setting, and how to rotate them.
func suggestRotation(opts *StatusOptions, records []credcheck.Record, targets []credentials.Target) {
	cfg, err := opts.Config()
	if err != nil {
		return
	}
	for i, r := range records {
		days, due := r.DueForRotation(opts.Now(), cfg.RotateAfter)
		if !due {
			continue
		}
		cred := targets[i].Credential
		if a := cred.Account; a != nil && !a.Active {
			opts.IO.Say("Zone %s: the credential of %s is %d days old; rotate it:\n  maketoken rotate -z %s --user %s --self", r.Zone, output.Printable(a.Who()), days, r.Zone, output.Printable(a.Who()))
			continue
		}
		if cred.Source == credentials.SourceEnv {
			// The new one must go where the variable comes from.
			opts.IO.Say("Zone %s: the credential is %d days old; rotate it:\n  maketoken rotate -z %s --self -- STORE-COMMAND\n  (STORE-COMMAND: see docs/ci.md; it replaces %s)", r.Zone, days, r.Zone, cred.EnvVar)
		} else {
			opts.IO.Say("Zone %s: the credential is %d days old; rotate it:\n  maketoken rotate -z %s --self", r.Zone, days, r.Zone)
		}
	}
}
