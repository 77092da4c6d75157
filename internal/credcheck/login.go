package credcheck

import (
	"context"
	"fmt"
	"time"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/scopes"
	"github.com/maketoken/maketoken/internal/tokens"
	"github.com/maketoken/maketoken/internal/zones"
)

// LoginCheck is what login learned of a token before storing it.
type LoginCheck struct {
	// User is whom the token belongs to; Who names them for a person,
	// with what the token cannot do (see Identify).
	User credentials.User
	Who  string
	// Label and Ends are the token's lifetime, when its label carries
	// one (Ends is zero otherwise); Now is Make's clock as the list was
	// answered.
	Label     string
	Ends, Now time.Time
	// ListErr is why the zone's tokens could not be listed to look for
	// that lifetime (worded by cmderr.API); the token is fine all the same.
	ListErr error
}

// Login checks a token for login in zone: Make must accept it (401: exit
// 4), name its user (a token of nobody cannot be kept apart from other
// users' credentials: exit 5), and with asked (--user) be that user's
// (exit 2); every refusal says nothing was stored. A token that may list
// tokens is asked for its own lifetime, which the first `prune
// --expired` after it ends; a list that fails does not fail the login
// (ListErr).
func Login(ctx context.Context, client *makeapi.Client, zone zones.Zone, token, asked string, local func() time.Time) (LoginCheck, error) {
	user, who, have, err := Identify(ctx, client)
	if err != nil {
		if makeapi.StatusCode(err) == 401 {
			return LoginCheck{}, &cmderr.Error{Code: cmderr.Auth, Err: fmt.Errorf("zone %s: Make rejected the token (401); nothing was stored. Check that the token belongs to zone %s (%s) and was not revoked", zone.Name, zone.Name, zone.Host)}
		}
		return LoginCheck{}, cmderr.API(credentials.Credential{Zone: zone.Name}, err, "user:read")
	}
	if user.ID == 0 {
		return LoginCheck{}, &cmderr.Error{Code: cmderr.Permission, Err: fmt.Errorf("zone %s: Make did not say whom the token belongs to (403 on /users/me), and maketoken keeps each user's credential apart; nothing was stored", zone.Name)}
	}
	lc := LoginCheck{User: credentials.User{ID: user.ID, Email: user.Email, Name: user.Name}, Who: who}
	if asked != "" && !(credentials.Account{User: lc.User}).Matches(asked) {
		return LoginCheck{}, cmderr.Usagef("zone %s: the token belongs to %s, not %s (--user); nothing was stored", zone.Name, output.Printable(user.Email), output.Printable(asked))
	}
	if len(scopes.Missing(have, scopes.UserRead)) == 0 {
		list, err := client.ListTokens(ctx)
		if err != nil {
			lc.ListErr = cmderr.API(credentials.Credential{Zone: zone.Name}, err, scopes.UserRead)
		} else if label, at, ok := tokens.CredentialLifetime(list, token); ok {
			lc.Label, lc.Ends = label, at
			lc.Now, _ = tokens.ServerNow(client, local)
		}
	}
	return lc, nil
}
