package cli

import (
	"strings"

	"github.com/maketoken/maketoken/internal/scopes"
)

// missingScopeNote says what a credential cannot do for maketoken, judged
// from its scopes as Make's current-authorization lists them (never from a
// 403 on /users/me, which no scope is documented to gate); "" when it has
// user:read and user:write.
func missingScopeNote(have []string) string {
	missing := scopes.Missing(have, scopes.UserRead, scopes.UserWrite)
	switch len(missing) {
	case 0:
		return ""
	case 2:
		return "the credential lacks the user:read and user:write scopes: it cannot list, create or revoke tokens"
	}
	if missing[0] == scopes.UserRead {
		return "the credential lacks the user:read scope: it cannot list tokens"
	}
	return "the credential lacks the " + strings.Join(missing, ", ") + " scope: it cannot create or revoke tokens"
}
