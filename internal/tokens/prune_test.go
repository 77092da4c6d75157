package tokens

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestPrunePlan: a prune picks by age or lifetime on Make's clock, spares
// the credential in use, and with Expired refuses a clock far off Make's.
func TestPrunePlan(t *testing.T) {
	z, _ := zone(t)
	admin := z.AdminToken()
	now := time.Now().UTC()
	old := z.AddToken("ci", []string{"scenarios:read"}, now.Add(-48*time.Hour))
	z.AddToken("ci", []string{"scenarios:read"}, now.Add(-time.Hour))
	gone := z.AddToken("d~exp="+now.Add(-time.Minute).Format("20060102T150405Z"), []string{"scenarios:read"}, now.Add(-2*time.Hour))
	z.AddToken("d~exp="+now.Add(time.Hour).Format("20060102T150405Z"), []string{"scenarios:read"}, now.Add(-2*time.Hour))
	cur := z.AddToken("laptop", []string{"user:read", "user:write"}, now.Add(-72*time.Hour))
	client := clientFor(t, z, admin)
	plan := func(p Prune) Selection {
		t.Helper()
		sel, err := p.Plan(context.Background(), "eu1", client, cur.Token, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		return sel
	}
	created := func(sel Selection) []string {
		var out []string
		for _, tok := range sel.Tokens {
			out = append(out, tok.Created)
		}
		return out
	}

	if got := created(plan(Prune{MaxAge: 24 * time.Hour, Label: "ci"})); len(got) != 1 || got[0] != old.Created {
		t.Errorf("older than 24h labelled ci: %v, want the 48h-old one", got)
	}
	if got := created(plan(Prune{Expired: true})); len(got) != 1 || got[0] != gone.Created {
		t.Errorf("expired: %v, want the one whose lifetime passed", got)
	}
	// The credential in use is old enough too: spared, and named.
	if sel := plan(Prune{MaxAge: 30 * time.Minute}); len(sel.Spared) != 1 || !IsCurrent(sel.Spared[0], cur.Token) || len(sel.Tokens) != 4 {
		t.Errorf("everything: %d picked, spared %v", len(sel.Tokens), sel.Spared)
	}

	// Make's clock 2h behind this machine's: ages count from Make's now
	// (there the 1h-old token is not yet made 30m before now); a lifetime
	// is refused.
	z.SetClockOffset(-2 * time.Hour)
	if got := created(plan(Prune{MaxAge: 30 * time.Minute, Label: "ci"})); len(got) != 1 || got[0] != old.Created {
		t.Errorf("skewed, by age: %v, want the 48h-old one alone", got)
	}
	var skew *SkewError
	if _, err := (Prune{Expired: true}).Plan(context.Background(), "eu1", client, cur.Token, time.Now); !errors.As(err, &skew) {
		t.Errorf("skewed, expired: %v, want a *SkewError", err)
	}
}
