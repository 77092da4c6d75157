package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
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
	// why is Error without the zone and the token, which a table's other
	// columns show; "" if Error has no such form.
	why string
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
		rows.Headers = output.TSVColumns("revoke")
	} else {
		// A narrow terminal shortens times, then cuts the errors (each is
		// on stderr in full), then the labels.
		rows.Flexible = []bool{false, true, false, false, true}
		rows.Keep = []bool{false, true, false, false, false}
		rows.Dim = []bool{false, false, true, false, false}
	}
	for _, r := range records {
		created, revoked := r.Created, output.Bool(r.Revoked, format)
		var forms []string
		if format == output.Table {
			times := output.TimeForms(r.Created, now)
			created, forms = times[0], times[1:]
			if dryRun {
				revoked = "would be revoked"
			}
		}
		why := r.Error
		if format == output.Table && r.why != "" {
			why = r.why
		}
		rows.Rows = append(rows.Rows, []string{r.Zone, r.Label, created, revoked, why})
		rows.Forms = append(rows.Forms, [][]string{nil, nil, forms, nil, nil})
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
		if nr, ok := errors.AsType[*notRevokedError](errs[i]); ok {
			records[i].why = r.String(nr.why)
		}
	}
	return errs
}

// notRevokedError is why one token was not revoked, told once: the token
// by its label and created time, and Make's answer without the request
// that got it (which names the token again).
type notRevokedError struct {
	zone, label, created, why string
	err                       error
}

func (e *notRevokedError) Error() string {
	return fmt.Sprintf("zone %s: the token %s (created %s) was not revoked: %s", e.zone, strconv.Quote(e.label), e.created, e.why)
}

func (e *notRevokedError) Unwrap() error { return e.err }

// notRevoked is the error of a token that revoke or prune could not
// revoke with cred.
func notRevoked(cred credentials.Credential, t makeapi.Token, err error) error {
	return &notRevokedError{zone: cred.Zone, label: t.Label, created: t.Created, why: revokeWhy(cred, err), err: err}
}

// revokeWhy says why a revocation failed, in a few words: what Make
// answered (a rejected credential or a missing scope as cmderr.API explains
// them), or that there was no answer, or no time left.
func revokeWhy(cred credentials.Credential, err error) string {
	var ae *makeapi.APIError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "the command ran out of time (raise --timeout)"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.As(err, &ae) && ae.AnsweredBy == "":
		if ae.StatusCode == http.StatusUnauthorized || ae.StatusCode == http.StatusForbidden {
			if what, ok := cmderr.Explained(cmderr.API(cred, err, "user:write")); ok {
				return what
			}
		}
		why := "Make answered " + strings.Replace(err.Error(), ae.Method+" "+ae.Path+": ", "", 1)
		if ae.StatusCode >= 500 {
			why += "; try again later"
		}
		return why
	}
	return strings.TrimPrefix(cmderr.API(cred, err, "user:write").Error(), "zone "+cred.Zone+": ")
}

// reportFailures writes one line per token that was not revoked, unless a
// signal ended the command (its one summary line says it all).
func reportFailures(ctx context.Context, ios *iostreams.IOStreams, errs []error) {
	if runctx.Interrupted(ctx) != nil {
		return
	}
	for _, err := range errs {
		ios.PrintError(err)
	}
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
