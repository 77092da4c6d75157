package cli

import (
	"context"
	"fmt"
	"slices"
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
func (f *Factory) forgetRevoked(ctx context.Context, zc zoneCredential) error {
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
func (f *Factory) revokeRows(records []revokeRecord, format string, dryRun bool) output.Rows {
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

// deleteToken revokes the token created at created. Make answers 404 both
// for a token that is gone (another process revoked it) and, to hide it,
// for one the credential may not touch: a 404 counts as done only when a
// fresh list confirms the token is gone.
func deleteToken(ctx context.Context, client *makeapi.Client, created string) error {
	err := client.DeleteToken(ctx, created)
	if makeapi.StatusCode(err) != 404 {
		return err
	}
	tokens, lerr := client.ListTokens(ctx)
	if lerr != nil || slices.ContainsFunc(tokens, func(t makeapi.Token) bool { return t.Created == created }) {
		return err
	}
	return nil
}

// cleanupContext is a context for undoing a failed step: it outlives the
// command's own deadline or cancellation, but only by cleanupTimeout.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
}

// undoCreate revokes a token that was created but could not be delivered,
// so that no token exists that nobody received, and returns cause with
// what became of the token.
func (f *Factory) undoCreate(ctx context.Context, client *makeapi.Client, zone string, tok makeapi.Token, cause error) error {
	cctx, cancel := cleanupContext(ctx)
	defer cancel()
	if err := client.DeleteToken(cctx, tok.Created); err != nil {
		return fmt.Errorf("%w; the new token (created %s) could not be revoked again either: %w; revoke it with `maketoken revoke -z %s %s`", cause, tok.Created, err, zone, tok.Created)
	}
	return fmt.Errorf("%w; the new token was revoked again, nothing was changed", cause)
}
