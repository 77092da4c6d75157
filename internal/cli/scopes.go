package cli

import (
	"context"

	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/runctx"
	"github.com/maketoken/maketoken/internal/scopes"
	"github.com/spf13/cobra"
)

// ScopesOptions are the options of `maketoken scopes`.
type ScopesOptions struct {
	services
}

type scopeRecord struct {
	Name string `json:"name"`
}

func newScopesCmd(f *Factory) *cobra.Command {
	opts := &ScopesOptions{services: servicesOf(f)}
	return &cobra.Command{
		Use: "scopes",
		Long: `List the scopes a token can have in the zone, as the zone itself lists them.
These are the names (and, with globs such as 'scenarios:*' or '*:read', the
patterns) that create and rotate accept with -s.

The administration scopes (admin:*, apps:*, system:*) are marked in the table:
any user can put them on a token, but only an administrator of the instance
can use them, so a glob picks them only when it names them ('admin:*').`,
		Example: `  maketoken scopes -z us1
  maketoken scopes --jq '.[].name | select(endswith(":read"))'`,
		Args: cobra.NoArgs,
		RunE: f.runE(func(ctx context.Context, _ []string) error {
			return RunScopes(ctx, opts)
		}),
	}
}

// RunScopes prints the selected zone's scope list, fetched fresh (which
// also refreshes the cached copy that create uses).
func RunScopes(ctx context.Context, opts *ScopesOptions) error {
	printer, err := opts.Printer()
	if err != nil {
		return err
	}
	t, client, err := opts.zoneClient(ctx)
	if err != nil {
		return err
	}
	spinner := opts.IO.StartSpinner("fetching the scopes of zone " + t.Zone.Name)
	names, err := opts.Cache.Fresh(ctx, t.Zone.Name, t.Zone.URL, scopesOf(t, client))
	spinner.Stop()
	if ierr := runctx.InterruptedErr(ctx, "nothing was printed"); ierr != nil {
		return ierr
	}
	if err != nil {
		return err
	}
	// A table marks the administration scopes (usable only by an
	// administrator of the instance); TSV and JSON keep the contract's
	// one field.
	table := printer.Format == output.Table
	records := make([]scopeRecord, len(names))
	rows := output.Rows{Headers: output.TSVColumns("scopes")}
	if table {
		rows.Headers = []string{"NAME", "NOTE"}
		// A narrow terminal shortens the note, then cuts it.
		rows.Flexible = []bool{false, true}
	}
	for i, n := range names {
		records[i] = scopeRecord{Name: n}
		row := []string{n}
		if table {
			note, short := "", ""
			if scopes.Administration(n) {
				note, short = "administration: only an instance administrator can use it", "administrators only"
			}
			row = append(row, note)
			rows.Short = append(rows.Short, []string{"", short})
		}
		rows.Rows = append(rows.Rows, row)
	}
	return printer.Print(records, rows)
}
