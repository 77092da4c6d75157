package tokens

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/expiry"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/testkit"
)

// TestClockFromAnswers: Make's now and the skew come from the zone's
// answers; without one, this machine's clock is all there is.
func TestClockFromAnswers(t *testing.T) {
	z, client := zone(t)
	local := func() time.Time { return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) }
	if now, known := ServerNow(client, local); known || !now.Equal(local()) {
		t.Errorf("before any answer: %v, %v", now, known)
	}
	if err := CheckSkew("eu1", client); err != nil {
		t.Errorf("a skew before any answer: %v", err)
	}
	z.SetClockOffset(-2 * time.Hour)
	if _, err := client.ListTokens(context.Background()); err != nil {
		t.Fatal(err)
	}
	now, known := ServerNow(client, local)
	if d := time.Until(now) + 2*time.Hour; !known || d < -2*time.Second || d > 2*time.Second {
		t.Errorf("Make's now = %v (%v), want two hours behind", now, known)
	}
	var se *SkewError
	if err := CheckSkew("eu1", client); !errors.As(err, &se) || err.Error() != "zone eu1: this machine's clock is 2h0m0s ahead of Make's (more than the 5m0s maketoken allows)" {
		t.Errorf("CheckSkew = %v", err)
	}
	// Within the limit: no error.
	z.SetClockOffset(SkewLimit - 5*time.Second)
	_, _ = client.ListTokens(context.Background())
	if err := CheckSkew("eu1", client); err != nil {
		t.Errorf("within the limit: %v", err)
	}
	z.SetClockOffset(SkewLimit + 5*time.Second)
	_, _ = client.ListTokens(context.Background())
	if err := CheckSkew("eu1", client); err == nil {
		t.Errorf("past the limit: no error")
	}
}

func TestDescribeSkew(t *testing.T) {
	testkit.Answers(t, "DescribeSkew", DescribeSkew, map[time.Duration]string{
		3*time.Hour + 20*time.Second:  "3h0m0s behind",
		-2*time.Hour - 40*time.Second: "2h1m0s ahead of",
		42 * time.Second:              "42s behind",
		-1400 * time.Millisecond:      "1s ahead of",
	})
}

// TestLifetimesOnMakesClock: with Make's clock 3h off this machine's (both
// ways), a lifetime counts from Make's now, a renewal keeps its length, and
// rotating again and again adds nothing.
func TestLifetimesOnMakesClock(t *testing.T) {
	for _, offset := range []time.Duration{3 * time.Hour, -3 * time.Hour} {
		z, client := zone(t)
		z.SetClockOffset(offset)
		if _, err := client.ListTokens(context.Background()); err != nil {
			t.Fatal(err)
		}
		now, _ := ServerNow(client, time.Now)
		label := LifetimeLabel("ci", 2*time.Hour, now)
		tok, err := Create{Client: client, Revoker: Revoker{Client: client, Zone: "eu1"}, Label: label, Scopes: []string{"user:read"}}.Do(context.Background())
		if err != nil {
			t.Fatalf("offset %v: %v", offset, err)
		}
		for range 3 {
			if got := lifetime(t, tok); got < 2*time.Hour-2*time.Second || got > 2*time.Hour+time.Second {
				t.Fatalf("offset %v: the lifetime is %v, want 2h on Make's clock", offset, got)
			}
			now, _ = ServerNow(client, time.Now)
			label, err := RenewLabel(tok, now)
			if err != nil {
				t.Fatal(err)
			}
			if tok, err = (Create{Client: client, Revoker: Revoker{Client: client, Zone: "eu1"}, Label: label, Scopes: []string{"user:read"}}).Do(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// lifetime is a token's expiry minus its creation, both Make's clock.
func lifetime(t *testing.T, tok makeapi.Token) time.Duration {
	t.Helper()
	_, at, ok := expiry.Parse(tok.Label)
	c, err := time.Parse(time.RFC3339Nano, tok.Created)
	if !ok || err != nil {
		t.Fatalf("token %+v has no lifetime", tok)
	}
	return at.Sub(c)
}

func TestRenewLabel(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	if got, err := RenewLabel(makeapi.Token{Label: "plain", Created: "2020-01-01T00:00:00.000Z"}, now); err != nil || got != "plain" {
		t.Errorf("no lifetime: %q, %v", got, err)
	}
	if got, err := RenewLabel(makeapi.Token{Label: "r~exp=20200101T0100Z", Created: "2020-01-01T00:00:00.000Z"}, now); err != nil || got != "r~exp=20261128T130000Z" {
		t.Errorf("an hour: %q, %v", got, err)
	}
	// Never into a lifetime that has passed.
	_, err := RenewLabel(makeapi.Token{Label: "born~exp=20240101T0000Z", Created: "2024-06-01T00:00:00.000Z"}, now)
	var te *Error
	if !errors.Is(err, expiry.ErrNoLength) || !errors.As(err, &te) || !strings.Contains(err.Error(), `"born~exp=20240101T0000Z"`) {
		t.Errorf("a label that was born expired: %v", err)
	}
}

func TestCheckLifetime(t *testing.T) {
	for _, tt := range []struct {
		label, created string
		passed         bool
	}{
		{"a~exp=20261128T120001Z", "2026-11-28T12:00:00.000Z", false},
		{"a~exp=20261128T120000Z", "2026-11-28T12:00:00.000Z", true},
		{"a~exp=20261128T110000Z", "2026-11-28T12:00:00.000Z", true},
		{"plain", "2026-11-28T12:00:00.000Z", false},
		{"a~exp=20261128T110000Z", "unreadable", false},
	} {
		err := CheckLifetime(makeapi.Token{Created: tt.created}, tt.label)
		if errors.Is(err, ErrLifetimePassed) != tt.passed {
			t.Errorf("CheckLifetime(%q, %q) = %v, want passed %v", tt.label, tt.created, err, tt.passed)
		}
	}
}

func TestCredentialLifetime(t *testing.T) {
	const secret = "d0000002-7b4e-4c1a-9d2e-5f6a7b8c9d0e"
	list := []makeapi.Token{
		{Token: "d0000001-7b4e-…", Label: "other~exp=20300101T000000Z"},
		{Token: "d0000002-7b4e-…", Label: "ci~exp=20300101T000000Z"},
	}
	label, at, ok := CredentialLifetime(list, secret)
	if !ok || label != "ci~exp=20300101T000000Z" || !at.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("CredentialLifetime = %q, %v, %v; want the second token's lifetime", label, at, ok)
	}
	list[1].Label = "ci"
	if _, _, ok := CredentialLifetime(list, secret); ok {
		t.Error("a label without a lifetime: ok")
	}
	if _, _, ok := CredentialLifetime(list[:1], secret); ok {
		t.Error("the credential not in the list: ok")
	}
}
