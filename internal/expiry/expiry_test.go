package expiry

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/testkit"
)

func TestLabelAndParse(t *testing.T) {
	at := time.Date(2026, 11, 28, 3, 0, 5, 0, time.UTC)
	got := Label("deploy-bot", at)
	if want := "deploy-bot~exp=20261128T030005Z"; got != want {
		t.Fatalf("Label = %q, want %q", got, want)
	}
	if len(got)-len("deploy-bot") != SuffixLen {
		t.Fatalf("suffix is %d bytes, SuffixLen says %d", len(got)-len("deploy-bot"), SuffixLen)
	}
	base, exp, ok := Parse(got)
	if !ok || base != "deploy-bot" || !exp.Equal(at) || exp.Location() != time.UTC {
		t.Fatalf("Parse(%q) = %q, %v, %v", got, base, exp, ok)
	}
	// Other zones are written in UTC; fractions round up.
	cet := time.FixedZone("CET", 3600)
	if got := Label("x", time.Date(2026, 11, 28, 4, 0, 5, 1, cet)); got != "x~exp=20261128T030006Z" {
		t.Fatalf("Label in CET with a fraction = %q", got)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		label, base string
		at          string // RFC 3339, "" for no expiry
	}{
		{"deploy-bot~exp=20261128T0300Z", "deploy-bot", "2026-11-28T03:00:00Z"},
		{"~exp=20261128T030000Z", "", "2026-11-28T03:00:00Z"},
		{"a~exp=1~exp=20261128T030000Z", "a~exp=1", "2026-11-28T03:00:00Z"},
		{"ci ~ nightly~exp=20240229T235959Z", "ci ~ nightly", "2024-02-29T23:59:59Z"},
		{"deploy-bot", "deploy-bot", ""},
		{"deploy-bot~exp=", "deploy-bot~exp=", ""},
		{"deploy-bot~exp=soon", "deploy-bot~exp=soon", ""},
		{"x~exp=20261328T0300Z", "x~exp=20261328T0300Z", ""},       // month 13
		{"x~exp=20250229T0300Z", "x~exp=20250229T0300Z", ""},       // not a leap year
		{"x~exp=20261128T2400Z", "x~exp=20261128T2400Z", ""},       // hour 24
		{"x~exp=20261128T030060Z", "x~exp=20261128T030060Z", ""},   // second 60
		{"x~exp=20261128T0300z", "x~exp=20261128T0300z", ""},       // lower-case z
		{"x~exp=20261128T0300Z ", "x~exp=20261128T0300Z ", ""},     // trailing space
		{"x~exp=20261128T0300Zx", "x~exp=20261128T0300Zx", ""},     // trailing text
		{"x~exp=20261128T0300Z~y", "x~exp=20261128T0300Z~y", ""},   // suffix not last
		{"x~EXP=20261128T0300Z", "x~EXP=20261128T0300Z", ""},       // marker is exact
		{"x~exp=+0261128T0300Z", "x~exp=+0261128T0300Z", ""},       // sign
		{"x~exp=2026-11-28T03:00Z", "x~exp=2026-11-28T03:00Z", ""}, // extended form
	} {
		base, at, ok := Parse(tc.label)
		if base != tc.base || ok != (tc.at != "") {
			t.Errorf("Parse(%q) = %q, %v, %v; want %q, %v", tc.label, base, at, ok, tc.base, tc.at != "")
			continue
		}
		if ok && at.Format(time.RFC3339) != tc.at {
			t.Errorf("Parse(%q) time = %s, want %s", tc.label, at.Format(time.RFC3339), tc.at)
		}
	}
}

func TestExpired(t *testing.T) {
	now := time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)
	testkit.Answers(t, "Expired", func(label string) bool { return Expired(label, now) }, map[string]bool{
		"a~exp=20261128T025959Z": true,
		"a~exp=20261128T0300Z":   true, // at the instant itself
		"a~exp=20261128T030001Z": false,
		"a":                      false,
		"a~exp=garbage":          false,
	})
}

func TestRenew(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ label, created, want string }{
		// The same lifetime (1h; 30m 0.5s cut to whole seconds), from now.
		{"rel~exp=20200101T0100Z", "2020-01-01T00:00:00.000Z", "rel~exp=20261128T130000Z"},
		{"rel~exp=20200101T003001Z", "2020-01-01T00:00:00.500Z", "rel~exp=20261128T123000Z"},
		// No expiry: left alone.
		{"plain", "2020-01-01T00:00:00.000Z", "plain"},
	} {
		if got, err := Renew(tc.label, tc.created, now); err != nil || got != tc.want {
			t.Errorf("Renew(%q, %q) = %q, %v; want %q", tc.label, tc.created, got, err, tc.want)
		}
	}
	// A lifetime whose length cannot be told: an unreadable creation time,
	// a creation time not before the expiry.
	for _, tc := range []struct{ label, created string }{
		{"rel~exp=20200101T0100Z", "yesterday"},
		{"rel~exp=20200101T0100Z", "2020-01-01T02:00:00.000Z"},
		{"rel~exp=20200101T0100Z", "2020-01-01T01:00:00.000Z"},
	} {
		if got, err := Renew(tc.label, tc.created, now); !errors.Is(err, ErrNoLength) {
			t.Errorf("Renew(%q, %q) = %q, %v; want ErrNoLength", tc.label, tc.created, got, err)
		}
	}
	// Renewing again and again keeps the length to the second.
	label, created := "r~exp=20200101T010000Z", "2020-01-01T00:00:00.900Z"
	for i := range 5 {
		at := now.Add(time.Duration(i)*time.Hour + 900*time.Millisecond)
		var err error
		if label, err = Renew(label, created, at); err != nil {
			t.Fatal(err)
		}
		created = at.Format(time.RFC3339Nano)
	}
	if _, exp, _ := Parse(label); exp.Sub(now.Add(4*time.Hour)) > time.Hour+time.Second {
		t.Errorf("after five renewals the lifetime is %v", exp.Sub(now.Add(4*time.Hour)))
	}
}

func TestCheckBase(t *testing.T) {
	if err := CheckBase("deploy"); err != nil {
		t.Fatal(err)
	}
	if err := CheckBase("deploy~exp=20261128T0300Z"); !errors.Is(err, ErrHasSuffix) {
		t.Fatalf("a label with a suffix: %v", err)
	}
	if err := CheckBase(strings.Repeat("é", MaxBase)); err != nil {
		t.Fatalf("MaxBase characters: %v", err)
	}
	if err := CheckBase(strings.Repeat("a", MaxBase+1)); err == nil {
		t.Fatal("a label one character too long was accepted")
	}
	if got := len(Label(strings.Repeat("a", MaxBase), time.Now())); got != MaxLabel {
		t.Fatalf("the longest base gives a %d-character label, want %d", got, MaxLabel)
	}
}

func TestParseTTL(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"90s": 90 * time.Second, "30m": 30 * time.Minute, "12h": 12 * time.Hour,
		"7d": 7 * 24 * time.Hour, "1w3d": 10 * 24 * time.Hour, "1h30m": 90 * time.Minute,
		"1s": time.Second, "10y": 10 * 365 * 24 * time.Hour,
	} {
		if got, err := ParseTTL(in); err != nil || got != want {
			t.Errorf("ParseTTL(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0s", "-1h", "500ms", "soon", "11y", "3mo"} {
		if d, err := ParseTTL(in); err == nil {
			t.Errorf("ParseTTL(%q) = %v, want an error", in, d)
		}
	}
}

// FuzzParse checks that Parse never panics; that what it accepts is the
// label's own text (base, marker, a stamp of one of the two forms) with a
// UTC time; that Label writes what Parse reads back; and that a label
// without the marker never has an expiry.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"deploy-bot~exp=20261128T0300Z", "a~exp=20261128T030005Z", "~exp=", "x~exp=20261328T0300Z",
		"x~exp=2026112", "plain", "a~exp=1~exp=20240229T2359Z", "\x00~exp=00010101T0000Z",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, label string) {
		base, at, ok := Parse(label)
		if !ok {
			if base != label || !at.IsZero() {
				t.Fatalf("Parse(%q) failed but returned %q, %v", label, base, at)
			}
			return
		}
		if !strings.Contains(label, Marker) {
			t.Fatalf("Parse(%q) found an expiry without the marker", label)
		}
		stamp := strings.TrimPrefix(label, base+Marker)
		if base+Marker+stamp != label || (len(stamp) != 16 && len(stamp) != 14) {
			t.Fatalf("Parse(%q) = base %q, leaving %q", label, base, stamp)
		}
		if at.Location() != time.UTC || at.Nanosecond() != 0 {
			t.Fatalf("Parse(%q) = %v: not a whole UTC second", label, at)
		}
		b2, at2, ok2 := Parse(Label(base, at))
		if !ok2 || b2 != base || !at2.Equal(at) {
			t.Fatalf("Parse(Label(%q, %v)) = %q, %v, %v", base, at, b2, at2, ok2)
		}
	})
}
