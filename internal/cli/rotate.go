package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/config"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/delivery"
	"github.com/maketoken/maketoken/internal/expiry"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/outcome"
	"github.com/maketoken/maketoken/internal/outfile"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/scopes"
	"github.com/maketoken/maketoken/internal/tokens"
	"github.com/maketoken/maketoken/internal/zonelock"
	"github.com/maketoken/maketoken/internal/zones"
	"github.com/spf13/cobra"
)

const (
	// cleanupTimeout bounds the calls that undo a failed rotation, which
	// run even after the command's own deadline has passed.
	cleanupTimeout = 10 * time.Second
	// clockSkew is how far Make's clock may be behind ours when a token it
	// created is recognised as this rotation's by its creation time.
	clockSkew = 5 * time.Minute
)

// RotateOptions are the options of `maketoken rotate`.
type RotateOptions struct {
	F     *Factory
	Label string
	Self  bool
	// Scopes are -s patterns; empty means the old token's scopes.
	Scopes  []string
	KeepOld bool
	OutFile string
	changeFlags
	// Store is the `-- COMMAND` that receives the new token.
	Store storeCommandFlags
}

// rotateRef names an old token in the rotate record.
type rotateRef struct {
	Label   string `json:"label"`
	Created string `json:"created"`
}

// rotateRecord is the JSON form of a rotation. Token is the new secret when
// the record delivers it (on stdout), else its masked form. Revoked lists
// the old tokens the rotation revokes (exit code 7 says one could not be),
// Kept those it keeps (--keep-old).
type rotateRecord struct {
	Zone    string      `json:"zone"`
	Label   string      `json:"label"`
	Scopes  []string    `json:"scopes"`
	Created string      `json:"created"`
	Token   string      `json:"token"`
	Revoked []rotateRef `json:"revoked"`
	Kept    []rotateRef `json:"kept"`
	// Delivered names the -- COMMAND that received the token.
	Delivered *deliveredRecord `json:"delivered,omitempty"`
}

func newRotateCmd(f *Factory) *cobra.Command {
	opts := &RotateOptions{F: f}
	cmd := &cobra.Command{
		Use:   "rotate (--label L | --self) [-- COMMAND [ARG...]]",
		Short: "Replace API tokens with new ones, safely",
		Long: `Replace the tokens labelled L (--label) or the zone's own credential (--self)
with a new token with the same label and scopes (a label that records a
lifetime, from create --ttl, gets the same lifetime again from now), in this
order:

  1. create the new token (with -s, with these scopes instead);
  2. check that it works: a call made with the new token, whose scopes must
     be the ones asked for;
  3. deliver it: into storage (keyring or file) when the old token is the
     credential maketoken keeps for the zone, to --out-file (replaced
     atomically, mode 0600), or else on stdout (the bare token, or with
     -o json the record);
  4. revoke the old token(s), unless --keep-old.

If a step before delivery fails, the new token is revoked again and the old
ones are kept: a rotation never leaves you without a working token, nor a
new token that nobody received. If Make's answer to the create is lost, the
token it may have made anyway is looked for and revoked. If revoking an old
token fails, the new one has still been delivered; the old one is named on
stderr and the exit code is 7.

--self uses the scopes the credential has now. When it comes from an
environment variable there is nowhere to store the new one: it goes to
--out-file or stdout, and you must put it where the variable is set.

Old tokens labelled L with different scopes are refused (exit 2) unless -s
says which scopes the new token gets. Two rotations of a zone on one machine
run one after the other: the second waits (up to --timeout) and then
rotates what the first left. Revoking asks for confirmation on a terminal
and needs --yes elsewhere (not with --keep-old). --dry-run shows the plan
and changes nothing.

With -o json the record's "revoked" lists the old tokens the rotation
revokes and "kept" those it keeps; exit code 7 says one of the revocations
failed. Its "token" is the new token when the record is how it is delivered
(on stdout, printed before anything is revoked), else the masked form.

Handing the token to a secret store: -- COMMAND [ARG...]

After the check, the new token goes to COMMAND on its standard input (the
token alone, no newline), never on its command line; with --store-env NAME
in the variable NAME instead (stdin is then empty; the token is visible to
COMMAND's children).
COMMAND gets maketoken's environment without Make credentials, runs in its
own process group, and must finish within --timeout; its stderr is passed
through, and its stdout too (to stderr with -o json, whose stdout is the
record: "delivered" names COMMAND and its exit code, "token" is masked).
With --self and a stored credential, the keyring or file gets the new token
after COMMAND succeeded. What follows depends on how COMMAND ends:

  exits 0 after reading every byte of the token
                  it holds the new token: the old ones are revoked (exit 7
                  if one cannot be).
  exits 0 without reading all of it (true, a CLI that took its value
  from an argument): it cannot hold it; the new token is revoked again
                  and the old ones kept; exit 1, and stderr says how many
                  bytes it read.
  exits non-zero  it says it did not store the token: the same, exit 1.
  stopped or killed before reading all of the token (time limit, Ctrl-C,
  SIGTERM, a signal): it cannot hold it; the same, exit 1 (130 if
                  interrupted).
  stopped or killed after reading it all: whether it stored it is not known.
                  Revoking the new token could leave the store holding a
                  revoked token (a CI job rotating its own credential would
                  lock itself out), so nothing is revoked: the store holds
                  the old or the new token and both work. Exit 1 (130 if
                  interrupted); stderr names the new token to check.

So the store never ends holding a revoked token, except where COMMAND exits
non-zero after storing it (its answer lost on the way back): a store CLI
that can do that belongs in a small script that checks what the store holds
before it exits. One command has one exit code, so there is one -- COMMAND,
not several: to feed two stores, make COMMAND a script that does both and
exits 0 only when both hold the token, feeding last the store the job reads
its own credential from (see docs/ci.md).

` + tokens.AlreadyRevokedHelp,
		Example: `  maketoken rotate --label ci-nightly --yes > new-token.txt
  maketoken rotate --label ci-nightly --yes --out-file token.txt
  maketoken rotate --self --yes
  maketoken rotate -z us1 --label reporting -s '*:read' --keep-old -o json
  maketoken rotate --self --yes -- gh secret set MAKETOKEN_TOKEN_EU1`,
		PreRunE: func(cmd *cobra.Command, args []string) error {
			if err := exclusiveFlags(cmd, "label", "self"); err != nil {
				return err
			}
			return opts.Store.parseArgs(cmd, args)
		},
		RunE: f.runE(func(ctx context.Context, _ []string) error {
			return RunRotate(ctx, opts)
		}),
	}
	fl := cmd.Flags()
	opts.Store.register(fl)
	fl.StringVarP(&opts.Label, "label", "l", "", "rotate the tokens with this label (L or L~exp=TIME)")
	fl.BoolVar(&opts.Self, "self", false, "rotate the credential maketoken uses for the zone")
	fl.StringArrayVarP(&opts.Scopes, "scope", "s", nil, "give the new token these scopes (names or globs; repeat or separate with commas)")
	fl.BoolVar(&opts.KeepOld, "keep-old", false, "do not revoke the old token(s)")
	fl.StringVar(&opts.OutFile, "out-file", "", "write the new token to this file (mode 0600, replaced atomically) instead of printing it")
	opts.register(fl, "show the plan and change nothing")
	_ = cmd.RegisterFlagCompletionFunc("label", completion(f, completeLabels))
	_ = cmd.RegisterFlagCompletionFunc("scope", completion(f, completeScopes))
	return cmd
}

// rotation is one rotation's state, from plan to result.
type rotation struct {
	f      *Factory
	zone   zones.Zone
	cred   credentials.Credential
	client *makeapi.Client // with the credential
	label  string
	// newLabel is the new token's: label, with a lifetime renewed.
	newLabel string
	scopes   []string
	old      []makeapi.Token // current credential, if among them, last
	// before holds the `created` of every token that existed before the
	// create, to tell a token created by a lost answer.
	before map[string]bool
	// Where the new token goes.
	store   credentials.Source // keyring or file when it replaces the stored credential
	handoff *delivery.Command  // the -- COMMAND
	out     *outfile.File
	outPath string
	keepOld bool
	// storeFailed: the command took the new token but storage kept the
	// old credential, which must then not be revoked.
	storeFailed bool
	printer     *output.Printer
}

// RunRotate rotates the tokens opts names in the selected zone.
func RunRotate(ctx context.Context, opts *RotateOptions) error {
	f := opts.F
	if err := opts.validate(); err != nil {
		return err
	}
	printer, err := f.Printer()
	if err != nil {
		return err
	}
	zone, err := f.SelectedZone()
	if err != nil {
		return err
	}
	r := &rotation{f: f, zone: zone, keepOld: opts.KeepOld, printer: printer, outPath: opts.OutFile}
	if r.handoff, err = storeCommand(f, opts.Store, printer.Format == output.JSON); err != nil {
		return err
	}
	if opts.OutFile != "" {
		// Checked before anything happens; a rotation replaces the file.
		if opts.DryRun {
			err = outfile.Check(opts.OutFile, true)
		} else {
			r.out, err = outfile.Prepare(opts.OutFile, true)
		}
		if err != nil {
			return err
		}
		if r.out != nil {
			defer r.out.Discard()
		}
	}
	if !opts.DryRun {
		lock, err := lockZone(ctx, f, zone)
		if err != nil {
			return err
		}
		defer func() { _ = lock.Release() }()
	}

	// Everything below is read after the lock was taken: a rotation that
	// ran meanwhile has changed the tokens and maybe the stored credential.
	zc, err := f.selectedCredential(ctx)
	if err != nil {
		return err
	}
	r.cred = zc.Credential
	if r.client, err = f.Client(zone, r.cred.Token); err != nil {
		return err
	}
	listed, err := r.client.ListTokens(ctx)
	if err != nil {
		return apiError(zone.Name, err, "user:read")
	}
	if err := r.plan(ctx, opts, listed); err != nil {
		return err
	}
	r.showPlan(opts.DryRun)
	if opts.DryRun {
		fmt.Fprintln(f.IO.ErrOut, "Dry run: nothing was changed.")
		return nil
	}
	if !opts.KeepOld {
		q := fmt.Sprintf("Replace %s labelled %s in zone %s and revoke the old?", countTokens(len(r.old)), strconv.Quote(r.label), zone.Name)
		if err := f.Confirm(ctx, output.Sanitize(q), opts.Yes); err != nil {
			return err
		}
	}
	return r.run(ctx)
}

func (o *RotateOptions) validate() error {
	switch {
	case !o.Self && o.Label == "":
		return usageErrorf("say what to rotate: --label L (the tokens with that label) or --self (the zone's own credential)")
	case !o.Self && strings.TrimSpace(o.Label) == "":
		return usageErrorf("--label cannot be blank")
	case o.OutFile != "" && len(o.Store.Command) > 0:
		return usageErrorf("--out-file and -- COMMAND exclude each other: the new token goes to one of them (a command can write a file too)")
	}
	if len(o.Scopes) > 0 {
		return scopes.Validate(o.Scopes)
	}
	return nil
}

// lockZone takes the zone's rotation lock, waiting for another rotation
// while the command's time lasts. A lock that cannot be made at all (no
// writable cache folder) is warned about and done without: the re-listing
// after it still sees what others changed.
func lockZone(ctx context.Context, f *Factory, zone zones.Zone) (*zonelock.Lock, error) {
	dir := config.UserCacheDir(f.Getenv)
	if dir == "" {
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("maketoken-%d", os.Getuid()))
	} else {
		dir = filepath.Join(dir, "maketoken", "locks")
	}
	var waitFor string
	if dl, ok := ctx.Deadline(); ok {
		waitFor = " up to " + time.Until(dl).Round(time.Second).String()
	}
	lock, err := zonelock.Acquire(ctx, dir, zone.Name, func(pid int) {
		who := ""
		if pid > 0 {
			who = fmt.Sprintf(" (pid %d)", pid)
		}
		fmt.Fprintf(f.IO.ErrOut, "maketoken: another maketoken rotation of zone %s is running%s; waiting%s...\n", zone.Name, who, waitFor)
	})
	var held *zonelock.HeldError
	switch {
	case errors.As(err, &held):
		return nil, fmt.Errorf("%w; nothing was changed: try again when it has finished", err)
	case err != nil:
		f.Warn(fmt.Sprintf("%v; rotating without the lock that keeps two rotations of the zone apart", err))
		return nil, nil
	}
	return lock, nil
}

// plan picks the old tokens, the label and scopes of the new one, and where
// it is delivered.
func (r *rotation) plan(ctx context.Context, opts *RotateOptions, listed []makeapi.Token) error {
	zone := r.zone.Name
	r.before = make(map[string]bool, len(listed))
	for _, t := range listed {
		r.before[t.Created] = true
	}
	var scopesNow []string
	if opts.Self {
		auth, err := r.client.CurrentAuthorization(ctx)
		if err != nil {
			return apiError(zone, err, "")
		}
		for _, t := range listed {
			if tokens.IsCurrent(t, r.cred.Token) {
				r.old = append(r.old, t)
			}
		}
		switch len(r.old) {
		case 0:
			return &ExitError{Code: ExitNoMatch, Err: fmt.Errorf("zone %s: the credential maketoken uses (%s) is not among the zone's tokens, so it cannot be rotated; nothing was changed (see `maketoken list -z %s`)", zone, makeapi.Mask(r.cred.Token), zone)}
		case 1:
		default:
			return fmt.Errorf("zone %s: %d listed tokens start like the credential maketoken uses, so which one it is cannot be told; nothing was changed; rotate by label instead", zone, len(r.old))
		}
		r.label = r.old[0].Label
		scopesNow = sortedScopes(auth.Scopes)
	} else {
		r.label = opts.Label
		r.old = tokens.Selector{Label: opts.Label}.Select(listed).Tokens
		if len(r.old) == 0 {
			return &ExitError{Code: ExitNoMatch, Err: fmt.Errorf("zone %s: no token is labelled %s; nothing was changed (see `maketoken list -z %s`)", zone, output.Echo(opts.Label), zone)}
		}
		sets := map[string]bool{}
		for _, t := range r.old {
			s := sortedScopes(t.Scopes)
			sets[strings.Join(s, ",")] = true
			scopesNow = s
		}
		if len(sets) > 1 && len(opts.Scopes) == 0 {
			fmt.Fprintf(r.f.IO.ErrOut, "maketoken: zone %s: the tokens labelled %s have different scopes:\n", zone, output.Printable(strconv.Quote(opts.Label)))
			for _, t := range r.old {
				fmt.Fprintf(r.f.IO.ErrOut, "  %s  %s\n", output.Sanitize(t.Created), output.Sanitize(strings.Join(sortedScopes(t.Scopes), ",")))
			}
			return usageErrorf("zone %s: say which scopes the new token gets with -s; nothing was changed", zone)
		}
	}
	// A token with a lifetime (create --ttl) is replaced by one with the
	// same lifetime from now (the newest old token's): with the old
	// expiry, prune --expired would revoke the new token.
	newest := slices.MaxFunc(r.old, func(a, b makeapi.Token) int { return tokens.CompareCreated(a.Created, b.Created) })
	r.newLabel = expiry.Renew(newest.Label, newest.Created, r.f.now())
	r.scopes = scopesNow
	if len(opts.Scopes) > 0 {
		var err error
		if r.scopes, err = expandScopes(ctx, r.f, r.zone, r.client, opts.Scopes); err != nil {
			return err
		}
		r.scopes = sortedScopes(r.scopes)
	}
	// The credential in use goes last: the others are revoked with it.
	tokens.SortByCreated(r.old)
	tokens.CurrentLast(r.old, r.cred.Token)
	if r.replacesCredential() && r.cred.Source != credentials.SourceEnv {
		r.store = r.cred.Source
	}
	return nil
}

// replacesCredential reports whether the credential maketoken uses for the
// zone is among the old tokens.
func (r *rotation) replacesCredential() bool {
	return len(r.old) > 0 && tokens.IsCurrent(r.old[len(r.old)-1], r.cred.Token)
}

// destination describes where the new token goes.
func (r *rotation) destination() string {
	var where []string
	switch r.store {
	case credentials.SourceKeyring:
		where = append(where, "the OS keyring, as the zone's credential")
	case credentials.SourceFile:
		where = append(where, "the credentials file, as the zone's credential")
	}
	if r.outPath != "" {
		where = append(where, r.outPath)
	}
	if r.handoff != nil {
		how := "on its standard input"
		if r.handoff.EnvName != "" {
			how = "in $" + r.handoff.EnvName
		}
		where = append([]string{fmt.Sprintf("the command %s (%s)", r.handoff.Name(), how)}, where...)
	}
	if len(where) == 0 {
		return "standard output"
	}
	return strings.Join(where, " and ")
}

// scopesText names a few scopes in a sentence ("the scopes a,b"), and
// counts many ("47 scopes"; -o json lists them) so that an admin
// credential's list does not fill the screen.
func scopesText(scopes []string) string {
	if list := strings.Join(scopes, ","); len(scopes) <= 4 && len(list) <= 60 {
		return "the scopes " + list
	}
	return fmt.Sprintf("%d scopes", len(scopes))
}

// showPlan tells on stderr what the rotation does (or would do).
func (r *rotation) showPlan(dryRun bool) {
	w := r.f.IO.ErrOut
	verb := "Rotating"
	if dryRun {
		verb = "Would rotate"
	}
	fmt.Fprintf(w, "%s %s labelled %s in zone %s:\n", verb, countTokens(len(r.old)), output.Printable(strconv.Quote(r.label)), r.zone.Name)
	writeTokenLines(r.f, r.old, r.cred)
	fmt.Fprintf(w, "The new token gets %s and goes to %s.\n", scopesText(r.scopes), output.Sanitize(r.destination()))
	if r.replacesCredential() && r.cred.Source == credentials.SourceEnv && r.handoff == nil {
		fmt.Fprintf(w, "The credential comes from %s, so maketoken cannot store the new token: put it where %s is set.\n", r.cred.EnvVar, r.cred.EnvVar)
	}
	old := "The old tokens are"
	if len(r.old) == 1 {
		old = "The old token is"
	}
	if r.keepOld {
		fmt.Fprintf(w, "%s kept (--keep-old).\n", old)
	} else {
		fmt.Fprintf(w, "%s revoked once the new one is delivered%s.\n", old, map[bool]string{true: " (the command exited 0)"}[r.handoff != nil])
	}
}

// run carries the rotation out: create, verify, deliver, revoke.
func (r *rotation) run(ctx context.Context) error {
	f, zone := r.f, r.zone.Name
	start := time.Now()
	// The spinner stops before the token is delivered: it may go to this
	// terminal, or to a store command that writes to it.
	spinner := f.IO.StartSpinner("creating the new token in zone " + zone)
	defer spinner.Stop()
	tok, err := r.client.CreateToken(ctx, r.newLabel, r.scopes)
	if err != nil {
		// Whether Make made the token anyway is checked right here, so
		// the client's advice to check by hand is not passed on.
		var unknown *makeapi.OutcomeUnknownError
		maybe := outcome.IsUnknown(err) || createMayHaveHappened(err)
		errors.As(err, &unknown)
		if unknown != nil {
			err = unknown.Err
		}
		err = apiError(zone, fmt.Errorf("creating the new token: %w", err), "user:write")
		if maybe {
			return fmt.Errorf("%w; %s", err, r.sweep(ctx, start))
		}
		return fmt.Errorf("%w; the old token was kept, nothing was changed", err)
	}
	f.Redactor.Add(tok.Token)
	if tok.Label == "" {
		tok.Label = r.newLabel
	}
	spinner.SetLabel("checking that the new token works")
	err = r.verify(ctx, tok)
	spinner.Stop()
	if err != nil {
		return r.undo(ctx, tok, err)
	}
	rec := rotateRecord{Zone: zone, Label: tok.Label, Scopes: r.scopes, Created: tok.Created, Token: makeapi.Mask(tok.Token), Revoked: []rotateRef{}, Kept: []rotateRef{}}
	for _, t := range r.old {
		ref := rotateRef{Label: t.Label, Created: t.Created}
		if r.keepOld {
			rec.Kept = append(rec.Kept, ref)
		} else {
			rec.Revoked = append(rec.Revoked, ref)
		}
	}
	extra, err := r.deliver(ctx, tok, &rec)
	var held *heldTokenError
	switch {
	case errors.As(err, &held):
		// The store command may hold the new token: it says so itself.
		return err
	case outcome.IsUnknown(err):
		return r.deliveryUnknown(tok, err)
	case err != nil:
		return r.undo(ctx, tok, err)
	}
	f.Report(true, "Created the new token (created %s), checked that it works,\n  and delivered it to %s.", tok.Created, output.Sanitize(r.destination()))
	if r.onStdout() && f.IO.OutTTY {
		fmt.Fprintln(f.IO.ErrOut, "Copy it now: it will not be shown again.")
	}
	if r.replacesCredential() && r.cred.Source == credentials.SourceEnv && r.handoff == nil {
		fmt.Fprintf(f.IO.ErrOut, "The credential came from %s: replace its value with the new token wherever it is set (e.g. your CI's secret store).\n", r.cred.EnvVar)
	}

	var failed []error
	if extra != nil {
		failed = append(failed, extra)
	}
	switch {
	case r.keepOld:
	case r.storeFailed:
		fmt.Fprintf(f.IO.ErrOut, "The old %s not revoked: storage still holds the old credential.\n", map[bool]string{true: "token was", false: "tokens were"}[len(r.old) == 1])
	default:
		failed = append(failed, r.revokeOld(ctx)...)
	}
	if !r.onStdout() && r.printer.Format == output.JSON {
		// The record does not carry the token: it is printed last.
		if err := r.printer.Print(rec, output.Rows{}); err != nil {
			failed = append(failed, err)
		}
	}
	if len(failed) > 0 {
		for _, err := range failed {
			PrintError(f.IO.ErrOut, err, f.Redactor)
		}
		if ie := interrupted(ctx); ie != nil {
			return &InterruptedError{Signal: ie.Signal, Summary: fmt.Sprintf("the new token was delivered to %s; what is named above was not done", output.Sanitize(r.destination()))}
		}
		return errSilent(ExitPartial)
	}
	return nil
}

// onStdout reports whether the new token is delivered on stdout.
func (r *rotation) onStdout() bool { return r.store == "" && r.out == nil && r.handoff == nil }

// verify checks the new token with a call made with it: it must work and
// have the scopes asked for. A failure is exit 1, whatever Make answered:
// the credential itself is fine.
func (r *rotation) verify(ctx context.Context, tok makeapi.Token) error {
	auth, err := r.client.WithToken(tok.Token).CurrentAuthorization(ctx)
	if err != nil {
		return fmt.Errorf("zone %s: checking the new token (created %s) failed: %s", r.zone.Name, tok.Created, err.Error())
	}
	if got := sortedScopes(auth.Scopes); !slices.Equal(got, r.scopes) {
		return fmt.Errorf("zone %s: the new token (created %s) has the scopes %s, not the %s asked for", r.zone.Name, tok.Created, strings.Join(got, ","), strings.Join(r.scopes, ","))
	}
	return nil
}

// deliver hands the new token over: into storage, to the out-file, or on
// stdout. An error means it was not delivered (and must be revoked again).
// extra is a failure that came after delivery: the copy to --out-file of a
// token that is already stored.
func (r *rotation) deliver(ctx context.Context, tok makeapi.Token, rec *rotateRecord) (extra, err error) {
	zone := r.zone.Name
	if r.handoff != nil {
		// The command first: its failure is what makes the new token be
		// revoked again, so storage must not hold it yet.
		drec, ok, mayHold, cause := handOff(ctx, r.handoff, zone, tok)
		rec.Delivered = &drec
		switch {
		case mayHold:
			return nil, &heldTokenError{cause: cause, msg: fmt.Sprintf("nothing was revoked, so the new token (created %s) and the old %s still work; once you know which one the store holds, revoke what it does not with `maketoken revoke -z %s CREATED`", tok.Created, map[bool]string{true: "one", false: "ones"}[len(r.old) == 1], zone)}
		case !ok:
			return nil, cause
		}
		if r.store != "" {
			if err := r.storeToken(ctx, tok); err != nil {
				// The command holds the new token and storage the old
				// one: both stay.
				r.storeFailed = true
				return fmt.Errorf("%w; %s received the new token, and the old one stays in storage and was not revoked", err, r.handoff.Name()), nil
			}
		}
		return nil, nil
	}
	if r.store != "" {
		if err := r.storeToken(ctx, tok); err != nil {
			return nil, err
		}
		if r.out != nil {
			if err := r.out.Write(tok.Token); err != nil {
				extra = fmt.Errorf("zone %s: the new token is stored as the zone's credential, but writing it to %s failed: %w; print it with `maketoken token -z %s`", zone, r.outPath, err, zone)
			}
		}
		return extra, nil
	}
	if r.out != nil {
		if err := r.out.Write(tok.Token); err != nil {
			return nil, fmt.Errorf("zone %s: writing the new token to %s: %w", zone, r.outPath, err)
		}
		return nil, nil
	}
	// On stdout the record (or the bare token) is the delivery, so it is
	// written now, before anything is revoked; its "revoked" lists the
	// tokens about to be.
	defer catchBrokenPipe()()
	if r.printer.Format == output.JSON {
		full := *rec
		full.Token = tok.Token
		err = r.printer.Print(full, output.Rows{})
	} else {
		_, err = fmt.Fprintln(r.f.IO.Out, tok.Token)
	}
	if err != nil {
		return nil, fmt.Errorf("zone %s: writing the new token to standard output: %w", zone, err)
	}
	return nil, nil
}

// storeToken makes the new token the zone's stored credential. If storing
// fails, what storage holds afterwards decides: the new token (it was
// stored after all) counts as delivered; anything else is put back to the
// old credential, so that it is still there to use.
func (r *rotation) storeToken(ctx context.Context, tok makeapi.Token) error {
	zone := r.zone.Name
	store, err := r.f.Store()
	if err != nil {
		return err
	}
	err = store.Save(ctx, r.zone, tok.Token, r.store)
	if err == nil {
		return nil
	}
	cctx, cancel := tokens.CleanupContext(ctx)
	defer cancel()
	now, lerr := store.Lookup(cctx, r.zone)
	switch {
	case lerr == nil && now.Token == tok.Token:
		r.f.Warn(fmt.Sprintf("zone %s: the new token is stored, with a problem: %v", zone, err))
		return nil
	case outcome.IsUnknown(err):
		// The abandoned write may still land: nothing is put back (it
		// could land after the put-back), and the new token must live.
		return fmt.Errorf("zone %s: storing the new token as the zone's credential: %w", zone, err)
	case lerr == nil && now.Token == r.cred.Token:
	default:
		if rerr := store.Save(cctx, r.zone, r.cred.Token, r.store); rerr != nil {
			r.f.Warn(fmt.Sprintf("zone %s: could not put the old credential back into storage either (%v); log in again with it", zone, rerr))
		}
	}
	return fmt.Errorf("zone %s: storing the new token as the zone's credential: %w", zone, err)
}

// deliveryUnknown ends a rotation whose delivery into storage may or may
// not have happened: the keyring took the write but did not answer in
// time, and may still carry it out. Storage may end up holding either
// token, so neither is revoked; the new one still goes to --out-file if
// one was asked for. The user is told both tokens and how to find out
// which one is stored.
func (r *rotation) deliveryUnknown(tok makeapi.Token, cause error) error {
	f, zone := r.f, r.zone.Name
	w := f.IO.ErrOut
	PrintError(w, cause, f.Redactor)
	old := "the old token"
	if len(r.old) > 1 {
		old = "the old tokens"
	}
	fmt.Fprintf(w, "Nothing was revoked, so whichever token storage ends up holding works:\n  the new token (created %s)\n  %s (created %s)\n", tok.Created, old, joinCreated(r.old))
	if r.out != nil {
		if err := r.out.Write(tok.Token); err != nil {
			PrintError(w, fmt.Errorf("zone %s: writing the new token to %s: %w", zone, r.outPath, err), f.Redactor)
		} else {
			fmt.Fprintf(w, "The new token was also written to %s.\n", output.Sanitize(r.outPath))
		}
	}
	fmt.Fprintf(w, "Once the keyring answers, `maketoken list -z %s` marks the stored one as\ncurrent; then revoke the other with `maketoken revoke -z %s CREATED`.\n", zone, zone)
	return errSilent(ExitCode(cause))
}

// joinCreated lists the tokens' `created` timestamps.
func joinCreated(tokens []makeapi.Token) string {
	s := make([]string, len(tokens))
	for i, t := range tokens {
		s[i] = t.Created
	}
	return strings.Join(s, ", ")
}

// undo revokes a new token that could not be delivered and returns cause
// with what became of it.
func (r *rotation) undo(ctx context.Context, tok makeapi.Token, cause error) error {
	return r.revoker().Undo(ctx, tok, cause, "the old one")
}

// revoker revokes tokens of the rotation's zone.
func (r *rotation) revoker() tokens.Revoker {
	return r.f.revoker(r.zone.Name, r.client)
}

// createMayHaveHappened reports whether a failed create may still have made
// the token: its answer was lost, cut off or not understood, or the server
// failed after it may have acted.
func createMayHaveHappened(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	status := makeapi.StatusCode(err)
	return status == 0 || status >= 500
}

// sweep looks, after a create whose outcome is unknown, for a token Make
// made anyway: one with the label that was not there before and was made
// after the create began. It revokes it and says what it found.
func (r *rotation) sweep(ctx context.Context, start time.Time) string {
	cctx, cancel := tokens.CleanupContext(ctx)
	defer cancel()
	zone := r.zone.Name
	lookFor := fmt.Sprintf("look for a token labelled %s created after %s with `maketoken list -z %s` and revoke it", strconv.Quote(r.newLabel), start.UTC().Format(time.RFC3339), zone)
	tokens, err := r.client.ListTokens(cctx)
	if err != nil {
		return fmt.Sprintf("the old token was kept, but whether Make created a new one could not be checked (%v): %s", err, lookFor)
	}
	var stray []makeapi.Token
	for _, t := range tokens {
		if t.Label == r.newLabel && !r.before[t.Created] && createdSince(t.Created, start.Add(-clockSkew)) {
			stray = append(stray, t)
		}
	}
	if len(stray) == 0 {
		return "Make did not create it; the old token was kept, nothing was changed"
	}
	var left []string
	for i, err := range r.revoker().Revoke(cctx, stray, r.cred.Token) {
		if err != nil {
			left = append(left, stray[i].Created)
		}
	}
	if len(left) > 0 {
		return fmt.Sprintf("Make created it anyway (its answer was lost) and it could not be revoked again: revoke it with `maketoken revoke -z %s %s`; the old token was kept", zone, strings.Join(left, " "))
	}
	return "Make had created it anyway (its answer was lost); it was revoked again and the old token kept: nothing was changed"
}

// createdSince reports whether a `created` timestamp is not before t; one
// that does not parse counts as recent.
func createdSince(created string, t time.Time) bool {
	ts, err := time.Parse(time.RFC3339Nano, created)
	return err != nil || !ts.Before(t)
}

// revokeOld revokes the old tokens, the credential in use last, and
// returns the failures, each naming its token.
//
// The new token has been delivered by now, so a signal does not stop the
// rotation half-way with two live tokens: what it cut short is revoked
// with a clean-up context (bounded by cleanupTimeout), and the rotation
// ends as it would have.
func (r *rotation) revokeOld(ctx context.Context) []error {
	zone := r.zone.Name
	spinner := r.f.IO.StartSpinner(fmt.Sprintf("revoking the old %s", map[bool]string{true: "token", false: "tokens"}[len(r.old) == 1]))
	errs := r.revoker().Revoke(ctx, r.old, r.cred.Token)
	spinner.Stop()
	if interrupted(ctx) != nil {
		var again []makeapi.Token
		var at []int
		for i, err := range errs {
			if err != nil {
				again, at = append(again, r.old[i]), append(at, i)
			}
		}
		if len(again) > 0 {
			fmt.Fprintln(r.f.IO.ErrOut, "maketoken: interrupted after the new token was delivered; revoking the old tokens before stopping...")
			cctx, cancel := tokens.CleanupContext(ctx)
			for j, err := range r.revoker().Revoke(cctx, again, r.cred.Token) {
				errs[at[j]] = err
			}
			cancel()
		}
	}
	var failed []error
	for i, err := range errs {
		if err != nil {
			t := r.old[i]
			failed = append(failed, fmt.Errorf("%w; the old token %s (created %s) was not revoked: revoke it with `maketoken revoke -z %s %s`", apiError(zone, err, "user:write"), strconv.Quote(t.Label), t.Created, zone, t.Created))
		}
	}
	r.f.Report(len(failed) == 0, "Revoked %d of %s in zone %s.", len(r.old)-len(failed), countTokens(len(r.old)), zone)
	return failed
}

// sortedScopes returns a sorted copy of scopes, never nil.
func sortedScopes(s []string) []string {
	out := slices.Clone(s)
	if out == nil {
		out = []string{}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// heldTokenError is a rotation whose new token may be held by the store
// command although it did not succeed: the token is not revoked, and the
// message says what the user must check.
type heldTokenError struct {
	cause error
	msg   string
}

func (e *heldTokenError) Error() string { return e.cause.Error() + "; " + e.msg }
func (e *heldTokenError) Unwrap() error { return e.cause }

// OutcomeUnknown marks the delivery as one whose outcome is not known
// (see package outcome).
func (e *heldTokenError) OutcomeUnknown() bool { return true }
