package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/tokens"
)

// What the commands that revoke share: the record they print, and what
// becomes of a revoked credential in use.

// afterCurrentRevoked says what happens to the zone's credential once it
// is revoked.
func afterCurrentRevoked(zc credentials.Target) string {
	if zc.Credential.Source == credentials.SourceEnv {
		return fmt.Sprintf("it comes from %s, which will no longer work", zc.Credential.EnvVar)
	}
	return fmt.Sprintf("it will be removed from storage, and you will need to log in again (`maketoken login -z %s`)", zc.Zone.Name)
}

// forgetRevoked removes a revoked credential from storage, so that the next
// command says "log in" rather than failing with 401.
func forgetRevoked(ctx context.Context, ios *iostreams.IOStreams, store func() (*credentials.Store, error), zc credentials.Target) error {
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
	if err != nil {
		return fmt.Errorf("zone %s: the credential was revoked but could not be removed from storage: %w; run `maketoken logout -z %s`", zone, err, zone)
	}
	places := forgotten.Places()
	if places == "" {
		places = "nowhere (it was already gone)"
	}
	ios.Say("Removed the revoked credential of zone %s from: %s. Run `maketoken login -z %s` to log in again.", zone, places, zone)
	return nil
}

// printRevocations prints revoke results on stdout as a table, TSV or
// JSON; not at all when a table was not asked for (see
// Printer.TableUnasked): the plan on stderr named the tokens already.
func printRevocations(printer *output.Printer, now time.Time, records []tokens.Revocation, dryRun bool) error {
	if printer.TableUnasked() {
		return nil
	}
	format := printer.Format
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
		if format == output.Table && r.Why != "" {
			why = r.Why
		}
		rows.Rows = append(rows.Rows, []string{r.Zone, r.Label, created, revoked, why})
		rows.Forms = append(rows.Forms, [][]string{nil, nil, forms, nil, nil})
	}
	return printer.Print(records, rows)
}

// newRevoker is the zone's tokens.Revoker, which says on stderr when a
// token was already gone.
func newRevoker(ios *iostreams.IOStreams, zone string, client *makeapi.Client) tokens.Revoker {
	return tokens.Revoker{Client: client, Zone: zone, Gone: func(t makeapi.Token) {
		ios.Note("zone %s: the token %s (created %s) was already revoked: Make answered 404 and no longer lists it, so it counts as revoked.",
			zone, output.Printable(strconv.Quote(t.Label)), t.Created)
	}}
}

// revokeRecorded revokes tokens of zc's zone with client (the credential
// in use, last), counting each on done, and fills their records, one per
// token, in order. It returns each token's error (see cmderr.NotRevoked),
// nil for those revoked.
func revokeRecorded(ctx context.Context, ios *iostreams.IOStreams, zc credentials.Target, client *makeapi.Client, list []makeapi.Token, records []tokens.Revocation, done func(error)) []error {
	rv := newRevoker(ios, zc.Zone.Name, client)
	rv.Done = done
	cred := zc.CallCredential()
	errs := rv.Revoke(ctx, list, cred.Token)
	for i, err := range errs {
		if err == nil {
			records[i].Revoked = true
			continue
		}
		errs[i] = cmderr.NotRevoked(cred, list[i], err)
		records[i].Error = ios.Redactor.String(errs[i].Error())
		if nr, ok := errors.AsType[*cmderr.NotRevokedError](errs[i]); ok {
			records[i].Why = ios.Redactor.String(nr.Why)
		}
	}
	return errs
}
