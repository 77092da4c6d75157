package tokens

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/maketoken/maketoken/internal/expiry"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
)

// Ephemeral makes and revokes the token of one run of a command (exec
// --ephemeral): exactly the scopes asked for, a lifetime in its label (so
// that prune --expired revokes it if nothing else does), revoked when the
// command ends.
//
// The token is checked on the create's own answer rather than with a
// request of its own: the answer comes from the zone's origin (the client
// refuses any other) and is Make's record of the token just made, so a
// check request could only repeat it. What is at stake differs from a
// rotation, which revokes the old token on the strength of its check:
// here nothing is given up, and a token that somehow did not work would
// only fail the command, and be revoked all the same. So the answer must
// name exactly the scopes asked for and the label sent (CheckAnswer), or
// the token is revoked before anything uses it.
type Ephemeral struct {
	Revoker Revoker
	// Base is the label, to which the lifetime TTL is added.
	Base   string
	TTL    time.Duration
	Scopes []string
}

// EphemeralToken is a token Ephemeral made.
type EphemeralToken struct {
	Revoker Revoker
	// Token is the token made, as Make answered.
	Token makeapi.Token
	// Expires is the end of its lifetime, as its label records it.
	Expires time.Time
}

// Make creates the token: a lifetime from Make's now when an answer has
// shown it (else this machine's clock, which the create's answer checks,
// see Create.Do), and Make's answer checked. A token that is not what was
// asked for is revoked again (the error says so).
func (e Ephemeral) Make(ctx context.Context, local func() time.Time) (*EphemeralToken, error) {
	now, _ := ServerNow(e.Revoker.Client, local)
	c := Create{Client: e.Revoker.Client, Revoker: e.Revoker, Label: LifetimeLabel(e.Base, e.TTL, now), Scopes: e.Scopes}
	tok, err := c.Do(ctx)
	if err != nil {
		return nil, err
	}
	_, expires, _ := expiry.Parse(c.Label)
	et := &EphemeralToken{Revoker: e.Revoker, Token: tok, Expires: expires}
	if err := CheckAnswer(tok, c.Label, e.Scopes); err != nil {
		cause := fmt.Errorf("zone %s: the ephemeral token is not what was asked for: %w", e.Revoker.Zone, err)
		if rerr := et.Revoke(ctx, CleanupTimeout); rerr != nil {
			return nil, fmt.Errorf("%w; and %w", cause, rerr)
		}
		return nil, cause
	}
	return et, nil
}

// Revoke revokes the token, with a context of its own bounded by timeout
// (the command's may have ended; a timeout as long as the create had lets
// the revoke wait out Make's rate limit as long). A failure, or an outcome
// not known, is a *LeftError saying how the token will still go.
func (t *EphemeralToken) Revoke(ctx context.Context, timeout time.Duration) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	if err := t.Revoker.RevokeOne(cctx, t.Token); err != nil {
		return &LeftError{Err: err, Zone: t.Revoker.Zone, Token: t.Token, Expires: t.Expires}
	}
	return nil
}

// LeftError is an ephemeral token that could not be revoked: it may still
// be valid until its lifetime ends.
type LeftError struct {
	Err     error
	Zone    string
	Token   makeapi.Token
	Expires time.Time
}

func (e *LeftError) Error() string {
	return fmt.Sprintf("%v; the ephemeral token %s (created %s) may still be valid: `maketoken prune --expired` revokes it after %s, or run `maketoken revoke -z %s %s`",
		e.Err, output.Printable(strconv.Quote(e.Token.Label)), e.Token.Created, e.Expires.Format(time.RFC3339), e.Zone, e.Token.Created)
}

func (e *LeftError) Unwrap() error { return e.Err }
