package scopes

import (
	"slices"
	"strings"
)

// The scopes maketoken's own calls need (make-api.md): listing tokens
// needs user:read; creating and deleting them user:write. /users/me,
// current-authorization and the scope list need none.
const (
	UserRead  = "user:read"
	UserWrite = "user:write"
)

// CommandNeed is what a maketoken command needs from a zone's credential.
type CommandNeed struct {
	Command string
	Scopes  []string
}

// CommandNeeds lists, for each command that calls Make with the zone's
// credential, the scopes that credential needs.
func CommandNeeds() []CommandNeed {
	return []CommandNeed{
		{"status", nil},
		{"scopes", nil},
		{"list", []string{UserRead}},
		{"create", []string{UserWrite}},
		{"revoke", []string{UserRead, UserWrite}},
		{"rotate", []string{UserRead, UserWrite}},
		{"prune", []string{UserRead, UserWrite}},
		{"logout --revoke", []string{UserRead, UserWrite}},
	}
}

// Missing returns the scopes of need that have lacks, in need's order.
func Missing(have []string, need ...string) []string {
	var out []string
	for _, n := range need {
		if !slices.Contains(have, n) {
			out = append(out, n)
		}
	}
	return out
}

// MissingNote says what a credential cannot do for maketoken, judged from
// its scopes as Make's current-authorization lists them (never from a 403
// on /users/me, which no scope is documented to gate); "" when it has
// user:read and user:write.
func MissingNote(have []string) string {
	missing := Missing(have, UserRead, UserWrite)
	switch len(missing) {
	case 0:
		return ""
	case 2:
		return "the credential lacks the user:read and user:write scopes: it cannot list, create or revoke tokens"
	}
	if missing[0] == UserRead {
		return "the credential lacks the user:read scope: it cannot list tokens"
	}
	return "the credential lacks the " + strings.Join(missing, ", ") + " scope: it cannot create or revoke tokens"
}
