package cli

import (
	"context"
	"github.com/maketoken/maketoken/internal/credentials"
	"slices"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/runctx"
	"github.com/maketoken/maketoken/internal/tokens"
	"github.com/maketoken/maketoken/internal/zones"
	"github.com/spf13/cobra"
)

// ListOptions are the options of `maketoken list`.
type ListOptions struct {
	services
	AllZones bool
	Label    string
}

func newListCmd(f *Factory) *cobra.Command {
	opts := &ListOptions{services: servicesOf(f)}
	cmd := &cobra.Command{
		Use: "list",
		Long: `List the API tokens of the selected zone, or with --all-zones of every zone
that has a credential (queried in parallel, one request per zone): zone,
label, scopes, creation time, the masked token, and whether it is the
credential maketoken itself uses for that zone (current). A token with a
lifetime (create --ttl, exec --ephemeral: its label ends in ~exp=TIME) also
shows when it expires, and whether it has (expires, expired; in a table an
EXPIRES column, "expired" once it has): ` + "`maketoken prune --expired`" + ` revokes
those.

Tokens are sorted by zone, then by creation time (newest first in a
table, oldest first in TSV and JSON). A table fits the terminal, giving up
first what names a token least: times shorten (the date, then "3mo ago"),
scope lists become counts ("61 scopes") and, on a narrow terminal, go; long
labels are cut last; the token is shown by its visible prefix. TSV and JSON
always carry every field in full. If some zones fail, the
others are still listed, the failures are reported on stderr, and the exit
code is 7. Listing needs the user:read scope.`,
		Example: `  maketoken list
  maketoken list --all-zones -o json
  maketoken list -z us1 --label ci-nightly
  maketoken list --all-zones --jq '.[] | select(.current) | .zone'`,
		Args: cobra.NoArgs,
		RunE: f.runE(func(ctx context.Context, _ []string) error {
			return RunList(ctx, opts)
		}),
	}
	allZonesFlag(cmd, &opts.AllZones, "list the tokens of every zone that has a credential")
	cmd.Flags().StringVarP(&opts.Label, "label", "l", "", "only tokens with this label (L or L~exp=TIME)")
	_ = cmd.RegisterFlagCompletionFunc("label", completion(f, completeLabels))
	return cmd
}

// RunList lists the tokens of the selected zone or of every zone with a
// credential.
func RunList(ctx context.Context, opts *ListOptions) error {
	printer, targets, err := opts.start(ctx, opts.AllZones)
	if err != nil {
		return err
	}
	perZone := make([][]tokens.Listed, len(targets))
	spinner := opts.IO.StartSpinner("listing the tokens of " + zonesText(targetNames(targets)))
	defer spinner.Stop()
	errs := eachZone(targets, func(i int, t credentials.Target) error {
		client, listed, err := listZoneTokens(ctx, opts.Client, t)
		if err != nil {
			return err
		}
		// Lifetimes count on Make's clock, as the list's answer shows it.
		now, _ := tokens.ServerNow(client, opts.Now)
		for _, tok := range (tokens.Selector{Label: opts.Label}).Select(listed).Tokens {
			perZone[i] = append(perZone[i], tokens.NewListed(t.Zone.Name, tok, t.Credential.Token, now))
		}
		return nil
	})

	spinner.Stop()
	if err := runctx.InterruptedErr(ctx, "not every zone had answered; nothing was printed"); err != nil {
		return err
	}
	// When no zone answered there is nothing to show: no empty table (nor
	// an empty JSON list, which would say the zones have no tokens)
	// before the errors.
	if !slices.Contains(errs, nil) {
		return cmderr.Summarize(errs, false, opts.IO.PrintError)
	}
	// targets are in the registry's order, so this is zone, then created.
	records := []tokens.Listed{}
	for _, rs := range perZone {
		records = append(records, rs...)
	}
	if err := printer.Print(records, listRows(opts.Now(), records, printer.Format, !opts.AllZones)); err != nil {
		return err
	}
	return cmderr.Summarize(errs, false, opts.IO.PrintError)
}

// listRows is the table or TSV form of listed tokens. TSV has every
// field verbatim, in the JSON's order. A table is for a person at a
// terminal: newest token first in each zone, times relative or local, the
// token as its visible prefix, no ZONE column when one zone is listed, and
// labels and scopes may be shortened to fit.
func listRows(now time.Time, records []tokens.Listed, format string, oneZone bool) output.Rows {
	if format != output.Table {
		rows := output.Rows{Headers: output.TSVColumns("list")}
		for _, r := range records {
			expires := ""
			if r.Expires != nil {
				expires = *r.Expires
			}
			rows.Rows = append(rows.Rows, []string{r.Zone, r.Label, strings.Join(r.Scopes, ","), r.Created, r.Token, output.Bool(r.Current, format), expires, output.Bool(r.Expired, format)})
		}
		return rows
	}
	// A narrow terminal gives up what names a token least: times shorten
	// (the date, then "3mo ago"), scope lists become counts and then go;
	// the label is cut last, and the zone and the token's prefix stay.
	rows := output.Rows{
		Headers:  []string{"ZONE", "LABEL", "SCOPES", "CREATED", "TOKEN", "CURRENT"},
		Flexible: []bool{false, true, true, false, false, false},
		Keep:     []bool{false, true, false, false, false, false},
		Optional: []bool{false, false, true, false, false, false},
		Dim:      []bool{false, false, false, true, true, false}, // created, token
	}
	// EXPIRES only when some token has a lifetime (create --ttl), a column
	// neither cut nor left out (see output.Rows).
	withExpiry := slices.ContainsFunc(records, func(r tokens.Listed) bool { return r.Expires != nil })
	if withExpiry {
		rows.Headers = append(rows.Headers, "EXPIRES")
	}
	if oneZone {
		rows.Headers, rows.Flexible, rows.Dim = rows.Headers[1:], rows.Flexible[1:], rows.Dim[1:]
		rows.Keep, rows.Optional = rows.Keep[1:], rows.Optional[1:]
	}
	// Records come zone by zone: zones keep their order, and each zone's
	// tokens are turned newest first.
	newestFirst := slices.Clone(records)
	for i := 0; i < len(newestFirst); {
		j := i + 1
		for j < len(newestFirst) && newestFirst[j].Zone == newestFirst[i].Zone {
			j++
		}
		slices.SortStableFunc(newestFirst[i:j], func(a, b tokens.Listed) int { return tokens.CompareCreated(b.Created, a.Created) })
		i = j
	}
	for _, r := range newestFirst {
		created := output.TimeForms(r.Created, now)
		row := []string{r.Zone, r.Label, strings.Join(r.Scopes, ","), created[0], output.ShortToken(r.Token), output.Bool(r.Current, format)}
		short := []string{"", "", output.ScopeCount(r.Scopes), "", "", ""}
		forms := [][]string{nil, nil, nil, created[1:], nil, nil}
		if withExpiry {
			expires := expiresForms(r, now)
			row, forms = append(row, expires[0]), append(forms, expires[1:])
		}
		if oneZone {
			row, short, forms = row[1:], short[1:], forms[1:]
		}
		rows.Rows = append(rows.Rows, row)
		rows.Short = append(rows.Short, short)
		rows.Forms = append(rows.Forms, forms)
	}
	return rows
}

// expiresForms show a token's expiry to a person: "expired", when it
// expires (the local time, shorter forms after it), or nothing.
func expiresForms(r tokens.Listed, now time.Time) []string {
	switch {
	case r.Expires == nil:
		return []string{""}
	case r.Expired:
		return []string{"expired"}
	}
	return output.TimeForms(*r.Expires, now)
}

// listZoneTokens lists one zone's tokens with its credential, oldest
// first.
func listZoneTokens(ctx context.Context, newClient func(zones.Zone, string) (*makeapi.Client, error), zc credentials.Target) (*makeapi.Client, []makeapi.Token, error) {
	client, err := newClient(zc.Zone, zc.Credential.Token)
	if err != nil {
		return nil, nil, err
	}
	listed, err := client.ListTokens(ctx)
	if err != nil {
		return nil, nil, cmderr.API(zc.CallCredential(), err, "user:read")
	}
	tokens.SortByCreated(listed)
	return client, listed, nil
}
