package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/redact"
	"github.com/maketoken/maketoken/internal/tokens"
)

// What the commands that revoke share: the record they print, and what
// becomes of a revoked credential in use.

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
func forgetRevoked(ctx context.Context, ios *iostreams.IOStreams, store func() (*credentials.Store, error), zc zoneCredential) error {
	zone := zc.Zone.Name
	if zc.Credential.Source == credentials.SourceEnv {
		ios.Say("The credential for zone %s came from %s: unset it, it no longer works.", zone, zc.Credential.EnvVar)
		return nil
	}
	st, err := store()
	if err != nil {
		return err
	}
	// Delete clears the zone's origin record with the credential.
	forgotten, err := st.Forget(context.WithoutCancel(ctx), zc.Zone, zc.Credential)
	removed := forgotten.From
	if err != nil {
		return fmt.Errorf("zone %s: the credential was revoked but could not be removed from storage: %w; run `maketoken logout -z %s`", zone, err, zone)
	}
	names := make([]string, len(removed))
	for i, s := range removed {
		names[i] = s.Label()
	}
	if len(names) == 0 {
		names = []string{"nowhere (it was already gone)"}
	}
	ios.Say("Removed the revoked credential of zone %s from: %s. Run `maketoken login -z %s` to log in again.", zone, strings.Join(names, ", "), zone)
	return nil
}

// revokeRows is the table or TSV form of revoke results.
func revokeRows(now time.Time, records []revokeRecord, format string, dryRun bool) output.Rows {
	rows := output.Rows{Headers: []string{"ZONE", "LABEL", "CREATED", "REVOKED", "ERROR"}}
	if format != output.Table {
		rows.Headers = tsvColumnsOf("revoke")
	}
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

// newRevoker is the zone's tokens.Revoker, which says on stderr when a
// token was already gone.
func newRevoker(ios *iostreams.IOStreams, zone string, client *makeapi.Client) tokens.Revoker {
	return tokens.Revoker{Client: client, Zone: zone, Gone: func(t makeapi.Token) {
		ios.Note("zone %s: the token %s (created %s) was already revoked: Make answered 404 and no longer lists it, so it counts as revoked.",
			zone, output.Printable(strconv.Quote(t.Label)), t.Created)
	}}
}

// revokeRecorded revokes tokens of one zone (the credential in use, current,
// last) and fills their records, one per token, in order. It returns each
// token's error, worded by word, nil for those revoked.
func revokeRecorded(ctx context.Context, r *redact.Redactor, rv tokens.Revoker, list []makeapi.Token, current string, records []revokeRecord, word func(makeapi.Token, error) error) []error {
	errs := rv.Revoke(ctx, list, current)
	for i, err := range errs {
		if err == nil {
			records[i].Revoked = true
			continue
		}
		errs[i] = word(list[i], err)
		records[i].Error = r.String(errs[i].Error())
	}
	return errs
}

// countRevoked counts the records of revoked tokens.
func countRevoked(records []revokeRecord) int {
	n := 0
	for _, r := range records {
		if r.Revoked {
			n++
		}
	}
	return n
}
