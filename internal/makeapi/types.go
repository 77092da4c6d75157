// Package makeapi is a client for the parts of Make's Web API v2 that manage
// API tokens: the current user, the current authorization, and the user's
// API tokens and their scopes.
package makeapi

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/maketoken/maketoken/internal/output"
)

// Text a server sends is kept escaped: every string field of what the
// client returns (labels, created timestamps, scopes, the user's name and
// email, the parts of an APIError) has each control character, escape
// sequence start, bidi control and byte of invalid UTF-8 written as a Go
// escape (output.Escape: ESC as \x1b, CR as \r), so that nothing a server
// says can drive a terminal or a CI log, whoever prints it and however.
// The one exception is kept unexported: a token's created timestamp as
// Make sent it, which DeleteToken sends back byte for byte.

// User is the account a token belongs to.
type User struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

func (u User) escaped() User {
	u.Name, u.Email = output.Escape(u.Name), output.Escape(u.Email)
	return u
}

// Authorization describes the token that made a call.
type Authorization struct {
	AuthUsed string   `json:"authUsed"`
	Scopes   []string `json:"scope"`
}

func (a Authorization) escaped() Authorization {
	a.AuthUsed, a.Scopes = output.Escape(a.AuthUsed), escapeAll(a.Scopes)
	return a
}

// escapeAll escapes every string of a list (a new list; nil stays nil).
func escapeAll(list []string) []string {
	if list == nil {
		return nil
	}
	out := slices.Clone(list)
	for i, s := range out {
		out[i] = output.Escape(s)
	}
	return out
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

// escaped is the token as the client returns it: its text escaped, and
// its created timestamp also kept as Make sent it, for DeleteToken.
func (t Token) escaped() Token {
	return Token{
		Token:   output.Escape(t.Token),
		Scopes:  escapeAll(t.Scopes),
		Created: output.Escape(t.Created),
		Label:   output.Escape(t.Label),
		created: t.Created,
	}
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

// usableSecret reports whether a new token from a create answer can be
// delivered as it is: valid UTF-8 without spaces or any character
// output.IsUnsafe matches. A real one is a UUID.
func usableSecret(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r <= ' ' || output.IsUnsafe(r) {
			return false
		}
	}
	return true
}
