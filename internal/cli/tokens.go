package cli

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/expiry"
	"github.com/maketoken/maketoken/internal/makeapi"
)

// Helpers shared by the commands that list and pick tokens: list, revoke,
// rotate, prune and the completions.

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
		Token:   maskListed(t.Token),
		Current: isCurrent(t, cred),
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

// maskListed returns the form of a listed token that may be shown: as the
// server sent it when it is already masked, else masked by maketoken.
func maskListed(token string) string {
	if strings.ContainsAny(token, "*•") {
		return token
	}
	return makeapi.Mask(token)
}

// isCurrent reports whether the listed token is the credential maketoken
// uses for the zone: the whole token if the server shows it, else its
// visible first group.
func isCurrent(listed makeapi.Token, cred credentials.Credential) bool {
	return makeapi.Matches(listed.Token, cred.Token)
}

// tokenSelector picks tokens of a zone. Every field that is set must
// match; a zero selector matches every token.
type tokenSelector struct {
	// Created are exact `created` timestamps, compared byte for byte.
	Created []string
	// Label is an exact label.
	Label string
	// Prefix is the start of the token's visible first group (a masked
	// tail such as "-****-..." is ignored).
	Prefix string
}

// IsZero reports whether the selector names nothing.
func (s tokenSelector) IsZero() bool {
	return len(s.Created) == 0 && s.Label == "" && s.Prefix == ""
}

// matches reports whether t fits every criterion of the selector.
func (s tokenSelector) matches(t makeapi.Token) bool {
	if len(s.Created) > 0 && !slices.Contains(s.Created, t.Created) {
		return false
	}
	if s.Label != "" && t.Label != s.Label {
		return false
	}
	if s.Prefix != "" {
		want := strings.ToLower(makeapi.Prefix(s.Prefix))
		if want == "" || !strings.HasPrefix(strings.ToLower(makeapi.Prefix(t.Token)), want) {
			return false
		}
	}
	return true
}

// selectTokens returns the tokens that sel matches, in their order.
func selectTokens(tokens []makeapi.Token, sel tokenSelector) []makeapi.Token {
	var out []makeapi.Token
	for _, t := range tokens {
		if sel.matches(t) {
			out = append(out, t)
		}
	}
	return out
}

// compareCreated orders two `created` timestamps by time when both parse,
// else as text.
func compareCreated(a, b string) int {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	if errA == nil && errB == nil {
		return cmp.Or(ta.Compare(tb), strings.Compare(a, b))
	}
	return strings.Compare(a, b)
}

// sortByCreated sorts tokens oldest first.
func sortByCreated(tokens []makeapi.Token) {
	slices.SortStableFunc(tokens, func(a, b makeapi.Token) int { return compareCreated(a.Created, b.Created) })
}
