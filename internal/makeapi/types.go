// Package makeapi is a client for the parts of Make's Web API v2 that manage
// API tokens: the current user, the current authorization, and the user's
// API tokens and their scopes.
package makeapi

import "strings"

// User is the account a token belongs to.
type User struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Authorization describes the token that made a call.
type Authorization struct {
	AuthUsed string   `json:"authUsed"`
	Scopes   []string `json:"scope"`
}

// Token is an API token as Make describes it. In a list, Token is masked
// (only its first group is visible); in a create response it is the secret.
//
// Created identifies the token. It is opaque: DeleteToken sends it back to
// Make byte for byte as Make sent it, never parsed and re-formatted.
type Token struct {
	Token   string   `json:"token"`
	Scopes  []string `json:"scope"`
	Created string   `json:"created"`
	Label   string   `json:"label"`
	// created is Created exactly as Make sent it, for DeleteToken; ""
	// in a Token made by hand, which is then identified by Created.
	created string
}

// id is what identifies the token to Make: created as Make sent it.
func (t Token) id() string {
	if t.created != "" {
		return t.created
	}
	return t.Created
}

// Prefix is the visible first group of a token ("3f2a9c1d" of
// "3f2a9c1d-****-..."), the part by which a listed token is recognised.
// A token without dashes has no separate prefix: the whole visible value is
// returned, with masking characters removed from its end.
func Prefix(token string) string {
	if i := strings.IndexByte(token, '-'); i >= 0 {
		return token[:i]
	}
	return strings.TrimRight(token, "*•x·.")
}

// Matches reports whether a listed (masked or full) token is the secret one.
// It compares the whole value when the list shows it in full, else the
// visible first group, which must be long enough to mean something.
func Matches(listed, secret string) bool {
	if listed == "" || secret == "" {
		return false
	}
	if listed == secret {
		return true
	}
	p := Prefix(listed)
	if len(p) < 6 || strings.ContainsAny(p, "*") {
		return false
	}
	if !strings.Contains(listed, "-") {
		// A token without dashes: the list shows its beginning.
		return strings.HasPrefix(secret, p)
	}
	return Prefix(secret) == p
}

// Mask returns the form of a token that is safe to show: its first group,
// with every other character except dashes replaced by '*'.
func Mask(token string) string {
	p := Prefix(token)
	if len(p) >= len(token) {
		if len(token) <= 8 {
			return strings.Repeat("*", len(token))
		}
		return token[:8] + strings.Repeat("*", len(token)-8)
	}
	var b strings.Builder
	b.WriteString(p)
	for _, r := range token[len(p):] {
		if r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('*')
		}
	}
	return b.String()
}
