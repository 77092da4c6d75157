package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
)

// Revoking tokens, and undoing a token just created: shared by revoke,
// rotate, prune and create.

// revokeConcurrency bounds the deletes that run at once: enough to be
// quick, few enough to stay clear of Make's rate limit.
const revokeConcurrency = 4

// revokeRecord is the JSON form of one token's revocation.
type revokeRecord struct {
	Zone    string `json:"zone"`
	Label   string `json:"label"`
	Created string `json:"created"`
	Revoked bool   `json:"revoked"`
	Error   string `json:"error,omitempty"`
}

// afterCurrentRevoked says what happens to the zone's credential once it
// is revoked.
func afterCurrentRevoked(zc zoneCredential) string {
	if zc.Credential.Source == credentials.SourceEnv {
		return fmt.Sprintf("it comes from %s, which will no longer work", zc.Credential.EnvVar)
	}
	return fmt.Sprintf("it will be removed from storage, and you will need to log in again (`maketoken login -z %s`)", zc.Zone.Name)
}

// forgetRevoked removes a revoked credential from storage, so that the next
// command says "log in" rather than failing with 401.
func forgetRevoked(ctx context.Context, f *Factory, zc zoneCredential) error {
	zone := zc.Zone.Name
	if zc.Credential.Source == credentials.SourceEnv {
		fmt.Fprintf(f.IO.ErrOut, "The credential for zone %s came from %s: unset it, it no longer works.\n", zone, zc.Credential.EnvVar)
		return nil
	}
	store, err := f.Store()
	if err != nil {
		return err
	}
	removed, err := store.Delete(context.WithoutCancel(ctx), zone)
	if err != nil {
		return fmt.Errorf("zone %s: the credential was revoked but could not be removed from storage: %w; run `maketoken logout -z %s`", zone, err, zone)
	}
	names := make([]string, len(removed))
	for i, s := range removed {
		names[i] = string(s)
	}
	if len(names) == 0 {
		names = []string{"nowhere (it was already gone)"}
	}
	fmt.Fprintf(f.IO.ErrOut, "Removed the revoked credential of zone %s from: %s. Run `maketoken login -z %s` to log in again.\n", zone, strings.Join(names, ", "), zone)
	return nil
}

// revokeRows is the table or TSV form of revoke results.
func revokeRows(f *Factory, records []revokeRecord, format string, dryRun bool) output.Rows {
	rows := output.Rows{Headers: []string{"ZONE", "LABEL", "CREATED", "REVOKED", "ERROR"}}
	now := f.now()
	for _, r := range records {
		created, revoked := r.Created, output.Bool(r.Revoked, format)
		if format == output.Table {
			created = output.Time(r.Created, now)
			if dryRun {
				revoked = "would be revoked"
			}
		}
		rows.Rows = append(rows.Rows, []string{r.Zone, r.Label, created, revoked, r.Error})
	}
	return rows
}

// alreadyRevokedHelp is the 404 rule (see revoker.revokeOne), as the help
// of every command that revokes states it.
const alreadyRevokedHelp = `A token that is already gone when maketoken comes to revoke it (someone
revoked it after it was listed, and Make answers 404) is reported as
"already revoked" on stderr and counts as revoked, not as a failure, once a
fresh list confirms it is gone. If Make still lists it, the 404 is a failure.`

// revoker revokes tokens of one zone. It is the one routine behind
// revoke, rotate, prune, logout --revoke and the undoing of a token just
// created; the commands only word its errors.
type revoker struct {
	client *makeapi.Client
	zone   string
	// errOut receives the note about a token that was already gone.
	errOut io.Writer
	// onDone, if set, is called after each token with its outcome (nil:
	// revoked), a progress hook; calls may come from several goroutines at
	// once.
	onDone func(err error)
}

// revoke revokes tokens, at most revokeConcurrency at once, and the
// credential in use (cred) last: the others are revoked with it. It returns
// each token's error, in the order of tokens, for the caller to word.
func (rv revoker) revoke(ctx context.Context, tokens []makeapi.Token, cred credentials.Credential) []error {
	errs := make([]error, len(tokens))
	var others, last []int
	for i, t := range tokens {
		if isCurrent(t, cred) {
			last = append(last, i)
		} else {
			others = append(others, i)
		}
	}
	parallelBounded(len(others), revokeConcurrency, func(j int) error {
		errs[others[j]] = rv.revokeOne(ctx, tokens[others[j]])
		return nil
	})
	for _, i := range last {
		errs[i] = rv.revokeOne(ctx, tokens[i])
	}
	return errs
}

// revokeOne revokes one token, by the 404 rule. Make answers 404 both for a
// token that is already gone (someone revoked it between our list and our
// delete) and, to hide it, for one the credential may not touch. So a 404
// counts as revoked only when a fresh list confirms the token is gone, and
// then maketoken says so; if it is still listed (or the list fails), the
// 404 is the token's failure.
func (rv revoker) revokeOne(ctx context.Context, t makeapi.Token) (err error) {
	if rv.onDone != nil {
		defer func() { rv.onDone(err) }()
	}
	err = rv.client.DeleteToken(ctx, t)
	if makeapi.StatusCode(err) != http.StatusNotFound {
		return err
	}
	listed, lerr := rv.client.ListTokens(ctx)
	if lerr != nil || slices.ContainsFunc(listed, func(l makeapi.Token) bool { return l.Created == t.Created }) {
		return err
	}
	fmt.Fprintf(rv.errOut, "maketoken: zone %s: the token %s (created %s) was already revoked: Make answered 404 and no longer lists it, so it counts as revoked.\n",
		rv.zone, output.Printable(strconv.Quote(t.Label)), t.Created)
	return nil
}

// cleanupContext is a context for undoing a failed step: it outlives the
// command's own deadline or cancellation, but only by cleanupTimeout.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
}

// undoCreate revokes a token just created that could not be delivered,
// so that no token exists that nobody received, and returns cause with
// what became of it. kept names what was left in place ("the old one"),
// or is empty. The exit code stays cause's.
func undoCreate(ctx context.Context, rv revoker, tok makeapi.Token, cause error, kept string) error {
	cctx, cancel := cleanupContext(ctx)
	defer cancel()
	if err := rv.revokeOne(cctx, tok); err != nil {
		err = fmt.Errorf("%w; the new token (created %s) could not be revoked again (%s): revoke it with `maketoken revoke -z %s %s`", cause, tok.Created, err.Error(), rv.zone, tok.Created)
		if kept != "" {
			err = fmt.Errorf("%w; %s was kept", err, kept)
		}
		return err
	}
	if kept != "" {
		return fmt.Errorf("%w; the new token was revoked again and %s kept: nothing was changed", cause, kept)
	}
	return fmt.Errorf("%w; the new token was revoked again, nothing was changed", cause)
}
