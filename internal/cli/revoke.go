package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/redact"
	"github.com/maketoken/maketoken/internal/runctx"
	"github.com/maketoken/maketoken/internal/tokens"
	"github.com/maketoken/maketoken/internal/zones"
	"github.com/spf13/cobra"
)

// RevokeOptions are the options of `maketoken revoke`.
type RevokeOptions struct {
	IO         *iostreams.IOStreams
	Printer    func() (*output.Printer, error)
	Credential func(context.Context) (zoneCredential, error)
	Client     func(zones.Zone, string) (*makeapi.Client, error)
	Store      func() (*credentials.Store, error)
	Now        func() time.Time
	Redactor   *redact.Redactor
	Created    []string // exact `created` timestamps (the arguments)
	Label      string
	Prefix     string
	All        bool
	changeFlags
}

func newRevokeCmd(f *Factory) *cobra.Command {
	opts := &RevokeOptions{IO: f.IO, Printer: f.Printer, Credential: f.Credential, Client: f.Client, Store: f.Store,
		Now: f.Now, Redactor: f.Redactor}
	cmd := &cobra.Command{
		Use: "revoke (CREATED... | --label L | --prefix P)",
		// The words people try first for it.
		SuggestFor: []string{"delete", "del", "remove", "rm"},
		Short:      "Revoke API tokens by creation time, label or prefix",
		Long: `Revoke API tokens of the zone. Name them by their exact created timestamps
(as ` + "`maketoken list -o tsv`" + ` shows them), by label (--label: every token
with that label) or by the visible first part of the token (--prefix). Given
together, a token must match them all.

A label or prefix that matches several tokens is refused (exit 2, listing
them) unless --all is given; a selector that matches nothing exits 6. The
tokens are shown and, on a terminal, confirmed before anything is revoked;
without a terminal --yes is required. --dry-run shows what would be revoked.

Revoking the credential maketoken itself uses for the zone is called out, and
afterwards that credential is removed from storage (log in again with a new
one). Tokens are revoked concurrently; if some fail, the others are still
revoked and the exit code is 7. Revoking needs the user:write scope.

` + tokens.AlreadyRevokedHelp,
		Example: `  maketoken revoke 2024-03-27T05:53:27.360Z
  maketoken revoke --label ci-nightly --all --yes
  maketoken revoke -z us1 --prefix 3f2a9c1d --dry-run`,
		ValidArgsFunction: completion(f, completeCreated),
		RunE: f.runE(func(ctx context.Context, args []string) error {
			opts.Created = args
			return RunRevoke(ctx, opts)
		}),
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Label, "label", "l", "", "revoke the tokens with this label (L or L~exp=TIME)")
	fl.StringVar(&opts.Prefix, "prefix", "", "revoke the token whose visible first part starts with this")
	fl.BoolVar(&opts.All, "all", false, "revoke every token the selector matches, not just one")
	opts.register(fl, "show what would be revoked and change nothing")
	_ = cmd.RegisterFlagCompletionFunc("label", completion(f, completeLabels))
	_ = cmd.RegisterFlagCompletionFunc("prefix", cobra.NoFileCompletions)
	return cmd
}

// RunRevoke revokes the tokens of the selected zone that opts selects.
func RunRevoke(ctx context.Context, opts *RevokeOptions) error {
	sel, err := opts.selector()
	if err != nil {
		return err
	}
	printer, err := opts.Printer()
	if err != nil {
		return err
	}
	zc, err := opts.Credential(ctx)
	if err != nil {
		return err
	}
	zone := zc.Zone.Name
	spinner := opts.IO.StartSpinner("listing the tokens of zone " + zone)
	client, listed, err := listZoneTokens(ctx, opts.Client, zc)
	spinner.Stop()
	if err != nil {
		return err
	}
	picked := sel.Select(listed)
	if err := checkMatches(opts, zone, sel, picked); err != nil {
		return err
	}
	matched := picked.Tokens
	tokens.CurrentLast(matched, zc.Credential.Token)
	current := tokens.IsCurrent(matched[len(matched)-1], zc.Credential.Token)

	verb := "Revoking"
	if opts.DryRun {
		verb = "Would revoke"
	}
	opts.IO.Say("%s %s in zone %s:", verb, countTokens(len(matched)), zone)
	writeTokenLines(opts.IO, matched, zc.Credential)
	if current {
		opts.IO.Warn(fmt.Sprintf("this includes the credential maketoken uses for zone %s; %s", zone, afterCurrentRevoked(zc)))
	}

	records := make([]revokeRecord, len(matched))
	for i, t := range matched {
		records[i] = revokeRecord{Zone: zone, Label: t.Label, Created: t.Created}
	}
	if opts.DryRun {
		// At a terminal the plan above says it all, as prune's does.
		if !printer.TableUnasked() {
			if err := printer.Print(records, revokeRows(opts.Now(), records, printer.Format, true)); err != nil {
				return err
			}
		}
		opts.IO.Say("Dry run: nothing was revoked.")
		return nil
	}
	question := fmt.Sprintf("Revoke %s in zone %s?", countTokens(len(matched)), zone)
	if current {
		question = fmt.Sprintf("Revoke %s in zone %s, including the credential maketoken uses?", countTokens(len(matched)), zone)
	}
	if err := opts.IO.Confirm(ctx, question, opts.Yes); err != nil {
		return err
	}

	progress := opts.IO.StartProgress("revoked", len(matched))
	rv := newRevoker(opts.IO, zone, client)
	rv.Done = progress.Count
	errs := revokeRecorded(ctx, opts.Redactor, rv, matched, zc.Credential.Token, records, func(t makeapi.Token, err error) error {
		return notRevoked(zc.credential(), t, err)
	})
	progress.Stop()
	return reportRevoked(ctx, opts, printer, zc, records, errs, current)
}

// reportRevoked says how a revoke went, as prune does (a line per token
// that failed, one summary line, the table only when asked for at a
// terminal), and removes a revoked credential in use (current: the last
// record) from storage.
func reportRevoked(ctx context.Context, opts *RevokeOptions, printer *output.Printer, zc zoneCredential, records []revokeRecord, errs []error, current bool) error {
	zone, revoked := zc.Zone.Name, countRevoked(records)
	forget := func() error {
		if current && records[len(records)-1].Revoked {
			return forgetRevoked(ctx, opts.IO, opts.Store, zc)
		}
		return nil
	}
	if ie := runctx.Interrupted(ctx); ie != nil {
		// One line says how far it got; no table of "no".
		opts.IO.PrintError(forget())
		return &runctx.InterruptedError{Signal: ie.Signal, Summary: fmt.Sprintf("revoked %d of %s in zone %s; the others are still valid (see `maketoken list -z %s`)", revoked, countTokens(len(records)), zone, zone)}
	}
	if !printer.TableUnasked() {
		if err := printer.Print(records, revokeRows(opts.Now(), records, printer.Format, false)); err != nil {
			return err
		}
	}
	reportFailures(ctx, opts.IO, errs)
	opts.IO.Result(revoked == len(records), "Revoked %d of %s in zone %s.", revoked, countTokens(len(records)), zone)
	forgetErr := forget()
	err := cmderr.Summarize(errs, false, nil)
	if err == nil {
		return forgetErr
	}
	opts.IO.PrintError(forgetErr)
	return err
}

// selector checks the selection flags and arguments.
func (o *RevokeOptions) selector() (tokens.Selector, error) {
	sel := tokens.Selector{Created: o.Created, Label: o.Label, Prefix: o.Prefix}
	if !sel.Names() {
		return sel, cmderr.Usagef("say which tokens to revoke: their created timestamps, --label L or --prefix P (see `maketoken list`)")
	}
	for _, c := range o.Created {
		if strings.TrimSpace(c) == "" {
			return sel, cmderr.Usagef("a created timestamp cannot be blank")
		}
		if err := createdArg(c); err != nil {
			return sel, err
		}
	}
	if o.Label != "" && strings.TrimSpace(o.Label) == "" {
		return sel, cmderr.Usagef("--label cannot be blank")
	}
	if o.Prefix != "" && makeapi.Prefix(strings.TrimSpace(o.Prefix)) == "" {
		return sel, cmderr.Usagef("--prefix needs the visible start of a token, e.g. --prefix 3f2a9c1d")
	}
	return sel, nil
}

// checkMatches refuses a selection that names missing tokens, matches
// nothing, or matches several tokens where one was meant.
func checkMatches(opts *RevokeOptions, zone string, sel tokens.Selector, picked tokens.Selection) error {
	switch n := len(picked.Tokens); {
	case n == 0:
		return &cmderr.Error{Code: cmderr.NoMatch, Err: fmt.Errorf("zone %s: no token matches %s; nothing was revoked (see `maketoken list -z %s`)", zone, describeSelector(sel), zone)}
	case len(picked.Missing) > 0:
		return &cmderr.Error{Code: cmderr.NoMatch, Err: fmt.Errorf("zone %s: no token was created at %s (timestamps must match exactly, as listed); nothing was revoked", zone, strings.Join(picked.Missing, ", "))}
	case n > 1 && len(sel.Created) == 0 && !opts.All:
		opts.IO.Say("maketoken: zone %s: %s matches %s:", zone, describeSelector(sel), countTokens(n))
		writeTokenLines(opts.IO, picked.Tokens, credentials.Credential{})
		return &cmderr.Error{Code: cmderr.Usage, Err: fmt.Errorf("zone %s: pass --all to revoke all %d, or name one by its created timestamp; nothing was revoked", zone, n)}
	}
	return nil
}

func describeSelector(sel tokens.Selector) string {
	var parts []string
	if len(sel.Created) > 0 {
		created := make([]string, len(sel.Created))
		for i, c := range sel.Created {
			created[i] = output.EchoPlain(c)
		}
		parts = append(parts, "created "+strings.Join(created, ", "))
	}
	if sel.Label != "" {
		parts = append(parts, "--label "+output.Echo(sel.Label))
	}
	if sel.Prefix != "" {
		parts = append(parts, "--prefix "+output.EchoPlain(sel.Prefix))
	}
	return strings.Join(parts, " and ")
}

// createdArg checks that an argument of revoke is a created timestamp,
// and if it is not, says what it more likely is: a label or the visible
// start of a token (`maketoken revoke ci-nightly`).
func createdArg(c string) error {
	// Make's created times are RFC 3339; one Make sends otherwise still
	// names its token (as listed, byte for byte): a date is enough.
	if len(c) >= 11 && c[10] == 'T' {
		if _, err := time.Parse(time.DateOnly, c[:10]); err == nil {
			return nil
		}
	}
	msg := fmt.Sprintf("%s is not a created time (e.g. 2024-03-27T05:53:27.360Z)", output.Echo(c))
	w := output.ShellWord(c)
	switch {
	case w == "":
		return cmderr.Usagef("%s; name tokens by --label or --prefix instead", msg)
	case isTokenPrefix(c):
		return cmderr.Usagef("%s; to revoke the token that starts with it: `maketoken revoke --prefix %s`", msg, w)
	}
	return cmderr.Usagef("%s; to revoke the tokens labelled %s: `maketoken revoke --label %s`", msg, w, w)
}

// isTokenPrefix reports whether s looks like the visible start of a token:
// at least four hexadecimal digits, before any dash.
func isTokenPrefix(s string) bool {
	p := makeapi.Prefix(s)
	return len(p) >= 4 && strings.Trim(strings.ToLower(p), "0123456789abcdef") == ""
}
