// Package age parses the ages that `maketoken prune --older-than` takes:
// a whole number and a unit, or several of them ("90d", "12h", "2w", "1y",
// "1w3d").
package age

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/output"
)

// unit returns the length of an age's unit. A year is 365 days and a day
// 24 hours: an age says roughly how old, not a calendar date. Months are
// left out on purpose: "m" would be minutes to some readers and months to
// others; write "30d" instead.
func unit(name string) (time.Duration, bool) {
	switch name {
	case "m":
		return time.Minute, true
	case "h":
		return time.Hour, true
	case "d":
		return 24 * time.Hour, true
	case "w":
		return 7 * 24 * time.Hour, true
	case "y":
		return 365 * 24 * time.Hour, true
	}
	return 0, false
}

// maxLen bounds the input: no real age needs more.
const maxLen = 64

// Error is an age that cannot be parsed. Its message says what was wrong
// and shows the accepted forms.
type Error struct {
	Input  string
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("invalid age %s: %s (use a number and a unit m, h, d, w or y, e.g. 90d, 12h, 2w, 1y, 1w3d)", output.Echo(e.Input), e.Reason)
}

// Parse returns the duration an age stands for. It is one or more groups of
// a decimal whole number and a unit: m (minutes), h (hours), d (days), w
// (weeks) or y (365-day years), e.g. "90d", "12h", "1w3d". Case and
// surrounding white space are ignored, but an upper-case M is refused as
// "mo" is: months to some readers, minutes to others. The result is
// positive and at most math.MaxInt64 nanoseconds (about 292 years); zero,
// negative, fractional or overflowing ages are errors.
func Parse(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if len(in) > maxLen {
		return 0, &Error{Input: in, Reason: "too long"}
	}
	if strings.Contains(in, "M") {
		// Case is ignored, but M is months to some readers.
		return 0, &Error{Input: s, Reason: "M is ambiguous (minutes or months); use m for minutes, or days (30d)"}
	}
	in = strings.ToLower(in)
	if in == "" {
		return 0, &Error{Input: s, Reason: "empty"}
	}
	var total time.Duration
	seen := map[string]bool{}
	for rest := in; rest != ""; {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, &Error{Input: s, Reason: fmt.Sprintf("expected a number at %s", output.Echo(rest))}
		}
		digits := rest[:i]
		rest = rest[i:]
		j := 0
		for j < len(rest) && (rest[j] < '0' || rest[j] > '9') {
			j++
		}
		name := rest[:j]
		rest = rest[j:]
		if name == "" {
			return 0, &Error{Input: s, Reason: fmt.Sprintf("%s has no unit", digits)}
		}
		per, ok := unit(name)
		if !ok {
			reason := fmt.Sprintf("unknown unit %s", output.Echo(name))
			if name == "mo" || name == "month" || name == "months" {
				reason = "months are ambiguous; use days (30d)"
			}
			return 0, &Error{Input: s, Reason: reason}
		}
		if seen[name] {
			return 0, &Error{Input: s, Reason: fmt.Sprintf("unit %s given twice", output.Echo(name))}
		}
		seen[name] = true
		n, ok := parseUint(digits)
		if !ok || n > uint64(math.MaxInt64/int64(per)) {
			return 0, &Error{Input: s, Reason: "too large"}
		}
		d := time.Duration(n) * per
		if total > math.MaxInt64-d {
			return 0, &Error{Input: s, Reason: "too large"}
		}
		total += d
	}
	if total <= 0 {
		return 0, &Error{Input: s, Reason: "must be more than zero"}
	}
	return total, nil
}

// parseUint reads a decimal number of at most 19 significant digits
// without overflowing; false means it has more.
func parseUint(digits string) (uint64, bool) {
	digits = strings.TrimLeft(digits, "0")
	if len(digits) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range []byte(digits) {
		n = n*10 + uint64(c-'0')
	}
	return n, true
}
