package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/age"
	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/runctx"
	"github.com/maketoken/maketoken/internal/tokens"
	"github.com/spf13/cobra"
)

// PruneOptions are the options of `maketoken prune`.
type PruneOptions struct {
	services    // its Client is a bulk client
	AllZones    bool
	OlderThan   string
	Label       string
	LabelPrefix string
	Keep        int
	changeFlags
	// Expired prunes the tokens whose lifetime, recorded in their label
	// by --ttl (see internal/expiry), has passed, instead of OlderThan.
	Expired bool
}

func newPruneCmd(f *Factory) *cobra.Command {
	opts := &PruneOptions{services: servicesOf(f)}
	opts.Client = f.BulkClient
	cmd := &cobra.Command{
		Use: "prune (--older-than AGE | --expired)",
		Long: `Revoke the tokens created longer ago than AGE: a number and a unit, m
(minutes), h, d, w or y (365 days), or several (90d, 12h, 2w, 1y, 1w3d).

--label or --label-prefix limits it to those labels (--label L also matches
L~exp=TIME, a label with a lifetime); --keep N spares the newest N tokens of
each label (its lifetime left out) whatever their age. The credential maketoken
itself uses for a zone is never pruned (revoke it by name with
` + "`maketoken revoke`" + ` if you mean to). With --all-zones every zone that has
a credential is pruned, in parallel.

The tokens are shown and, on a terminal, confirmed before anything is
revoked; without a terminal --yes is required. --dry-run lists what would be
revoked. Deletes run a few at a time per zone; when Make's rate limit
answers 429, all of a zone's deletes pause for the wait Make asks for and
then go on, so a large prune finishes without failures as long as --timeout
allows (Make allows 60 to 1000 requests a minute: raise --timeout for
hundreds of tokens). Progress is shown on stderr when it is a terminal.

Exit codes: 6 if --label or --label-prefix matches no token at all; 7 if
some tokens (or zones) failed and others were revoked. Nothing old enough
is not an error.

--expired revokes instead the tokens whose lifetime has passed: those made by
` + "`create --ttl`" + ` and ` + "`exec --ephemeral`" + `, whose label ends in ~exp=TIME (UTC,
e.g. deploy-bot~exp=20261128T030000Z). The lifetime is in the label, at
Make, so any machine with a credential for the zone can clean up after a
job that was killed or lost: run it on a schedule. A label whose suffix is
not exactly that form is left alone. Lifetimes are judged on Make's clock
(the Date of its answer); a zone whose clock is more than 5m off this
machine's is refused (exit 1): fix this machine's clock first.

` + tokens.AlreadyRevokedHelp,
		Example: `  maketoken prune --older-than 90d --dry-run
  maketoken prune --older-than 30d --label ci-nightly --keep 2 --yes
  maketoken prune --all-zones --older-than 1y --label-prefix ci- --yes \
    --timeout 10m
  maketoken prune --all-zones --expired --yes`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := exclusiveFlags(cmd, "zone", "all-zones"); err != nil {
				return err
			}
			if err := exclusiveFlags(cmd, "older-than", "expired"); err != nil {
				return err
			}
			return exclusiveFlags(cmd, "label", "label-prefix")
		},
		RunE: f.runE(func(ctx context.Context, _ []string) error {
			return RunPrune(ctx, opts)
		}),
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.AllZones, "all-zones", false, "prune every zone that has a credential")
	fl.StringVar(&opts.OlderThan, "older-than", "", "revoke tokens created longer ago than this (90d, 12h, 2w, 1y)")
	fl.StringVarP(&opts.Label, "label", "l", "", "only tokens with this label (L or L~exp=TIME)")
	fl.StringVar(&opts.LabelPrefix, "label-prefix", "", "only tokens whose label starts with this")
	fl.IntVar(&opts.Keep, "keep", 0, "spare the newest N tokens of each label, whatever their age")
	opts.register(fl, "show what would be revoked and change nothing")
	fl.BoolVar(&opts.Expired, "expired", false, "revoke the tokens whose lifetime (--ttl) has passed instead")
	_ = cmd.RegisterFlagCompletionFunc("label", completion(f, completeLabels))
	_ = cmd.RegisterFlagCompletionFunc("older-than", cobra.FixedCompletions([]string{"90d", "30d", "2w", "1y"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// pruneZone is one zone's part of a prune.
type pruneZone struct {
	zc      credentials.Target
	client  *makeapi.Client
	matched int             // tokens the label filter matched
	doomed  []makeapi.Token // to revoke
	spared  *makeapi.Token  // the zone's credential, old enough but spared
	err     error           // listing failed
	first   int             // where its records start among the prune's
}

// RunPrune revokes the old tokens of the selected zone or of all zones.
func RunPrune(ctx context.Context, opts *PruneOptions) error {
	maxAge, err := opts.validate()
	if err != nil {
		return err
	}
	printer, targets, err := opts.start(ctx, opts.AllZones)
	if err != nil {
		return err
	}
	plans := make([]*pruneZone, len(targets))
	// A 429 while listing shows here as a countdown (see Factory.newClient).
	spinner := opts.IO.StartSpinner("listing the tokens of " + zonesText(targetNames(targets)))
	parallel(len(targets), func(i int) error {
		plans[i] = planPrune(ctx, opts, targets[i], maxAge)
		return nil
	})
	spinner.Stop()
	p := collectPrune(plans)
	if err := runctx.InterruptedErr(ctx, "nothing was revoked"); err != nil {
		return err
	}
	for _, err := range p.listErrs {
		opts.IO.PrintError(err)
	}
	if len(p.listErrs) == len(plans) {
		return cmderr.Silent(cmderr.Common(p.listErrs))
	}
	showPrunePlan(opts, plans)
	if len(p.records) == 0 || opts.DryRun {
		return opts.revokeNothing(printer, p)
	}
	if err := opts.IO.Confirm(ctx, output.Sanitize(fmt.Sprintf("Revoke %s %s in %s?", countTokens(len(p.records)), opts.whichText(), zonesText(p.listed))), opts.Yes); err != nil {
		return err
	}

	errs := runPrune(ctx, opts, plans, p.records)
	revoked := tokens.CountRevoked(p.records)
	if err := runctx.InterruptedErr(ctx, "revoked %d of %d; run the command again to finish", revoked, len(p.records)); err != nil {
		return err
	}
	// At a terminal the plan named the tokens: a line for each that
	// failed and one summary line say how it went, and the table only
	// comes when it was asked for (-o table). Elsewhere the records go
	// to stdout.
	if err := printRevocations(printer, opts.Now(), p.records, false); err != nil {
		return err
	}
	for _, err := range errs {
		opts.IO.PrintError(err)
	}
	opts.IO.Result(revoked == len(p.records), "Pruned %d of %s.", revoked, countTokens(len(p.records)))
	return pruneExit(p.listErrs, errs, revoked)
}

// prunePlan is what the zones' plans add up to.
type prunePlan struct {
	records  []tokens.Revocation // the tokens to revoke, zone by zone
	listErrs []error             // the zones that could not be listed
	listed   []string            // the zones that could
	matched  int                 // tokens the label filter matched
}

func collectPrune(plans []*pruneZone) prunePlan {
	p := prunePlan{records: []tokens.Revocation{}}
	for _, z := range plans {
		if z.err != nil {
			p.listErrs = append(p.listErrs, z.err)
			continue
		}
		p.listed = append(p.listed, z.zc.Zone.Name)
		p.matched += z.matched
		z.first = len(p.records)
		for _, t := range z.doomed {
			p.records = append(p.records, tokens.Revocation{Zone: z.zc.Zone.Name, Label: t.Label, Created: t.Created})
		}
	}
	return p
}

// revokeNothing ends a prune that revokes nothing: nothing old enough (or a
// label filter that matched no token at all, exit 6), or --dry-run.
func (o *PruneOptions) revokeNothing(printer *output.Printer, p prunePlan) error {
	switch {
	case len(p.records) > 0:
	case p.matched == 0 && (o.Label != "" || o.LabelPrefix != "") && len(p.listErrs) == 0:
		return &cmderr.Error{Code: cmderr.NoMatch, Err: fmt.Errorf("%s: no token has %s; nothing was revoked (see `maketoken list`)", zonesText(p.listed), o.filterText())}
	case o.Expired:
		o.IO.Say("Nothing to prune: no %s has expired.", o.tokensText())
	default:
		o.IO.Say("Nothing to prune: no %s is older than %s.", o.tokensText(), o.OlderThan)
	}
	// At a terminal the plan above says it all: no table repeats it.
	if err := printRevocations(printer, o.Now(), p.records, o.DryRun); err != nil {
		return err
	}
	if len(p.records) > 0 {
		o.IO.Say("Dry run: nothing was revoked.")
	}
	return pruneExit(p.listErrs, nil, 0)
}

// validate checks what the flags ask for (--older-than and --expired
// exclude each other already: PreRunE) and returns the age (0 with
// --expired).
func (o *PruneOptions) validate() (maxAge time.Duration, err error) {
	switch {
	case o.Expired && o.Keep != 0:
		return 0, cmderr.Usagef("--keep does not apply to --expired: a token past its lifetime goes")
	case o.Expired:
	case strings.TrimSpace(o.OlderThan) == "":
		return 0, cmderr.Usagef("say how old a token must be to be pruned: --older-than AGE (e.g. 90d, 12h, 2w, 1y), or prune the expired with --expired")
	default:
		if maxAge, err = age.Parse(o.OlderThan); err != nil {
			return 0, &cmderr.Error{Code: cmderr.Usage, Err: fmt.Errorf("--older-than: %w", err)}
		}
	}
	switch {
	case o.Label != "" && strings.TrimSpace(o.Label) == "":
		return 0, cmderr.Usagef("--label cannot be blank")
	case o.Keep < 0:
		return 0, cmderr.Usagef("--keep cannot be negative")
	}
	return maxAge, nil
}

// whichText says which tokens are revoked, for messages: "older than 90d",
// "whose lifetime has passed".
func (o *PruneOptions) whichText() string {
	if o.Expired {
		return "whose lifetime has passed"
	}
	return "older than " + o.OlderThan
}

// filterText describes the label filter, for messages.
func (o *PruneOptions) filterText() string {
	switch {
	case o.Label != "":
		return "the label " + output.Echo(o.Label)
	case o.LabelPrefix != "":
		return "a label starting with " + output.Echo(o.LabelPrefix)
	}
	return "any label"
}

// tokensText describes the tokens a prune looks at, for messages.
func (o *PruneOptions) tokensText() string {
	s := "token"
	if o.Label != "" || o.LabelPrefix != "" {
		s += " with " + o.filterText()
	}
	if o.Keep > 0 {
		s += fmt.Sprintf(" (beyond the newest %d of each label)", o.Keep)
	}
	return s
}

// prune is what a prune picks in each zone (see tokens.Prune).
func (o *PruneOptions) prune(maxAge time.Duration) tokens.Prune {
	return tokens.Prune{MaxAge: maxAge, Expired: o.Expired, Label: o.Label, LabelPrefix: o.LabelPrefix, Keep: o.Keep}
}

// planPrune lists a zone's tokens and picks those to revoke, on Make's
// clock as the list's answer shows it. With --expired a clock past
// tokens.SkewLimit from Make's is the zone's failure: lifetimes are
// judged by nothing else than Make's clock, and a machine whose own is
// that far off has something to fix first.
func planPrune(ctx context.Context, opts *PruneOptions, zc credentials.Target, maxAge time.Duration) *pruneZone {
	p := &pruneZone{zc: zc}
	if zc.Err != nil { // a zone that failed before any request
		p.err = zc.Err
		return p
	}
	client, err := opts.Client(zc.Zone, zc.Credential.Token)
	if err != nil {
		p.err = err
		return p
	}
	p.client = client
	sel, err := opts.prune(maxAge).Plan(ctx, zc.Zone.Name, client, zc.Credential.Token, opts.Now)
	switch {
	case errors.As(err, new(*tokens.SkewError)):
		p.err = fmt.Errorf("%w: prune --expired refuses until it is fixed (see `maketoken doctor -z %s`); nothing was revoked", err, zc.Zone.Name)
		return p
	case err != nil:
		p.err = cmderr.API(zc.CallCredential(), err, "user:read")
		return p
	}
	p.matched, p.doomed = sel.Matched, sel.Tokens
	if len(sel.Spared) > 0 {
		p.spared = &sel.Spared[len(sel.Spared)-1]
	}
	if sel.Undated > 0 {
		opts.IO.Warn(fmt.Sprintf("zone %s: %s with a creation time maketoken cannot read were left alone", zc.Zone.Name, countTokens(sel.Undated)))
	}
	return p
}

// showPrunePlan lists on stderr what each zone will (or would) lose.
func showPrunePlan(opts *PruneOptions, plans []*pruneZone) {
	verb := "Revoking"
	if opts.DryRun {
		verb = "Would revoke"
	}
	for _, p := range plans {
		if p.err != nil {
			continue
		}
		zone := p.zc.Zone.Name
		if p.spared != nil {
			opts.IO.Say("Not pruning the credential maketoken uses for zone %s (%s, created %s): prune never revokes it; use `maketoken revoke -z %s %s` if you mean to.",
				zone, output.Printable(strconv.Quote(p.spared.Label)), p.spared.Created, zone, p.spared.Created)
		}
		if len(p.doomed) == 0 {
			continue
		}
		opts.IO.Say("%s %s %s in zone %s:", verb, countTokens(len(p.doomed)), opts.whichText(), zone)
		writeTokenLines(opts.IO, p.doomed, credentials.Credential{})
	}
}

// runPrune revokes the doomed tokens, zones in parallel and each zone a few
// at a time, filling in records (in plan order) and returning the errors
// of the tokens not revoked.
func runPrune(ctx context.Context, opts *PruneOptions, plans []*pruneZone, records []tokens.Revocation) []error {
	progress := opts.IO.StartProgress("revoked", len(records))
	perZone := make([][]error, len(plans))
	parallel(len(plans), func(i int) error {
		p := plans[i]
		if len(p.doomed) == 0 { // nothing to revoke, or not listed
			return nil
		}
		perZone[i] = revokeRecorded(ctx, opts.IO, p.zc, p.client, p.doomed, records[p.first:], progress.Count)
		return nil
	})
	progress.Stop() // the errors get lines of their own
	return slices.DeleteFunc(slices.Concat(perZone...), func(err error) bool { return err == nil })
}

// pruneExit picks the exit code: 7 if some zones or tokens failed while
// others were pruned (a zone that listed fine counts, even with nothing
// to prune), else the failures' own code.
func pruneExit(listErrs, deleteErrs []error, revoked int) error {
	switch {
	case len(listErrs) == 0 && len(deleteErrs) == 0:
		return nil
	case len(listErrs) > 0 || revoked > 0:
		return cmderr.Silent(cmderr.Partial)
	}
	return cmderr.Silent(cmderr.Common(deleteErrs))
}
