package tokens

import (
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/makeapi"
)

func TestNewListedMasks(t *testing.T) {
	secret := "3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e"
	r := NewListed("eu1", makeapi.Token{Token: secret, Label: "x", Created: "c"}, secret, noon)
	if strings.Contains(r.Token, "7b4e") || !strings.HasPrefix(r.Token, "3f2a9c1d-") || !r.Current {
		t.Errorf("record = %+v; want the token masked and current", r)
	}
	if r.Scopes == nil {
		t.Error("scopes are null in JSON; want []")
	}
	if r.Expires != nil || r.Expired {
		t.Errorf("a label without a lifetime: expires %v, expired %v", r.Expires, r.Expired)
	}
}

// TestNewListedExpiry: the lifetime in the label, in UTC, expired from
// the moment it is reached.
func TestNewListedExpiry(t *testing.T) {
	tok := makeapi.Token{Token: "d0000001-****", Label: "d~exp=20240601T1200Z", Created: "2024-05-31T22:00:00.000Z"}
	for _, tt := range []struct {
		now     time.Time
		expired bool
	}{{noon.Add(-time.Second), false}, {noon, true}, {noon.Add(time.Hour), true}} {
		r := NewListed("eu1", tok, "", tt.now)
		if r.Expires == nil || *r.Expires != "2024-06-01T12:00:00Z" || r.Expired != tt.expired || r.Current {
			t.Errorf("at %v: expires %v, expired %v, current %v; want 2024-06-01T12:00:00Z, %v, false", tt.now, r.Expires, r.Expired, r.Current, tt.expired)
		}
	}
}
