package cmderr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/makeapi"
)

// NotRevokedError is why one token was not revoked, told once: the token
// by its label and created time, and Make's answer without the request
// that got it (which names the token again).
type NotRevokedError struct {
	Zone, Label, Created string
	// Why is the error without the zone and the token, for a table whose
	// other columns show them.
	Why string
	Err error
}

func (e *NotRevokedError) Error() string {
	return fmt.Sprintf("zone %s: the token %s (created %s) was not revoked: %s", e.Zone, strconv.Quote(e.Label), e.Created, e.Why)
}

func (e *NotRevokedError) Unwrap() error { return e.Err }

// NotRevoked is the error of a token that revoke or prune could not
// revoke with cred.
func NotRevoked(cred credentials.Credential, t makeapi.Token, err error) error {
	return &NotRevokedError{Zone: cred.Zone, Label: t.Label, Created: t.Created, Why: revokeWhy(cred, err), Err: err}
}

// revokeWhy says why a revocation failed, in a few words: what Make
// answered (a rejected credential or a missing scope as API explains
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
			if what, ok := Explained(API(cred, err, "user:write")); ok {
				return what
			}
		}
		why := "Make answered " + strings.Replace(err.Error(), ae.Method+" "+ae.Path+": ", "", 1)
		if ae.StatusCode >= 500 {
			why += "; try again later"
		}
		return why
	}
	return strings.TrimPrefix(API(cred, err, "user:write").Error(), "zone "+cred.Zone+": ")
}
