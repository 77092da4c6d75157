// Package expiry records a token's lifetime in its label, where Make keeps
// it and every machine can read it: the label "deploy-bot" of a token that
// expires on 28 November 2026 at 03:00:05 UTC becomes
//
//	deploy-bot~exp=20261128T030005Z
//
// The suffix is "~exp=" and a UTC time in ISO 8601's basic form, to the
// second (YYYYMMDDThhmmssZ) or to the minute (YYYYMMDDThhmmZ, which
// people may write by hand). It is ASCII, has no space or character a
// shell or a URL treats specially, and adds 21 characters to the label.
// Make documents no label limit; maketoken keeps whole labels to 200
// characters (MaxBase leaves room for the suffix).
//
// Only a label that ends in exactly such a suffix has an expiry: anything
// else ("~exp=soon", "~exp=20261328T0000Z", a suffix in the middle) is an
// ordinary label, so that `prune --expired` never revokes a token on the
// strength of a label it only half understands.
package expiry

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/age"
	"github.com/maketoken/maketoken/internal/output"
)

// Marker starts the suffix.
const Marker = "~exp="

const (
	layoutSeconds = "20060102T150405Z"
	layoutMinutes = "20060102T1504Z"
)

// SuffixLen is the length of the suffix Label writes.
const SuffixLen = len(Marker) + len(layoutSeconds)

// MaxLabel is the longest whole label maketoken writes, in characters.
const MaxLabel = 200

// MaxBase is the longest label that can still take a suffix.
const MaxBase = MaxLabel - SuffixLen

// Label returns base with the expiry at appended, in UTC and to the second
// (a fraction of a second is rounded up, so the token lives at least as
// long as asked).
func Label(base string, at time.Time) string {
	if at.Truncate(time.Second) != at {
		at = at.Truncate(time.Second).Add(time.Second)
	}
	return base + Marker + at.UTC().Format(layoutSeconds)
}

// Parse splits a label into its base and expiry. ok is false when the label
// does not end in a valid expiry suffix; base is then the whole label.
func Parse(label string) (base string, at time.Time, ok bool) {
	i := strings.LastIndex(label, Marker)
	if i < 0 {
		return label, time.Time{}, false
	}
	stamp := label[i+len(Marker):]
	var layout string
	switch len(stamp) {
	case len(layoutSeconds):
		layout = layoutSeconds
	case len(layoutMinutes):
		layout = layoutMinutes
	default:
		return label, time.Time{}, false
	}
	t, err := time.Parse(layout, stamp)
	// time.Parse accepts what the layout's digits allow; insist on the
	// exact text too (no "+0000" trickery, no signs), so that a label has
	// one meaning.
	if err != nil || t.Format(layout) != stamp {
		return label, time.Time{}, false
	}
	return label[:i], t.UTC(), true
}

// Expired reports whether the label carries an expiry that is not after now.
func Expired(label string, now time.Time) bool {
	_, at, ok := Parse(label)
	return ok && !at.After(now)
}

// Renew returns the label for a token that replaces one with this label
// and creation time (RFC 3339, as Make lists it), made at now: the same
// length of lifetime again, from now. The length is the expiry minus the
// creation time, both on Make's clock, so now must be Make's too: then a
// renewal never adds a difference between two clocks. A label without an
// expiry is returned as it is. When the length cannot be told (the
// creation time cannot be read, or is not before the expiry) there is no
// lifetime to renew: ErrNoLength.
func Renew(label, created string, now time.Time) (string, error) {
	base, at, ok := Parse(label)
	if !ok {
		return label, nil
	}
	c, err := time.Parse(time.RFC3339Nano, created)
	if err != nil || !c.Before(at) {
		return "", ErrNoLength
	}
	// Whole seconds, as the label records them: a renewal does not grow
	// the lifetime by the fraction Label rounds up.
	return Label(base, now.Add(at.Sub(c).Truncate(time.Second))), nil
}

// ErrNoLength is returned by Renew for a lifetime whose length cannot be
// told from the label and the token's creation time.
var ErrNoLength = errors.New("its label's expiry is not after its creation time")

// ErrHasSuffix is returned by CheckBase for a label that already carries
// an expiry.
var ErrHasSuffix = errors.New("the label already ends with an expiry (" + Marker + "...); give the label without it")

// CheckBase checks that a label can take an expiry suffix: not one of its
// own already, and short enough for the whole to fit MaxLabel characters.
func CheckBase(base string) error {
	if _, _, ok := Parse(base); ok {
		return ErrHasSuffix
	}
	if n := len([]rune(base)); n > MaxBase {
		return fmt.Errorf("the label is %d characters long; with a lifetime at most %d are allowed (the expiry adds %d)", n, MaxBase, SuffixLen)
	}
	return nil
}

// MinTTL and MaxTTL bound a lifetime.
const (
	MinTTL = time.Second
	MaxTTL = 10 * 365 * 24 * time.Hour
)

// ParseTTL reads a lifetime: an age as `prune --older-than` takes it (30m,
// 12h, 7d, 2w, 1y, 1w3d) or a Go duration (90s, 1h30m). It is between
// MinTTL and MaxTTL.
func ParseTTL(s string) (time.Duration, error) {
	d, err := age.Parse(s)
	if err != nil {
		gd, gerr := time.ParseDuration(strings.TrimSpace(s))
		if gerr != nil {
			return 0, fmt.Errorf("invalid lifetime %s: use a number and a unit, e.g. 90s, 30m, 12h, 7d, 2w", output.Echo(s))
		}
		d = gd
	}
	switch {
	case d < MinTTL:
		return 0, fmt.Errorf("invalid lifetime %s: at least 1s", output.Echo(s))
	case d > MaxTTL:
		return 0, fmt.Errorf("invalid lifetime %s: at most 10 years", output.Echo(s))
	}
	return d, nil
}
