package cli

import (
	"slices"
	"time"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/expiry"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/tokens"
)

// tokenRecord is a listed token as `list -o json` prints it. Token is the
// masked form; Current says it is the credential maketoken uses for the
// zone.
type tokenRecord struct {
	Zone    string   `json:"zone"`
	Label   string   `json:"label"`
	Scopes  []string `json:"scopes"`
	Created string   `json:"created"`
	Token   string   `json:"token"`
	Current bool     `json:"current"`
	// Expires is the end of the lifetime recorded in the label (create
	// --ttl, exec --ephemeral), RFC 3339 in UTC, or null; Expired says it
	// has passed (see expiry).
	Expires *string `json:"expires"`
	Expired bool    `json:"expired"`
}

// newTokenRecord describes a listed token of zone; cred is the zone's
// credential (for the current flag). The token is masked even if the
// server showed it in full.
func newTokenRecord(zone string, t makeapi.Token, cred credentials.Credential) tokenRecord {
	sc := slices.Clone(t.Scopes)
	if sc == nil {
		sc = []string{}
	}
	return tokenRecord{
		Zone:    zone,
		Label:   t.Label,
		Scopes:  sc,
		Created: t.Created,
		Token:   tokens.MaskListed(t.Token),
		Current: tokens.IsCurrent(t, cred.Token),
	}
}

// withExpiry fills in the record's expiry from its label, as of now.
func (r tokenRecord) withExpiry(now time.Time) tokenRecord {
	if _, at, ok := expiry.Parse(r.Label); ok {
		s := at.Format(time.RFC3339)
		r.Expires, r.Expired = &s, !at.After(now)
	}
	return r
}
