package tokens

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/expiry"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
)

// lookAgain are the waits before the second and third look for a token
// whose create got no answer: Make may still be making it. All the looks
// run within CleanupTimeout.
var lookAgain = []time.Duration{time.Second, 3 * time.Second}

// Create makes one token at Make.
//
// A create is never repeated. If it fails in a way that Make may have
// carried it out anyway (no answer: interrupted, timed out, the connection
// lost; a server error; an answer without the token), its outcome is not
// known, and Do looks for the token in a clean-up context: a token with
// the label, not among Before, created since the create began. One that
// appeared is revoked again: nobody holds its secret. When the create got
// no answer at all, Make may still be working on it, so Do looks again
// after a short wait, and finding nothing says only that nothing had
// appeared, naming the label and time to look for: never that Make did not
// make it.
type Create struct {
	Client  *makeapi.Client
	Revoker Revoker
	Label   string
	Scopes  []string
	// Before are the tokens of the zone listed before the create, if they
	// were: none of them is the new one. Without them a token is told by
	// its label and time alone.
	Before []makeapi.Token
	// Kept names what stays in place whatever becomes of the create ("the
	// old token"), for the messages; "" if nothing does.
	Kept string
}

// ListBefore lists the zone's tokens, for Before, while check runs (the
// new token's scopes being checked: the two requests overlap), and
// returns check's error. A list that failed is nil: a credential without
// user:read still creates.
func ListBefore(ctx context.Context, client *makeapi.Client, check func() error) ([]makeapi.Token, error) {
	var (
		before []makeapi.Token
		lerr   error
		listed = make(chan struct{})
	)
	go func() {
		defer close(listed)
		before, lerr = client.ListTokens(ctx)
	}()
	err := check()
	<-listed
	if err != nil || lerr != nil {
		return nil, err
	}
	return before, nil
}

// Do creates the token. A failure whose outcome was not known is a
// *CreateError saying what was found. A token made with a lifetime that had
// already passed on Make's clock (its label was made on this machine's,
// which is off) is revoked again: no token is made whose lifetime has
// passed.
func (c Create) Do(ctx context.Context) (makeapi.Token, error) {
	start := time.Now()
	tok, err := c.Client.CreateToken(ctx, c.Label, c.Scopes)
	if err != nil {
		if !mayHaveCreated(err) {
			return makeapi.Token{}, err
		}
		return makeapi.Token{}, c.sweep(ctx, start, err)
	}
	if tok.Label == "" {
		tok.Label = c.Label
	}
	if perr := CheckLifetime(tok, c.Label); perr != nil {
		cause := fmt.Errorf("the new token (created %s) is labelled %s: %w", tok.Created, strconv.Quote(c.Label), perr)
		if serr := CheckSkew(c.Revoker.Zone, c.Client); serr != nil {
			var se *SkewError
			errors.As(serr, &se)
			cause = fmt.Errorf("%w (this machine's clock is %s Make's: fix it, see `maketoken doctor -z %s`)", cause, DescribeSkew(se.Skew), c.Revoker.Zone)
		}
		return makeapi.Token{}, c.Revoker.Undo(ctx, tok, cause, c.Kept)
	}
	return tok, nil
}

// mayHaveCreated reports whether a failed create may have made the token
// all the same: its answer was lost, cut short or not understood, or the
// server failed after it may have acted.
func mayHaveCreated(err error) bool {
	var unknown *makeapi.OutcomeUnknownError
	if errors.As(err, &unknown) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	status := makeapi.StatusCode(err)
	return status == 0 || status >= 500
}

// unanswered reports whether a failed create got no answer from Make (a
// gateway's timeout counts as none): Make may still be making the token.
func unanswered(err error) bool {
	var odd *makeapi.ProtocolError
	if errors.As(err, &odd) {
		return false // an answer came, one that could not be used
	}
	status := makeapi.StatusCode(err)
	return status == 0 || status == http.StatusGatewayTimeout
}

// sweep looks for a token the failed create may have made, and revokes it.
func (c Create) sweep(ctx context.Context, start time.Time, err error) error {
	// The client's own advice (check by hand) is replaced by what is found.
	var unknown *makeapi.OutcomeUnknownError
	if errors.As(err, &unknown) {
		err = unknown.Err
	}
	ce := &CreateError{Err: err, Zone: c.Revoker.Zone, Label: c.Label, Kept: c.Kept,
		CutShort: errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)}
	cctx, cancel := CleanupContext(ctx)
	defer cancel()
	waits := lookAgain
	if !unanswered(err) {
		waits = nil // Make has answered: it is done with the request
	}
	for i := 0; ; i++ {
		var found []makeapi.Token
		found, ce.Since, ce.LookedAt, ce.LookErr = c.look(cctx, start)
		ce.Looked = ce.LookErr == nil
		if len(found) > 0 || i == len(waits) || ce.LookErr != nil && cctx.Err() != nil {
			ce.Found = found
			break
		}
		select {
		case <-time.After(waits[i]):
		case <-cctx.Done():
			ce.Found = found
			return ce.settle(cctx, c.Revoker, true)
		}
	}
	return ce.settle(cctx, c.Revoker, len(waits) > 0)
}

// look lists the zone's tokens and returns those the create may have made,
// with the time since which they would have been created and the time of
// the look, both on Make's clock when its answer said (else this
// machine's).
func (c Create) look(ctx context.Context, start time.Time) (found []makeapi.Token, since, at time.Time, err error) {
	listed, err := c.Client.ListTokens(ctx)
	since = start.Add(-SkewLimit)
	at = time.Now()
	if now, ok := c.Client.ServerNow(); ok {
		// Make's clock at the start of the create, with a margin for the
		// whole seconds of its Date header.
		at, since = now, now.Add(-time.Since(start)-2*time.Second)
	}
	if err != nil {
		return nil, since, at, err
	}
	for _, t := range listed {
		if t.Label == c.Label && !slices.ContainsFunc(c.Before, func(b makeapi.Token) bool { return b.Created == t.Created }) && createdSince(t.Created, since) {
			found = append(found, t)
		}
	}
	return found, since, at, nil
}

// createdSince reports whether a `created` timestamp is not before t; one
// that cannot be read counts as recent.
func createdSince(created string, t time.Time) bool {
	ts, err := time.Parse(time.RFC3339Nano, created)
	return err != nil || !ts.Before(t)
}

// CreateError is a create that returned no token although Make may have
// made one: what the create met, and what a look for the token found.
type CreateError struct {
	// Err is what the create met.
	Err         error
	Zone, Label string
	// CutShort says the create was interrupted or ran out of time.
	CutShort bool
	// Kept is what stayed in place ("the old token"), or "".
	Kept string
	// Looked says the zone's tokens could be listed; LookErr says why not.
	Looked  bool
	LookErr error
	// Waited says Make was given time to finish the create: nothing found
	// then is not known, rather than not made.
	Waited bool
	// Since is the time after which the token would have been created;
	// LookedAt the time of the last look (Make's clock when known).
	Since, LookedAt time.Time
	// Found are the tokens that appeared: Revoked those revoked again,
	// Left those that were not (failed, or which was the create's could
	// not be told).
	Found, Revoked, Left []makeapi.Token
	// RevokeErr is why a token found was not revoked.
	RevokeErr error
}

// settle revokes what the look found, when it is one token: several with
// the label and time cannot be told apart, one may be another's.
func (e *CreateError) settle(ctx context.Context, rv Revoker, waited bool) error {
	e.Waited = waited
	switch len(e.Found) {
	case 0:
	case 1:
		if err := rv.RevokeOne(ctx, e.Found[0]); err != nil {
			e.Left, e.RevokeErr = e.Found, err
		} else {
			e.Revoked = e.Found
		}
	default:
		e.Left = e.Found
	}
	return e
}

func (e *CreateError) Unwrap() error { return e.Err }

// OutcomeUnknown says whether a token may still live that nobody holds
// (see package outcome).
func (e *CreateError) OutcomeUnknown() bool {
	return len(e.Left) > 0 || !e.Looked || (len(e.Found) == 0 && e.Waited)
}

func (e *CreateError) Error() string {
	return e.Err.Error() + "; " + e.outcome()
}

// shellSafe reports whether label needs no quoting on a command line:
// it is made of letters, digits and . _ ~ = : @ + / - alone. (A loop, not
// a regular expression compiled at every start-up.)
func shellSafe(label string) bool {
	for i := 0; i < len(label); i++ {
		switch c := label[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("._~=:@+/-", c) >= 0:
		default:
			return false
		}
	}
	return label != ""
}

func (e *CreateError) outcome() string {
	how := "its answer was lost"
	if e.CutShort {
		how = "after the request was cut short"
	}
	label := e.Label
	if !shellSafe(label) {
		label = "'" + strings.ReplaceAll(label, "'", `'\''`) + "'"
	}
	lookFor := fmt.Sprintf("`maketoken list -z %s --label %s` shows it; revoke it with `maketoken revoke -z %s CREATED`", e.Zone, label, e.Zone)
	since := e.Since.UTC().Format(time.RFC3339)
	var s string
	switch {
	case !e.Looked:
		s = fmt.Sprintf("whether Make created it could not be checked (%v): a token labelled %s created after %s is this one: %s", e.LookErr, strconv.Quote(e.Label), since, lookFor)
	case len(e.Revoked) > 0:
		s = fmt.Sprintf("Make had created it anyway (%s); it was revoked again", how)
		if e.Kept != "" {
			return s + " and " + e.Kept + " kept: nothing was changed"
		}
		return s + ", nothing was changed"
	case len(e.Left) == 1:
		s = fmt.Sprintf("Make created it anyway (%s) and it could not be revoked again (%v): revoke it with `maketoken revoke -z %s %s`", how, e.RevokeErr, e.Zone, e.Left[0].Created)
	case len(e.Left) > 1:
		created := make([]string, len(e.Left))
		for i, t := range e.Left {
			created[i] = t.Created
		}
		s = fmt.Sprintf("Make may have created it: %d tokens labelled %s appeared after %s (created %s), and which one is this one cannot be told, so none was revoked: revoke the one nobody holds with `maketoken revoke -z %s CREATED`", len(e.Left), strconv.Quote(e.Label), since, strings.Join(created, ", "), e.Zone)
	case e.Waited:
		s = fmt.Sprintf("whether Make created it is not known: no token labelled %s had appeared by %s, but Make may still make it; one created after %s is this one: %s", strconv.Quote(e.Label), e.LookedAt.UTC().Format(time.RFC3339), since, lookFor)
	default:
		s = "Make did not create it"
		if e.Kept != "" {
			return s + "; " + e.Kept + " was kept, nothing was changed"
		}
		return s + ", nothing was changed"
	}
	if _, at, ok := expiry.Parse(e.Label); ok {
		s += fmt.Sprintf("; `maketoken prune --expired` revokes it after %s", at.Format(time.RFC3339))
	}
	if e.Kept != "" {
		s += "; " + e.Kept + " was kept"
	}
	return s
}

// CheckAnswer checks Make's answer to a create of a token that is used
// on the strength of that answer alone (exec --ephemeral): the label sent
// (when the answer has one) and exactly the scopes asked for, no more, no
// fewer.
func CheckAnswer(tok makeapi.Token, label string, scopes []string) error {
	if tok.Label != "" && tok.Label != label {
		return fmt.Errorf("it is labelled %s", output.Printable(strconv.Quote(tok.Label)))
	}
	if got := SortedScopes(tok.Scopes); !slices.Equal(got, SortedScopes(scopes)) {
		return fmt.Errorf("it has the scopes %s, not %s", output.Printable(strings.Join(got, ",")), strings.Join(SortedScopes(scopes), ","))
	}
	return nil
}
