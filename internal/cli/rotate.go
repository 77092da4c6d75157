package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
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
	"github.com/maketoken/maketoken/internal/zonelock"
	"github.com/maketoken/maketoken/internal/zones"
	"github.com/spf13/cobra"
)

// RotateOptions are the options of `maketoken rotate`.
type RotateOptions struct {
	services
	Label string
	Self  bool
	// Scopes are -s patterns; empty means the old token's scopes.
	Scopes  []string
	KeepOld bool
	OutFile string
	changeFlags
	// StoreCommand is the `-- COMMAND` that receives the new token.
	StoreCommand storeCommandFlags
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
	opts := &RotateOptions{services: servicesOf(f)}
	cmd := &cobra.Command{
		Use: "rotate (--label L | --self) [-- COMMAND [ARG...]]",
		Long: `Replace the tokens labelled L (--label) or the zone's own credential (--self)
with a new token with the same label and scopes (a label that records a
lifetime, from create --ttl, gets a lifetime as long again, from Make's
clock's now), in this order:

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
new token that nobody received. If Make's answer to the create is lost, or
the create is cut short, the token it may have made anyway is looked for
(again after a short wait) and revoked; if none has appeared, the label and
time to look for are named. If revoking an old token fails, the new one
has still been delivered; the old one is named on stderr and the exit code
is 7.

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
			return opts.StoreCommand.parseArgs(cmd, args)
		},
		RunE: f.runE(func(ctx context.Context, _ []string) error {
			return RunRotate(ctx, opts)
		}),
	}
	fl := cmd.Flags()
	opts.StoreCommand.register(fl)
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

// rotation is one rotation: the plan (tokens.Rotation) and where the new
// token goes.
type rotation struct {
	*tokens.Rotation
	opts *RotateOptions
	zc   credentials.Target
	// locked is the stored account whose rotation lock is held (nil: the
	// zone's lock, or none for --dry-run).
	locked *credentials.Account
	newTokenTargets
	outPath string
	keepOld bool
	// store says the new token goes into storage, as the zone's
	// credential in place of the old one.
	store bool
	rec   rotateRecord
}

// RunRotate rotates the tokens opts names in the selected zone.
func RunRotate(ctx context.Context, opts *RotateOptions) error {
	// Everything it does changes something (the --out-file first): signals
	// are caught from the start (see runctx).
	runctx.Catch(ctx)
	if err := opts.validate(); err != nil {
		return err
	}
	sel, err := opts.Selection()
	if err != nil {
		return err
	}
	zone := sel.Zone
	// A rotation replaces the --out-file.
	targets, done, err := opts.prepareTargets(opts.StoreCommand, opts.OutFile, true, opts.DryRun)
	defer done()
	if err != nil {
		return err
	}
	r := &rotation{opts: opts, keepOld: opts.KeepOld, newTokenTargets: targets, outPath: opts.OutFile}
	if !opts.DryRun {
		store, err := opts.Store()
		if err != nil {
			return err
		}
		if r.locked, err = store.RecordedAccount(zone.Name, opts.User()); err != nil {
			return err
		}
		lock, err := lockRotation(ctx, opts.IO, opts.Cache.Dir, zone, r.locked)
		if err != nil {
			return err
		}
		defer func() { _ = lock.Release() }()
	}

	// Everything below is read after the lock was taken: a rotation that
	// ran meanwhile has changed the tokens and maybe the stored credential.
	if err := r.plan(ctx, opts); err != nil {
		return err
	}
	r.showPlan(opts.DryRun)
	if opts.DryRun {
		opts.IO.Say("Dry run: nothing was changed.")
		return nil
	}
	if !opts.KeepOld {
		q := fmt.Sprintf("Replace %s labelled %s in zone %s and revoke the old?", countTokens(len(r.Old)), strconv.Quote(r.Label), zone.Name)
		if err := opts.IO.Confirm(ctx, output.Sanitize(q), opts.Yes); err != nil {
			return err
		}
	}
	return r.run(ctx)
}

func (o *RotateOptions) validate() error {
	switch {
	case !o.Self && o.Label == "":
		return cmderr.Usagef("say what to rotate: --label L (the tokens with that label) or --self (the zone's own credential)")
	case !o.Self && strings.TrimSpace(o.Label) == "":
		return cmderr.Usagef("--label cannot be blank")
	case o.OutFile != "" && len(o.StoreCommand.Command) > 0:
		return cmderr.Usagef("--out-file and -- COMMAND exclude each other: the new token goes to one of them (a command can write a file too)")
	}
	if len(o.Scopes) > 0 {
		return scopes.Validate(o.Scopes)
	}
	return nil
}

// lockRotation takes the rotation lock of the account (a stored one), or
// of the zone (a credential from the environment, or one an older
// maketoken stored), waiting for another rotation
// while the command's time lasts. A lock that cannot be made at all (no
// writable cache folder) is warned about and done without: the re-listing
// after it still sees what others changed. dir is the user's cache folder,
// "" if there is none.
func lockRotation(ctx context.Context, ios *iostreams.IOStreams, dir string, zone zones.Zone, account *credentials.Account) (*zonelock.Lock, error) {
	var waitFor string
	if dl, ok := ctx.Deadline(); ok {
		waitFor = " up to " + time.Until(dl).Round(time.Second).String()
	}
	of, user, who := "zone "+zone.Name, int64(0), ""
	if account != nil {
		user, who = account.ID, output.Printable(account.Who())
		of = who + " in zone " + zone.Name
	}
	waiting := func(pid int) {
		by := ""
		if pid > 0 {
			by = fmt.Sprintf(" (pid %d)", pid)
		}
		ios.Note("another maketoken rotation of %s is running%s; waiting%s...", of, by, waitFor)
	}
	lock, err := zonelock.AcquireRotation(ctx, zonelock.Dir(dir), zone.Name, user, who, waiting)
	var held *zonelock.HeldError
	switch {
	case errors.As(err, &held):
		return nil, fmt.Errorf("%w; nothing was changed: try again when it has finished", err)
	case err != nil:
		ios.Warnf("%v; rotating without the lock that keeps two rotations of the zone apart", err)
		return nil, nil
	}
	return lock, nil
}

// plan lists the zone's tokens and plans the rotation (see
// tokens.PlanRotation): the old tokens, the new one's label and scopes,
// and where it is delivered.
func (r *rotation) plan(ctx context.Context, opts *RotateOptions) error {
	zc, client, err := opts.zoneClient(ctx)
	if err != nil {
		return err
	}
	if l, a := r.locked, zc.Credential.Account; l != nil && (a == nil || a.ID != l.ID) {
		return fmt.Errorf("zone %s: the zone's active account changed while this rotation waited for the lock of %s's rotations; nothing was changed: run it again (with --user to name the account)", zc.Zone.Name, output.Printable(l.Who()))
	}
	r.zc = zc
	zone := zc.Zone.Name
	listed, err := client.ListTokens(ctx)
	if err != nil {
		return cmderr.API(zc.CallCredential(), err, "user:read")
	}
	req := tokens.RotationRequest{Label: opts.Label, Self: opts.Self}
	if len(opts.Scopes) > 0 {
		if req.Scopes, err = expandScopes(ctx, opts.IO, opts.Cache, zc, client, opts.Scopes); err != nil {
			return err
		}
	}
	r.Rotation, err = tokens.PlanRotation(ctx, zone, client, zc.Credential.Token, listed, req, opts.Now)
	var differ *tokens.ScopesDifferError
	switch {
	case errors.As(err, &differ):
		opts.IO.Say("maketoken: zone %s: the tokens labelled %s have different scopes:", zone, output.Printable(strconv.Quote(differ.Label)))
		for _, t := range differ.Tokens {
			opts.IO.Say("  %s  %s", t.Created, strings.Join(tokens.SortedScopes(t.Scopes), ","))
		}
		return err
	case errors.As(err, new(*tokens.Error)):
		return err
	case err != nil:
		return cmderr.API(zc.CallCredential(), err, "")
	}
	r.Revoker = newRevoker(opts.IO, zone, client)
	r.store = r.ReplacesCurrent() && zc.Credential.Source != credentials.SourceEnv
	// The new credential keeps the old one's length of lifetime, from now:
	// name when it ends (the old one's end no longer matters, it is revoked).
	if _, at, ok := expiry.Parse(r.NewLabel); opts.Self && ok {
		now, _ := tokens.ServerNow(client, opts.Now)
		warnCredentialLifetime(opts.IO, zone, "the new credential", r.NewLabel, at, now)
	}
	return nil
}

// destination describes where the new token goes.
func (r *rotation) destination() string {
	var where []string
	if r.store {
		as := ", as the zone's credential"
		if a := r.zc.Credential.Account; a != nil && !a.Active {
			as = ", as the credential of " + output.Printable(a.Who())
		}
		where = append(where, r.zc.Credential.Store.Name()+as)
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

// scopesText names a few scopes in a sentence ("the scopes a,b", with
// the article the), four at most in 60 columns, and counts more ("47
// scopes"; -o json lists them) so that an admin credential's list does
// not fill the screen.
func scopesText(the string, scopes []string) string {
	if list := strings.Join(scopes, ","); len(scopes) <= 4 && len(list) <= 60 {
		return the + "scopes " + list
	}
	return fmt.Sprintf("%d scopes", len(scopes))
}

// showPlan tells on stderr what the rotation does (or would do).
func (r *rotation) showPlan(dryRun bool) {
	ios := r.opts.IO
	verb := "Rotating"
	if dryRun {
		verb = "Would rotate"
	}
	ios.Say("%s %s labelled %s in zone %s:", verb, countTokens(len(r.Old)), output.Printable(strconv.Quote(r.Label)), r.Zone)
	writeTokenLines(ios, r.Old, r.zc.Credential)
	ios.Say("The new token gets %s and goes to %s.", scopesText("the ", r.Scopes), r.destination())
	if r.ReplacesCurrent() && r.zc.Credential.Source == credentials.SourceEnv && r.handoff == nil {
		ios.Say("The credential comes from %s, so maketoken cannot store the new token: put it where %s is set.", r.zc.Credential.EnvVar, r.zc.Credential.EnvVar)
	}
	old := "The old tokens are"
	if len(r.Old) == 1 {
		old = "The old token is"
	}
	if r.keepOld {
		ios.Say("%s kept (--keep-old).", old)
	} else {
		ios.Say("%s revoked once the new one is delivered%s.", old, map[bool]string{true: " (the command exited 0)"}[r.handoff != nil])
	}
}

// run carries the rotation out: create, verify, deliver, revoke.
func (r *rotation) run(ctx context.Context) error {
	ios, zone := r.opts.IO, r.Zone
	// The spinner stops before the token is delivered: it may go to this
	// terminal, or to a store command that writes to it.
	spinner := ios.StartSpinner("creating the new token in zone " + zone)
	defer spinner.Stop()
	tok, err := r.Create(ctx)
	if err != nil {
		err = cmderr.API(r.zc.CallCredential(), fmt.Errorf("creating the new token: %w", err), "user:write")
		if errors.As(err, new(*tokens.CreateError)) || errors.As(err, new(*tokens.Error)) {
			return err
		}
		return fmt.Errorf("%w; the old token was kept, nothing was changed", err)
	}
	r.opts.IO.Redactor.Add(tok.Token)
	spinner.SetLabel("checking that the new token works")
	err = r.Verify(ctx, tok)
	spinner.Stop()
	if err != nil {
		return err
	}
	r.rec = rotateRecord{Zone: zone, Label: tok.Label, Scopes: r.Scopes, Created: tok.Created, Token: makeapi.Mask(tok.Token), Revoked: []rotateRef{}, Kept: []rotateRef{}}
	for _, t := range r.Old {
		ref := rotateRef{Label: t.Label, Created: t.Created}
		if r.keepOld {
			r.rec.Kept = append(r.rec.Kept, ref)
		} else {
			r.rec.Revoked = append(r.rec.Revoked, ref)
		}
	}
	// A stdout pipe that nobody reads must fail the write, not end the
	// program before it can clean up.
	runctx.BrokenPipeFails()
	d, err := tokens.Handover(ctx, r.Revoker, tok, r.destinations(), r.Old)
	if cmd := d.Command(); cmd != nil {
		r.rec.Delivered = &deliveredRecord{Command: r.handoff.Name(), Exit: cmd.ExitCode}
	}
	var unknown *tokens.UnknownError
	switch {
	case errors.As(err, &unknown) && d.Command() == nil:
		return r.storageUnknown(tok, unknown.Err, d)
	case err != nil:
		return err
	}
	r.opts.warnDelivered(d)
	return r.finish(ctx, d)
}

// destinations are where the new token goes, in this order: the --
// COMMAND, storage when the old token is the stored credential, the
// --out-file; or else standard output.
func (r *rotation) destinations() []tokens.Destination {
	var d []tokens.Destination
	if r.handoff != nil {
		d = append(d, tokens.Command{Command: r.handoff, Zone: r.Zone})
	}
	if r.store {
		d = append(d, r.opts.credentialStorage(r.zc))
	}
	if r.out != nil {
		d = append(d, tokens.File{File: r.out, Path: r.outPath, Zone: r.Zone})
	}
	if len(d) == 0 {
		d = append(d, tokens.Writer{Name: "standard output", Zone: r.Zone, Write: r.print})
	}
	return d
}

// print delivers the new token on stdout: the record (or the bare token)
// is written before anything is revoked; its "revoked" lists the tokens
// about to be.
func (r *rotation) print(tok makeapi.Token) error {
	full := r.rec
	full.Token = tok.Token
	return r.printToken(r.opts.IO, full, tok.Token)
}

// onStdout reports whether the new token is delivered on stdout.
func (r *rotation) onStdout() bool { return !r.store && r.out == nil && r.handoff == nil }

// finish ends a rotation whose new token was delivered: it says so,
// revokes the old tokens unless they must stay, and prints the record.
func (r *rotation) finish(ctx context.Context, d tokens.Delivery) error {
	ios := r.opts.IO
	ios.Result(true, "Created the new token (created %s), checked that it works, and delivered it to %s.", r.rec.Created, r.destination())
	if r.onStdout() && ios.OutTTY {
		ios.Say("Copy it now: it will not be shown again.")
	}
	if r.ReplacesCurrent() && r.zc.Credential.Source == credentials.SourceEnv && r.handoff == nil {
		ios.Say("The credential came from %s: replace its value with the new token wherever it is set (e.g. your CI's secret store).", r.zc.Credential.EnvVar)
	}
	failed := d.Failures()
	if r.handoff != nil && len(failed) > 0 {
		// Storage refused the token the command took.
		failed[0] = fmt.Errorf("%w; %s received the new token, and the old one stays in storage and was not revoked", failed[0], r.handoff.Name())
	}
	switch {
	case r.keepOld:
	case !d.RevokeOld():
		ios.Say("The old %s not revoked: storage still holds the old credential.", map[bool]string{true: "token was", false: "tokens were"}[len(r.Old) == 1])
	default:
		failed = append(failed, r.revokeOld(ctx)...)
	}
	if !r.onStdout() && r.printer.Format == output.JSON {
		// The record does not carry the token: it is printed last. A
		// failed write alone (stdout closed) is a failure, not a partial
		// one: exit 1.
		if err := r.printer.Print(r.rec, output.Rows{}); err != nil {
			err = fmt.Errorf("zone %s: writing the record to standard output: %w; the new token was delivered to %s", r.zc.Zone.Name, err, output.Sanitize(r.destination()))
			if len(failed) == 0 && runctx.Interrupted(ctx) == nil {
				return err
			}
			failed = append(failed, err)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	for _, err := range failed {
		ios.PrintError(err)
	}
	if ie := runctx.Interrupted(ctx); ie != nil {
		return &runctx.InterruptedError{Signal: ie.Signal, Summary: fmt.Sprintf("the new token was delivered to %s; what is named above was not done", output.Sanitize(r.destination()))}
	}
	return cmderr.Silent(cmderr.Partial)
}

// storageUnknown ends a rotation whose delivery into storage may or may
// not have happened: the keyring took the write but did not answer in
// time, and may still carry it out. Storage may end up holding either
// token, so neither is revoked (a --out-file still got the new one). The
// user is told both tokens and how to find out which one is stored.
func (r *rotation) storageUnknown(tok makeapi.Token, cause error, d tokens.Delivery) error {
	ios, zone := r.opts.IO, r.Zone
	ios.PrintError(cause)
	old := "the old token"
	if len(r.Old) > 1 {
		old = "the old tokens"
	}
	ios.Say("Nothing was revoked, so whichever token storage ends up holding works:\n  the new token (created %s)\n  %s (created %s)", tok.Created, old, tokens.JoinCreated(r.Old))
	if r.out != nil {
		if err := d.Results[len(d.Results)-1].Err; err != nil {
			ios.PrintError(err)
		} else {
			ios.Say("The new token was also written to %s.", r.outPath)
		}
	}
	ios.Say("Once the keyring answers, `maketoken list -z %s` marks the stored one as current; then revoke the other with `maketoken revoke -z %s CREATED`.", zone, zone)
	return cmderr.Silent(cmderr.Code(cause))
}

// revokeOld revokes the old tokens, the credential in use last, and
// returns the failures, each naming its token. A signal does not stop it
// half-way (see tokens.Rotation.RevokeOld).
func (r *rotation) revokeOld(ctx context.Context) []error {
	zone := r.Zone
	spinner := r.opts.IO.StartSpinner(fmt.Sprintf("revoking the old %s", map[bool]string{true: "token", false: "tokens"}[len(r.Old) == 1]))
	errs := r.RevokeOld(ctx, func(int) {
		spinner.Stop()
		r.opts.IO.Note("interrupted after the new token was delivered; revoking the old tokens before stopping...")
	})
	spinner.Stop()
	var failed []error
	for i, err := range errs {
		if err != nil {
			t := r.Old[i]
			failed = append(failed, fmt.Errorf("%w; the old token %s (created %s) was not revoked: revoke it with `maketoken revoke -z %s %s`", cmderr.API(r.zc.CallCredential(), err, "user:write"), strconv.Quote(t.Label), t.Created, zone, t.Created))
		}
	}
	r.opts.IO.Result(len(failed) == 0, "Revoked %d of %s in zone %s.", len(r.Old)-len(failed), countTokens(len(r.Old)), zone)
	return failed
}
