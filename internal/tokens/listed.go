package tokens

import (
	"slices"
	"time"

	"github.com/maketoken/maketoken/internal/expiry"
	"github.com/maketoken/maketoken/internal/makeapi"
)

// Listed is a listed token as `list -o json` prints it. Token is the
// masked form; Current says it is the credential maketoken uses for the
// zone.
type Listed struct {
	Zone    string   `json:"zone"`
	Label   string   `json:"label"`
	Scopes  []string `json:"scopes"`
	Created string   `json:"created"`
	Token   string   `json:"token"`
	Current bool     `json:"current"`
	// Expires is the end of the lifetime recorded in the label (create
	// --ttl, exec --ephemeral), RFC 3339 in UTC, or null; Expired says it
	// has passed by now (see expiry).
	Expires *string `json:"expires"`
	Expired bool    `json:"expired"`
}

// NewListed describes a listed token of zone as of now (Make's clock);
// secret is the zone's credential (for the current flag). The token is
// masked even if the server showed it in full.
func NewListed(zone string, t makeapi.Token, secret string, now time.Time) Listed {
	sc := slices.Clone(t.Scopes)
	if sc == nil {
		sc = []string{}
	}
	r := Listed{
		Zone:    zone,
		Label:   t.Label,
		Scopes:  sc,
		Created: t.Created,
		Token:   MaskListed(t.Token),
		Current: IsCurrent(t, secret),
	}
	if _, at, ok := expiry.Parse(t.Label); ok {
		s := at.Format(time.RFC3339)
		r.Expires, r.Expired = &s, !at.After(now)
	}
	return r
}
