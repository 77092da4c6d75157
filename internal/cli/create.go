package cli

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/delivery"
	"github.com/maketoken/maketoken/internal/expiry"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/outcome"
	"github.com/maketoken/maketoken/internal/outfile"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/scopes"
	"github.com/spf13/cobra"
)

// maxLabelLength is the longest label maketoken accepts, in characters.
const maxLabelLength = 200

// CreateOptions are the options of `maketoken create`.
type CreateOptions struct {
	F      *Factory
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
	// Store is the `-- COMMAND` that receives the token.
	Store storeCommandFlags
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
	opts := &CreateOptions{F: f}
	cmd := &cobra.Command{
		Use:   "create -l LABEL -s SCOPE... [-- COMMAND [ARG...]]",
		Short: "Create an API token with a label and scopes",
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

--ttl gives the token a lifetime (90s, 30m, 12h, 7d, 2w): it is recorded in
the label as a suffix, deploy-bot~exp=20261128T030000Z (UTC), and
` + "`maketoken prune --expired`" + `, run from any machine, revokes the token once it
has passed. Make itself never expires a token.

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
			if !cmd.Flags().Changed("label") {
				return usageErrorf("a label is required: pass -l LABEL (it tells which token sits where)")
			}
			if err := exclusiveFlags(cmd, "ttl", "save"); err != nil {
				return fmt.Errorf("%w: the zone's credential must not expire", err)
			}
			return opts.Store.parseArgs(cmd, args)
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
	opts.Store.register(fl)
	_ = cmd.RegisterFlagCompletionFunc("scope", completion(f, completeScopes))
	_ = cmd.RegisterFlagCompletionFunc("label", cobra.NoFileCompletions)
	_ = cmd.RegisterFlagCompletionFunc("ttl", ttlCompletions)
	return cmd
}

// RunCreate creates a token in the selected zone and delivers it.
func RunCreate(ctx context.Context, opts *CreateOptions) error {
	f := opts.F
	// Everything that can be checked is checked before the token exists.
	if err := validateLabel(opts.Label); err != nil {
		return err
	}
	if err := scopes.Validate(opts.Scopes); err != nil {
		return err
	}
	if opts.Force && opts.OutFile == "" {
		return usageErrorf("--force only applies to --out-file")
	}
	label := opts.Label
	if opts.TTL != "" {
		var err error
		if label, err = expiringLabel(opts.Label, opts.TTL, f.now()); err != nil {
			return err
		}
	}
	if len(opts.Store.Command) > 0 && (opts.OutFile != "" || opts.Save) {
		return usageErrorf("-- COMMAND excludes --out-file and --save: the new token goes to one place (a command can write a file too)")
	}
	printer, err := f.Printer()
	if err != nil {
		return err
	}
	handoff, err := storeCommand(f, opts.Store, printer.Format == output.JSON)
	if err != nil {
		return err
	}
	zc, err := f.selectedCredential(ctx)
	if err != nil {
		return err
	}
	zone, cred := zc.Zone, zc.Credential
	if opts.Save && cred.Source == credentials.SourceEnv {
		return usageErrorf("zone %s: the credential comes from %s, so --save has nowhere to store the new token; nothing was created (unset the variable and log in, or drop --save)", zone.Name, cred.EnvVar)
	}
	var out *outfile.File
	if opts.OutFile != "" {
		if out, err = outfile.Prepare(opts.OutFile, opts.Force); err != nil {
			return err
		}
		defer out.Discard()
	}
	client, err := f.Client(zone, cred.Token)
	if err != nil {
		return err
	}
	wanted, err := expandScopes(ctx, f, zone, client, opts.Scopes)
	if err != nil {
		return err
	}

	tok, err := client.CreateToken(ctx, label, wanted)
	if err != nil {
		err = apiError(zone.Name, err, "user:write")
		if _, at, ok := expiry.Parse(label); ok && opts.TTL != "" && outcome.IsUnknown(err) {
			err = fmt.Errorf("%w; a token made anyway is labelled %s and `maketoken prune --expired` revokes it after %s", err, output.Printable(label), at.Format(time.RFC3339))
		}
		return err
	}
	f.Redactor.Add(tok.Token)
	rec := createRecord{Zone: zone.Name, Label: tok.Label, Scopes: tok.Scopes, Created: tok.Created, Token: tok.Token}
	if rec.Label == "" {
		rec.Label = label
	}
	if len(rec.Scopes) == 0 {
		rec.Scopes = wanted
	}
	what := fmt.Sprintf("the token %q in zone %s (created %s, scopes %s)", rec.Label, zone.Name, rec.Created, strings.Join(rec.Scopes, ","))

	if handoff != nil {
		return createHandOff(ctx, f, client, zone.Name, tok, handoff, rec, printer, what)
	}
	if out != nil {
		if err := out.Write(tok.Token); err != nil {
			return f.revoker(zone.Name, client).Undo(ctx, tok, fmt.Errorf("zone %s: writing the token to %s: %w", zone.Name, opts.OutFile, err), "")
		}
		rec.Token = makeapi.Mask(tok.Token)
	}
	var saveErr error
	if opts.Save {
		store, err := f.Store()
		if err == nil {
			err = store.Save(ctx, zone, tok.Token, cred.Source)
		}
		switch {
		case outcome.IsUnknown(err):
			// The write may still land: the token must live.
			saveErr = fmt.Errorf("zone %s: created %s, but whether it is stored as the zone's credential is not known (the previous credential still works too; `maketoken list -z %s` marks the stored one as current): %w", zone.Name, what, zone.Name, err)
		case err != nil:
			saveErr = fmt.Errorf("zone %s: created %s but could not store it as the zone's credential: %w", zone.Name, what, err)
		}
	}

	// A token that could not be printed reached nobody: revoke it again
	// (unless it was saved or written to a file, which did deliver it).
	// A stdout pipe that nobody reads must fail the write, not end the
	// program before it can clean up.
	defer catchBrokenPipe()()
	var printErr error
	switch {
	case printer.Format == output.JSON:
		printErr = printer.Print(rec, output.Rows{})
	case out == nil:
		_, printErr = fmt.Fprintln(f.IO.Out, tok.Token)
	}
	if printErr != nil {
		cause := fmt.Errorf("zone %s: printing the new token: %w", zone.Name, printErr)
		if delivered := out != nil || (opts.Save && (saveErr == nil || outcome.IsUnknown(saveErr))); delivered {
			return cause
		}
		return f.revoker(zone.Name, client).Undo(ctx, tok, cause, "")
	}
	f.Report(true, "Created %s.", output.Sanitize(what))
	switch {
	case out != nil:
		fmt.Fprintf(f.IO.ErrOut, "Wrote it to %s (mode 0600).\n", output.Sanitize(opts.OutFile))
	case f.IO.OutTTY:
		fmt.Fprintln(f.IO.ErrOut, "Copy it now: it will not be shown again.")
	}
	if _, at, ok := expiry.Parse(rec.Label); ok && opts.TTL != "" {
		fmt.Fprintf(f.IO.ErrOut, "It expires at %s: `maketoken prune --expired` revokes it after that.\n", at.Format(time.RFC3339))
	}
	if saveErr != nil {
		return saveErr
	}
	if opts.Save {
		fmt.Fprintf(f.IO.ErrOut, "Stored it as the credential for zone %s (%s). The previous credential still works; revoke it with `maketoken revoke -z %s --prefix %s` if it is no longer needed.\n",
			zone.Name, cred.Source, zone.Name, makeapi.Prefix(cred.Token))
	}
	return nil
}

// expiringLabel is label with the lifetime ttl (as --ttl gives it) from
// now recorded in it.
func expiringLabel(label, ttl string, now time.Time) (string, error) {
	d, err := expiry.ParseTTL(ttl)
	if err != nil {
		return "", usageErrorf("--ttl: %v", err)
	}
	if err := expiry.CheckBase(label); err != nil {
		return "", usageErrorf("%v", err)
	}
	return expiry.Label(label, now.Add(d)), nil
}

// createHandOff gives the new token to the -- COMMAND. If the command
// does not take it, the token is revoked again, unless the command may
// hold it after all (it was stopped after reading it).
func createHandOff(ctx context.Context, f *Factory, client *makeapi.Client, zone string, tok makeapi.Token, handoff *delivery.Command, rec createRecord, printer *output.Printer, what string) error {
	drec, ok, mayHold, cause := handOff(ctx, handoff, zone, tok)
	switch {
	case mayHold:
		return fmt.Errorf("%w; the new token (created %s) was kept: revoke it with `maketoken revoke -z %s %s` if the store does not hold it", cause, tok.Created, zone, tok.Created)
	case !ok:
		return f.revoker(zone, client).Undo(ctx, tok, cause, "")
	}
	fmt.Fprintf(f.IO.ErrOut, "Created %s and gave it to %s.\n", output.Sanitize(what), output.Sanitize(handoff.Name()))
	if printer.Format != output.JSON {
		return nil
	}
	rec.Token = makeapi.Mask(tok.Token)
	rec.Delivered = &drec
	return printer.Print(rec, output.Rows{})
}

// validateLabel checks a label for create: present, not blank, printable,
// at most maxLabelLength characters.
func validateLabel(label string) error {
	switch {
	case strings.TrimSpace(label) == "":
		return usageErrorf("the label cannot be blank: pass -l LABEL")
	case !utf8.ValidString(label):
		return usageErrorf("the label is not valid UTF-8")
	case utf8.RuneCountInString(label) > maxLabelLength:
		return usageErrorf("the label is %d characters long; at most %d are allowed", utf8.RuneCountInString(label), maxLabelLength)
	}
	if strings.ContainsFunc(label, output.IsUnsafe) {
		return usageErrorf("the label %s contains a control character; use printable text", output.Sanitize(fmt.Sprintf("%q", label)))
	}
	return nil
}
