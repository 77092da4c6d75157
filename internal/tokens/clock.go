package tokens

import (
	"errors"
	"fmt"
	"time"

	"github.com/maketoken/maketoken/internal/expiry"
	"github.com/maketoken/maketoken/internal/makeapi"
)

// SkewLimit is how far this machine's clock may be from Make's: past it,
// create --ttl and exec --ephemeral warn, prune --expired refuses, and
// doctor reports a problem.
const SkewLimit = 5 * time.Minute

// ServerNow is Make's clock now, as the zone's answers to client showed
// it; known is false when none had a Date, and now is then this machine's
// clock (local).
func ServerNow(client *makeapi.Client, local func() time.Time) (now time.Time, known bool) {
	if t, ok := client.ServerNow(); ok {
		return t, true
	}
	return local(), false
}

// SkewError says that this machine's clock is more than SkewLimit off a
// zone's.
type SkewError struct {
	Zone string
	// Skew is how far Make's clock is ahead of this machine's (negative:
	// behind).
	Skew time.Duration
}

func (e *SkewError) Error() string {
	return fmt.Sprintf("zone %s: this machine's clock is %s Make's (more than the %s maketoken allows)", e.Zone, DescribeSkew(e.Skew), SkewLimit)
}

// DescribeSkew says how this machine's clock stands to Make's, given how
// far Make's is ahead: "2h0m0s ahead of", "10m0s behind". Past a minute it
// is rounded to the minute (a Date header has whole seconds).
func DescribeSkew(skew time.Duration) string {
	d := max(skew, -skew)
	if d >= time.Minute {
		d = d.Round(time.Minute)
	} else {
		d = d.Round(time.Second)
	}
	if skew > 0 {
		return d.String() + " behind"
	}
	return d.String() + " ahead of"
}

// CheckSkew returns a *SkewError when the zone's answers to client show
// its clock more than SkewLimit off this machine's, else nil (also when no
// answer had a Date).
func CheckSkew(zone string, client *makeapi.Client) error {
	skew, ok := client.ClockSkew()
	if !ok || max(skew, -skew) <= SkewLimit {
		return nil
	}
	return &SkewError{Zone: zone, Skew: skew}
}

// LifetimeLabel is base with a lifetime of ttl from now, which is Make's
// clock when known (see ServerNow).
func LifetimeLabel(base string, ttl time.Duration, now time.Time) string {
	return expiry.Label(base, now.Add(ttl))
}

// RenewLabel is the label of the token that replaces old, made at now
// (Make's clock, see ServerNow): old's label with the same length of
// lifetime from now (see expiry.Renew), or as it is without one. A
// lifetime whose length cannot be told is not renewed into one that has
// passed: that is an error (Kind Failed).
func RenewLabel(old makeapi.Token, now time.Time) (string, error) {
	label, err := expiry.Renew(old.Label, old.Created, now)
	if err != nil {
		return "", &Error{Kind: Failed, Err: fmt.Errorf("the token %q (created %s) has a lifetime that cannot be renewed: %w", old.Label, old.Created, err)}
	}
	return label, nil
}

// ErrLifetimePassed is a token made with a lifetime that had passed on
// Make's clock when Make made it.
var ErrLifetimePassed = errors.New("its lifetime had already passed on Make's clock when Make made it")

// CheckLifetime checks a token just made with the label sent: a lifetime
// in it must not have passed by its `created`, Make's clock. (It can when
// the label was made on this machine's clock, no answer having shown
// Make's yet.)
func CheckLifetime(tok makeapi.Token, label string) error {
	_, at, ok := expiry.Parse(label)
	c, err := time.Parse(time.RFC3339Nano, tok.Created)
	if ok && err == nil && !c.Before(at) {
		return ErrLifetimePassed
	}
	return nil
}

// CredentialLifetime finds the credential in use (secret) among a zone's
// listed tokens (FindCurrent) and says when its lifetime ends: ok is false
// when the list does not tell which token it is or its label records no
// lifetime. Such a credential is revoked by the first `prune --expired`
// after that time, wherever it runs.
func CredentialLifetime(list []makeapi.Token, secret string) (label string, at time.Time, ok bool) {
	t, n := FindCurrent(list, secret)
	if n != 1 {
		return "", time.Time{}, false
	}
	_, at, ok = expiry.Parse(t.Label)
	return t.Label, at, ok
}
