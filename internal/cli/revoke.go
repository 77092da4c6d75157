package cli

import (
	"context"
	"fmt"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/runctx"
	"github.com/maketoken/maketoken/internal/tokens"
	"github.com/spf13/cobra"
)

// RevokeOptions are the options of `maketoken revoke`.
type RevokeOptions struct {
	services
	Created []string // exact `created` timestamps (the arguments)
	Label   string
	Prefix  string
	All     bool
	changeFlags
}

func newRevokeCmd(f *Factory) *cobra.Command {
	opts := &RevokeOptions{services: servicesOf(f)}
	cmd := &cobra.Command{
		Use: "revoke (CREATED... | --label L | --prefix P)",
		// The words people try first for it.
		SuggestFor: []string{"delete", "del", "remove", "rm"},
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
	sel, err := tokens.RevokeSelector(opts.Created, opts.Label, opts.Prefix)
	if err != nil {
		return err
	}
	printer, targets, err := opts.start(ctx, false)
	if err != nil {
		return err
	}
	zc := targets[0]
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
	// A token that only may be the credential (another listed token looks
	// alike) is revoked as any other: the credential is kept in storage.
	maybe := tokens.MayBeCurrent(listed, matched, zc.Credential.Token)
	current := !maybe && tokens.IsCurrent(matched[len(matched)-1], zc.Credential.Token)

	verb := "Revoking"
	if opts.DryRun {
		verb = "Would revoke"
	}
	opts.IO.Say("%s %s in zone %s:", verb, countTokens(len(matched)), zone)
	marked := zc.Credential
	if maybe {
		marked = credentials.Credential{}
	}
	writeTokenLines(opts.IO, matched, marked)
	switch {
	case current:
		opts.IO.Warn(fmt.Sprintf("this includes the credential maketoken uses for zone %s; %s", zone, afterCurrentRevoked(zc)))
	case maybe:
		opts.IO.Warn(fmt.Sprintf("zone %s: a token here starts like the credential maketoken uses, as another listed token does, so it may be the credential; the credential stays stored: if later commands are refused, log in again (`maketoken login -z %s`)", zone, zone))
	}

	records := tokens.Revocations(zone, matched)
	if opts.DryRun {
		// At a terminal the plan above says it all, as prune's does.
		if err := printRevocations(printer, opts.Now(), records, true); err != nil {
			return err
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
	errs := revokeRecorded(ctx, opts.IO, zc, client, matched, records, progress.Count)
	progress.Stop()
	return reportRevoked(ctx, opts, printer, zc, records, errs, current)
}

// reportRevoked says how a revoke went, as prune does (a line per token
// that failed, one summary line, the table only when asked for at a
// terminal), and removes a revoked credential in use (current: the last
// record) from storage.
func reportRevoked(ctx context.Context, opts *RevokeOptions, printer *output.Printer, zc credentials.Target, records []tokens.Revocation, errs []error, current bool) error {
	zone, revoked := zc.Zone.Name, tokens.CountRevoked(records)
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
	if err := printRevocations(printer, opts.Now(), records, false); err != nil {
		return err
	}
	for _, err := range errs {
		opts.IO.PrintError(err)
	}
	opts.IO.Result(revoked == len(records), "Revoked %d of %s in zone %s.", revoked, countTokens(len(records)), zone)
	forgetErr := forget()
	err := cmderr.Summarize(errs, false, nil)
	if err == nil {
		return forgetErr
	}
	opts.IO.PrintError(forgetErr)
	return err
}

// checkMatches refuses a selection that names missing tokens, matches
// nothing, or matches several tokens where one was meant.
func checkMatches(opts *RevokeOptions, zone string, sel tokens.Selector, picked tokens.Selection) error {
	if err := sel.Unmatched(zone, picked); err != nil {
		return err
	}
	if n := len(picked.Tokens); n > 1 && len(sel.Created) == 0 && !opts.All {
		opts.IO.Say("maketoken: zone %s: %s matches %s:", zone, sel.Describe(), countTokens(n))
		writeTokenLines(opts.IO, picked.Tokens, credentials.Credential{})
		return &cmderr.Error{Code: cmderr.Usage, Err: fmt.Errorf("zone %s: pass --all to revoke all %d, or name one by its created timestamp; nothing was revoked", zone, n)}
	}
	return nil
}
