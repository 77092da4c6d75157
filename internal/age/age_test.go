package age

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const day = 24 * time.Hour

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"90d", 90 * day},
		{"12h", 12 * time.Hour},
		{"2w", 14 * day},
		{"1y", 365 * day},
		{"30m", 30 * time.Minute},
		{"1w3d", 10 * day},
		{"1y2w3d4h5m", 365*day + 14*day + 3*day + 4*time.Hour + 5*time.Minute},
		{" 7D ", 7 * day},
		{"007d", 7 * day},
		{"0d1h", time.Hour},
		{"292y", 292 * 365 * day},
	} {
		got, err := Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, reason string }{
		{"", "empty"},
		{"   ", "empty"},
		{"90", "has no unit"},
		{"d", "expected a number"},
		{"-1d", "expected a number"},
		{"1.5d", "unknown unit"},
		{"0d", "more than zero"},
		{"3mo", "months are ambiguous"},
		{"6M", "M is ambiguous"},
		{"1w6M", "M is ambiguous"},
		{"1MO", "M is ambiguous"},
		{"1s", "unknown unit"},
		{"1d1d", "given twice"},
		{"1d 2h", "unknown unit"},
		{"293y", "too large"},
		{"99999999999999999999d", "too large"},
		{"106751d23h47m", ""}, // just fits
		{"106751d23h48m", "too large"},
		{strings.Repeat("1", 100) + "d", "too long"},
	} {
		_, err := Parse(tc.in)
		if tc.reason == "" {
			if err != nil {
				t.Errorf("Parse(%q): %v", tc.in, err)
			}
			continue
		}
		var ae *Error
		if !errors.As(err, &ae) {
			t.Errorf("Parse(%q) error = %v, want *Error", tc.in, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.reason) || !strings.Contains(err.Error(), "e.g. 90d") {
			t.Errorf("Parse(%q) error = %q, want it to say %q and show examples", tc.in, err, tc.reason)
		}
	}
}

// FuzzParse checks that Parse never panics, that what it accepts is a
// positive whole number of minutes, that case (but for the ambiguous M)
// and surrounding space do not matter, and that its errors are *Error.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"90d", "12h", "2w", "1y", "1w3d", "0d", "3mo", "-1d", "99999999999999999999y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			var ae *Error
			if !errors.As(err, &ae) {
				t.Fatalf("Parse(%q): error %T is not *Error", s, err)
			}
			if d != 0 {
				t.Fatalf("Parse(%q) returned %v with an error", s, d)
			}
			return
		}
		if d <= 0 || d%time.Minute != 0 {
			t.Fatalf("Parse(%q) = %v: not a positive whole number of minutes", s, d)
		}
		if d2, err := Parse(" " + strings.ReplaceAll(strings.ToUpper(s), "M", "m") + "\t"); err != nil || d2 != d {
			t.Fatalf("Parse(upper(%q)) = %v, %v; want %v", s, d2, err, d)
		}
	})
}
