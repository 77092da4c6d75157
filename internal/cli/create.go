package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/expiry"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/runctx"
	"github.com/maketoken/maketoken/internal/scopes"
	"github.com/maketoken/maketoken/internal/tokens"
	"github.com/spf13/cobra"
)

// CreateOptions are the options of `maketoken create`.
type CreateOptions struct {
	services
	Label  string
	Scopes []string // -s values: names, globs, comma-separated lists
	// OutFile receives the token (mode 0600) instead of stdout.
	OutFile string
	// Force lets OutFile replace an existing file.
	Force bool
	// Save stores the token as the zone's credential.
	Save bool
	// TTL, if set, is the token's lifetime, recorded in its label (see
	// internal/expiry) for `prune --expired`.
	TTL string
	// StoreCommand is the `-- COMMAND` that receives the token.
	StoreCommand storeCommandFlags
}

// createRecord is the JSON form of a created token; Token is the secret
// (masked when it went to --out-file).
type createRecord struct {
	Zone    string   `json:"zone"`
	Label   string   `json:"label"`
	Scopes  []string `json:"scopes"`
	Created string   `json:"created"`
	Token   string   `json:"token"`
	// Delivered names the -- COMMAND that received the token.
	Delivered *deliveredRecord `json:"delivered,omitempty"`
}

func newCreateCmd(f *Factory) *cobra.Command {
	opts := &CreateOptions{services: servicesOf(f)}
	cmd := &cobra.Command{
		Use: "create -l LABEL -s SCOPE... [-- COMMAND [ARG...]]",
		Long: `Create an API token in the zone with a label and scopes, and print it once.

-s takes exact scope names and globs ('scenarios:*', '*:read' for a read-only
token), repeated or comma-separated. Each is checked against the zone's scope
list (see ` + "`maketoken scopes`" + `) before anything is created; an unknown scope
fails with the closest valid names.

Make shows the token only now. On a terminal it is printed with a reminder to
copy it; to a pipe it is printed alone on one line; with -o json as a record.
--out-file writes it to a new file with mode 0600 instead and prints no secret
(-o json then shows the record with the token masked); it refuses to replace
a file unless --force, and never writes through a symbolic link. --save also
stores the token as the zone's credential, where the current one is kept
(keyring or file). Creating needs the user:write scope.

--ttl gives the token a lifetime (90s, 30m, 12h, 7d, 2w), counted on Make's
clock: it is recorded in the label as a suffix,
deploy-bot~exp=20261128T030000Z (UTC), and ` + "`maketoken prune --expired`" + `, run
from any machine, revokes the token once it has passed. Make itself never
expires a token. A clock more than 5m off Make's is warned about.

A create whose answer is lost, or that is interrupted or runs out of time
while Make handles it, is never repeated: Make is asked again (after a short
wait when it gave no answer) and a token it made anyway is revoked; if none
has appeared yet, stderr names the label and time to look for.

With -- COMMAND [ARG...] the token goes to COMMAND on its standard input
(or, with --store-env NAME, in the variable NAME), as ` + "`rotate`" + ` hands it
over (see ` + "`maketoken rotate --help`" + `): COMMAND has it only if it read every
byte and exited 0. If it exits non-zero, exits 0 without reading all of
it, or is stopped before it read all of it, the token is revoked again; if
it is stopped after reading it all, the token is kept and stderr says how
to revoke it.
-o json then prints the record with the token masked and "delivered".`,
		Example: `  maketoken create -l ci-nightly -s 'scenarios:*'
  maketoken create -l reporting -s '*:read' -z us1 --out-file reporting.token
  maketoken create -l laptop -s user:read,user:write --save
  TOKEN=$(maketoken create -l deploy -s scenarios:run)
  maketoken create -l release-42 -s scenarios:run --ttl 2h
  maketoken create -l deploy -s scenarios:run -- gh secret set MAKE_TOKEN`,
		PreRunE: func(cmd *cobra.Command, args []string) error {
			// An argument first: it is most likely the label
			// (`create ci-nightly`).
			if err := opts.StoreCommand.parseArgs(cmd, args); err != nil {
				return err
			}
			if !cmd.Flags().Changed("label") {
				return cmderr.Usagef("a label is required: pass -l LABEL (it tells which token sits where)")
			}
			if err := exclusiveFlags(cmd, "ttl", "save"); err != nil {
				return fmt.Errorf("%w: the zone's credential must not expire", err)
			}
			return nil
		},
		RunE: f.runE(func(ctx context.Context, _ []string) error {
			return RunCreate(ctx, opts)
		}),
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Label, "label", "l", "", "the token's label (required)")
	fl.StringArrayVarP(&opts.Scopes, "scope", "s", nil, "a scope name or glob ('scenarios:*', '*:read'); repeat or separate with commas")
	fl.StringVar(&opts.OutFile, "out-file", "", "write the token to this new file (mode 0600) instead of printing it")
	fl.BoolVar(&opts.Force, "force", false, "let --out-file replace an existing file")
	fl.BoolVar(&opts.Save, "save", false, "also store the token as the zone's credential")
	fl.StringVar(&opts.TTL, "ttl", "", "the `DURATION` the token lives (90s, 30m, 12h, 7d) before prune --expired revokes it")
	opts.StoreCommand.register(fl)
	_ = cmd.RegisterFlagCompletionFunc("scope", completion(f, completeScopes))
	_ = cmd.RegisterFlagCompletionFunc("label", cobra.NoFileCompletions)
	_ = cmd.RegisterFlagCompletionFunc("ttl", ttlCompletions)
	return cmd
}

// RunCreate creates a token in the selected zone and delivers it.
func RunCreate(ctx context.Context, opts *CreateOptions) error {
	// Everything it does changes something (the --out-file first): signals
	// are caught from the start (see runctx).
	runctx.Catch(ctx)
	ttl, err := opts.validate()
	if err != nil {
		return err
	}
	targets, done, err := opts.prepareTargets(opts.StoreCommand, opts.OutFile, opts.Force, false)
	defer done()
	if err != nil {
		return err
	}
	zc, client, err := opts.zoneClient(ctx)
	if err != nil {
		return err
	}
	zone, cred := zc.Zone, zc.Credential
	if opts.Save && cred.Source == credentials.SourceEnv {
		return cmderr.Usagef("zone %s: the credential comes from %s, so --save has nowhere to store the new token; nothing was created (unset the variable and log in, or drop --save)", zone.Name, cred.EnvVar)
	}
	// The zone's tokens, listed while the scopes are checked: a token
	// with the label already is worth a word, and the list tells a lost
	// create's token apart from the others.
	spinner := opts.IO.StartSpinner("checking the scopes of zone " + zone.Name)
	defer spinner.Stop()
	var wanted []string
	before, err := tokens.ListBefore(ctx, client, func() (err error) {
		wanted, err = expandScopes(ctx, opts.IO, opts.Cache, zc, client, opts.Scopes)
		return err
	})
	if err != nil {
		return err
	}
	noteSameLabel(opts.IO, zone.Name, opts.Label, before)
	label := opts.Label
	if ttl > 0 {
		// From Make's now when an answer has shown it (the scope list),
		// else this machine's: the create's answer then checks it.
		now, _ := tokens.ServerNow(client, opts.Now)
		label = tokens.LifetimeLabel(label, ttl, now)
	}
	rv := newRevoker(opts.IO, zone.Name, client)
	spinner.SetLabel("creating the token in zone " + zone.Name)
	tok, err := tokens.Create{Client: client, Revoker: rv, Label: label, Scopes: wanted, Before: before}.Do(ctx)
	// Before the token goes anywhere (stdout, a store command that may
	// use the terminal).
	spinner.Stop()
	if err != nil {
		return cmderr.API(cred, err, "user:write")
	}
	opts.IO.Redactor.Add(tok.Token)
	if ttl > 0 {
		warnSkew(opts.IO, zone.Name, client)
	}
	c := createdToken{opts: opts, zc: zc, tok: tok, newTokenTargets: targets,
		rec: createRecord{Zone: zone.Name, Label: tok.Label, Scopes: tok.Scopes, Created: tok.Created, Token: tok.Token}}
	if len(c.rec.Scopes) == 0 {
		c.rec.Scopes = wanted
	}
	return c.deliver(ctx, rv)
}

// noteSameLabel says when the zone already has tokens with the label
// (as --label takes it: L and L~exp=TIME): create makes another one.
func noteSameLabel(ios *iostreams.IOStreams, zone, label string, listed []makeapi.Token) {
	same := tokens.Selector{Label: label}.Select(listed).Tokens
	if len(same) == 0 {
		return
	}
	which := fmt.Sprintf("a token labelled %s (created %s)", strconv.Quote(label), same[0].Created)
	if len(same) > 1 {
		which = fmt.Sprintf("%d tokens labelled %s (the newest created %s)", len(same), strconv.Quote(label), same[len(same)-1].Created)
	}
	replace := "`maketoken rotate -z " + zone + " --label " + output.ShellWord(label) + "` replaces them instead"
	if output.ShellWord(label) == "" {
		replace = "`maketoken rotate --label` replaces them instead"
	}
	ios.Note("zone %s already has %s; this makes another one (%s)", zone, which, replace)
}

// validate checks what can be checked before the token exists, and
// returns the lifetime asked for (0: none).
func (o *CreateOptions) validate() (time.Duration, error) {
	if err := tokens.CheckLabel(o.Label); err != nil {
		return 0, err
	}
	if err := scopes.Validate(o.Scopes); err != nil {
		return 0, err
	}
	switch {
	case o.Force && o.OutFile == "":
		return 0, cmderr.Usagef("--force only applies to --out-file")
	case len(o.StoreCommand.Command) > 0 && (o.OutFile != "" || o.Save):
		return 0, cmderr.Usagef("-- COMMAND excludes --out-file and --save: the new token goes to one place (a command can write a file too)")
	case o.TTL == "":
		return 0, nil
	}
	return tokens.ParseLifetime(o.Label, o.TTL)
}

// warnSkew warns when the zone's answers show this machine's clock past
// tokens.SkewLimit from Make's: a lifetime counts on Make's clock.
func warnSkew(ios *iostreams.IOStreams, zone string, client *makeapi.Client) {
	if err := tokens.CheckSkew(zone, client); err != nil {
		ios.Warn(fmt.Sprintf("%v: lifetimes count on Make's clock; fix this machine's (see `maketoken doctor -z %s`)", err, zone))
	}
}

// createdToken is a token create made, on its way to where it goes.
type createdToken struct {
	opts *CreateOptions
	zc   credentials.Target
	tok  makeapi.Token
	rec  createRecord
	newTokenTargets
}

// destinations are where the token goes: the -- COMMAND; or the
// --out-file or standard output, then with --save storage.
func (c *createdToken) destinations() []tokens.Destination {
	zone := c.zc.Zone.Name
	if c.handoff != nil {
		return []tokens.Destination{tokens.Command{Command: c.handoff, Zone: zone}}
	}
	var d []tokens.Destination
	if c.out != nil {
		d = append(d, tokens.File{File: c.out, Path: c.opts.OutFile, Zone: zone})
	} else {
		d = append(d, tokens.Writer{Name: "standard output", Zone: zone, Write: c.print})
	}
	if c.opts.Save {
		d = append(d, c.opts.credentialStorage(c.zc))
	}
	return d
}

// print writes the token on standard output: the record with -o json,
// else the bare token.
func (c *createdToken) print(tok makeapi.Token) error {
	return c.printToken(c.opts.IO, c.rec, tok.Token)
}

// deliver hands the token over by the one rule of tokens.Handover and says
// how it went.
func (c *createdToken) deliver(ctx context.Context, rv tokens.Revoker) error {
	ios, zone, tok := c.opts.IO, c.zc.Zone.Name, c.tok
	// Many scopes are counted: create -s '*:read' got 27, a line of 480
	// columns (-o json and list -o tsv name them).
	what := fmt.Sprintf("the token %q in zone %s (created %s, %s)", c.rec.Label, zone, c.rec.Created, scopesText("", c.rec.Scopes))
	// A stdout pipe that nobody reads must fail the write, not end the
	// program before it can clean up.
	runctx.BrokenPipeFails()
	d, err := tokens.Handover(ctx, rv, tok, c.destinations(), nil)
	var unknown *tokens.UnknownError
	switch {
	case errors.As(err, &unknown) && c.handoff == nil:
		// --save: the keyring may still store it; the token was
		// delivered all the same.
		c.reportCreated(what)
		return fmt.Errorf("zone %s: created %s, but whether it is stored as the zone's credential is not known (the previous credential still works too; `maketoken list -z %s` marks the stored one as current): %w", zone, what, zone, unknown.Err)
	case err != nil:
		return err
	}
	c.opts.warnDelivered(d)
	if c.handoff != nil {
		ios.Say("Created %s and gave it to %s.", what, c.handoff.Name())
		if c.printer.Format != output.JSON {
			return nil
		}
		c.rec.Token = makeapi.Mask(tok.Token)
		c.rec.Delivered = &deliveredRecord{Command: c.handoff.Name(), Exit: d.Command().ExitCode}
		if err := c.printer.Print(c.rec, output.Rows{}); err != nil {
			return fmt.Errorf("zone %s: writing the record to standard output: %w; %s holds the new token", zone, err, output.Sanitize(c.handoff.Name()))
		}
		return nil
	}
	c.reportCreated(what)
	if failed := d.Failures(); len(failed) > 0 {
		return fmt.Errorf("zone %s: created %s but could not store it as the zone's credential: %w", zone, what, failed[0])
	}
	if c.out != nil && c.printer.Format == output.JSON {
		c.rec.Token = makeapi.Mask(tok.Token)
		if err := c.printer.Print(c.rec, output.Rows{}); err != nil {
			return err
		}
	}
	if c.opts.Save {
		ios.Say("Stored it as the credential for zone %s (%s). The previous credential still works; revoke it with `maketoken revoke -z %s --prefix %s` if it is no longer needed.",
			zone, c.zc.Credential.Where(), zone, makeapi.Prefix(c.zc.Credential.Token))
	}
	return nil
}

// reportCreated says on stderr what was created and where it went.
func (c *createdToken) reportCreated(what string) {
	ios := c.opts.IO
	ios.Result(true, "Created %s.", what)
	switch {
	case c.out != nil:
		ios.Say("Wrote it to %s (mode 0600).", c.opts.OutFile)
	case ios.OutTTY:
		ios.Say("Copy it now: it will not be shown again.")
	}
	if _, at, ok := expiry.Parse(c.rec.Label); ok && c.opts.TTL != "" {
		ios.Say("It expires at %s: `maketoken prune --expired` revokes it after that.", at.Format(time.RFC3339))
	}
}
