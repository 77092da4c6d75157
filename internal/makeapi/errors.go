package makeapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/output"
)

// APIError is an answer from Make other than success. Make's error body
// ({"detail","message","code","suberrors"}) is parsed when there is one;
// an HTML page from a proxy is summarised, never dumped.
type APIError struct {
	StatusCode int
	Method     string
	Path       string // relative to the zone's base URL
	Detail     string
	Message    string
	Code       string
	Suberrors  []string
	// RetryAfter is the wait the server asked for (429/503), zero if none.
	RetryAfter time.Duration
	// NotJSON is set when the body was not Make's JSON error body: a
	// plain-text 429 (as Make sends it, observed), or a proxy's or
	// Cloudflare's page ("error code: 1010"). Detail then holds a short
	// plain-text body, cleaned for a terminal.
	NotJSON bool
	// CredentialAccepted is set on a 401 when maketoken asked Make's
	// current-authorization afterwards and it accepted the same
	// credential: the credential is valid, only this call was refused.
	CredentialAccepted bool
	// AnsweredBy is the origin that answered when a redirect took the call
	// away from the zone's own ("" when the zone answered). The credential
	// is never sent there, so a 401 from it says nothing about the token.
	AnsweredBy string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	msg := e.Detail
	if msg == "" {
		msg = e.Message
	}
	switch {
	case msg != "":
		b.WriteString(": ")
		b.WriteString(msg)
	case e.NotJSON:
		b.WriteString(" (the answer was not Make's JSON; a proxy or gateway may be in the way)")
	}
	if e.Detail != "" && e.NotJSON && e.StatusCode != http.StatusTooManyRequests {
		b.WriteString(" (not Make's JSON error body)")
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " [%s]", e.Code)
	}
	for _, s := range e.Suberrors {
		b.WriteString("; ")
		b.WriteString(s)
	}
	if e.AnsweredBy != "" {
		fmt.Fprintf(&b, " (answered by %s after a redirect; maketoken never sends a zone's credential to another origin)", e.AnsweredBy)
	}
	// The parts from the server are escaped already (parseError); this
	// holds for an APIError made some other way too.
	return output.Escape(b.String())
}

// StatusCode returns the HTTP status of an APIError in err's chain, or 0.
func StatusCode(err error) int {
	var e *APIError
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// ProtocolError is an answer that was not what Make's API promises:
// a body of the wrong shape, truncated, or too large.
type ProtocolError struct {
	Method, Path string
	Reason       string
}

func (e *ProtocolError) Error() string {
	return output.Escape(fmt.Sprintf("%s %s: unexpected answer from the server: %s", e.Method, e.Path, e.Reason))
}

// OutcomeUnknownError is a create (POST) that may have reached Make but got
// no usable answer: a dropped connection, a timeout, a 5xx from a gateway.
// It is never retried, since a duplicate token is worse than an error; the
// user has to look whether the token exists.
type OutcomeUnknownError struct{ Err error }

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("%v; the token may have been created anyway: check with `maketoken list` before creating it again", e.Err)
}

func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// OutcomeUnknown says that the create may have happened (see package
// outcome).
func (e *OutcomeUnknownError) OutcomeUnknown() bool { return true }
