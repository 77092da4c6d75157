package tokens

import "github.com/maketoken/maketoken/internal/makeapi"

// Revocation is one token's revocation as revoke and prune print it.
type Revocation struct {
	Zone    string `json:"zone"`
	Label   string `json:"label"`
	Created string `json:"created"`
	Revoked bool   `json:"revoked"`
	Error   string `json:"error,omitempty"`
	// Why is Error without the zone and the token, which a table's other
	// columns show; "" if Error has no such form.
	Why string `json:"-"`
}

// Revocations are the records of tokens of zone about to be revoked (none
// revoked yet), in order.
func Revocations(zone string, list []makeapi.Token) []Revocation {
	out := make([]Revocation, len(list))
	for i, t := range list {
		out[i] = Revocation{Zone: zone, Label: t.Label, Created: t.Created}
	}
	return out
}

// CountRevoked counts the records of revoked tokens.
func CountRevoked(records []Revocation) int {
	n := 0
	for _, r := range records {
		if r.Revoked {
			n++
		}
	}
	return n
}
