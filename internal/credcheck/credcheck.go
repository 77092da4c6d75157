// Package credcheck asks Make about a zone's credential, as `status`
// shows it: whom it belongs to, its scopes, when it was created (the listed
// token that is the credential), and how many of the zone's tokens have
// outlived their lifetime -- three requests at once -- and decides what
// the answers mean: which failure makes the zone fail, and what is not
// right about a credential that works.
package credcheck

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/scopes"
	"github.com/maketoken/maketoken/internal/tokens"
	"github.com/maketoken/maketoken/internal/zones"
)

// Result is what Make said about a credential.
type Result struct {
	// User is whom it belongs to; nil when Make did not say.
	User *makeapi.User
	// Scopes are its scopes (current-authorization), never nil.
	Scopes []string
	// Created is the `created` of the listed token that is the
	// credential; nil when it cannot be seen (the credential lacks
	// user:read, or no listed token, or several, match it).
	Created *string
	// Expired counts the zone's tokens whose lifetime has passed on
	// Make's clock; nil if the tokens could not be listed.
	Expired *int
	// Note says what is not right about a credential that works: scopes
	// maketoken needs, a user Make did not name. "" when all is well.
	Note string
}

// Check asks Make about cred with client. An error (worded by cmderr.API)
// means the zone failed: the credential was refused, the scopes or the
// user could not be read, or the zone answered from another origin or not
// at all; the Result still holds what was learned.
func Check(ctx context.Context, client *makeapi.Client, cred credentials.Credential, now func() time.Time) (Result, error) {
	var (
		wg               sync.WaitGroup
		user             makeapi.User
		auth             makeapi.Authorization
		list             []makeapi.Token
		uerr, aerr, lerr error
	)
	wg.Add(3)
	go func() { defer wg.Done(); user, uerr = client.Me(ctx) }()
	go func() { defer wg.Done(); auth, aerr = client.CurrentAuthorization(ctx) }()
	go func() { defer wg.Done(); list, lerr = client.ListTokens(ctx) }()
	wg.Wait()
	r := Result{Scopes: []string{}}
	if lerr == nil {
		// Lifetimes count on Make's clock, as its answers show it.
		serverNow, _ := tokens.ServerNow(client, now)
		n := len(tokens.Selector{ExpiredAt: serverNow}.Select(list).Tokens)
		r.Expired = &n
		r.Created = created(list, cred)
	}
	if aerr == nil {
		r.Scopes = append(r.Scopes, auth.Scopes...)
	}
	if uerr == nil {
		r.User = &user
	}
	// The scopes come from current-authorization; /users/me needs none,
	// so a 403 there says nothing about them.
	switch {
	case aerr != nil:
		return r, cmderr.API(cred, aerr, "")
	case uerr != nil && makeapi.StatusCode(uerr) != 403:
		return r, cmderr.API(cred, uerr, "")
	case lerr != nil && makeapi.StatusCode(lerr) != 403:
		// The list is only for the count of expired tokens and the age,
		// but a zone that answers it from another origin, or not at all,
		// is not "ok" either.
		return r, cmderr.API(cred, lerr, scopes.UserRead)
	}
	switch note := scopes.MissingNote(auth.Scopes); {
	case note != "":
		r.Note = note
	case uerr != nil:
		r.Note = "Make did not say whom the credential belongs to (403 on /users/me)"
	}
	return r, nil
}

// created is the `created` of the listed token that is the credential, or
// nil if none (or several) match.
func created(list []makeapi.Token, cred credentials.Credential) *string {
	t, n := tokens.FindCurrent(list, cred.Token)
	if n != 1 {
		return nil
	}
	return &t.Created
}

// Age is a credential's age in days as a table shows it ("95d", "<1d"),
// empty when unknown.
func Age(created *string, now time.Time) string {
	if created == nil {
		return ""
	}
	ts, err := time.Parse(time.RFC3339Nano, *created)
	if err != nil {
		return ""
	}
	days := int(now.Sub(ts).Hours() / 24)
	if days < 1 {
		return "<1d"
	}
	return strconv.Itoa(days) + "d"
}

// Identify checks a token with Make (login's check) and says whom it belongs to and,
// from the token's scopes as current-authorization lists them, what it
// cannot do, with the scopes themselves. /users/me needs no scope: a 403 there leaves the user unnamed
// but says nothing about the token's scopes.
func Identify(ctx context.Context, c *makeapi.Client) (makeapi.User, string, []string, error) {
	auth, err := c.CurrentAuthorization(ctx)
	if err != nil {
		return makeapi.User{}, "", nil, err
	}
	who := "a user Make did not name (403 on /users/me)"
	u, err := c.Me(ctx)
	switch {
	case err == nil:
		who = output.Printable(fmt.Sprintf("%s <%s>", u.Name, u.Email))
	case makeapi.StatusCode(err) != 403:
		return makeapi.User{}, "", nil, err
	}
	if note := scopes.MissingNote(auth.Scopes); note != "" {
		who += " (" + note + ")"
	}
	return u, who, auth.Scopes, nil
}

// User is whom a credential belongs to, as a Record shows it.
type User struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Record is one credential checked, as `status -o json` prints it.
type Record struct {
	Zone             string `json:"zone"`
	Host             string `json:"host"`
	CredentialSource string `json:"credentialSource"` // env, keyring, file or none
	// CredentialVariable names the variable when the source is env.
	CredentialVariable string `json:"credentialVariable"`
	// CredentialStore names the store of a stored credential
	// (secret-service, keychain, wincred, kernel, file); "" otherwise.
	CredentialStore string `json:"credentialStore"`
	// CredentialCreated is when the credential was created, from the
	// listed token that matches it; null when it cannot be seen (the
	// credential lacks user:read, or no listed token matches it).
	CredentialCreated *string `json:"credentialCreated"`
	OK                bool    `json:"ok"`
	// Active: the zone's active account (always, for a credential from
	// the environment: it is the one used).
	Active bool     `json:"active"`
	User   *User    `json:"user"`
	Scopes []string `json:"scopes"`
	Error  string   `json:"error,omitempty"`
	// ExpiredTokens counts the zone's tokens whose lifetime (create
	// --ttl) has passed; null if the tokens could not be listed.
	ExpiredTokens *int `json:"expiredTokens"`
}

// NewRecord is the record of t before Make is asked: where its credential
// comes from and, for a stored account, the account as itself, whatever
// Make will say. A target that failed before any request (t.Err) has its
// error, cleaned by clean (the redactor), in the record.
func NewRecord(t credentials.Target, clean func(string) string) Record {
	c := t.Credential
	r := Record{Zone: t.Zone.Name, Host: t.Zone.Host, CredentialSource: string(c.Source),
		CredentialVariable: c.EnvVar, CredentialStore: string(c.Store), Scopes: []string{}, Active: true}
	if a := c.Account; a != nil {
		r.Active = a.Active
		r.User = &User{ID: a.ID, Name: a.Name, Email: a.Email}
	}
	if t.Err != nil {
		r.Error = clean(t.Err.Error())
	}
	return r
}

// DueForRotation says whether the record's credential is older than after
// (the rotate_after setting; 0 or less: never) by now, and its age in
// whole days.
func (r Record) DueForRotation(now time.Time, after time.Duration) (days int, due bool) {
	if after <= 0 || r.CredentialCreated == nil {
		return 0, false
	}
	ts, err := time.Parse(time.RFC3339Nano, *r.CredentialCreated)
	if err != nil || now.Sub(ts) < after {
		return 0, false
	}
	return int(now.Sub(ts).Hours() / 24), true
}

// CheckRecord asks Make about cred with client (see Check) and fills in
// rec. Make's answer of who it is is checked against the account the
// credential is stored for (confirm: credentials.Store.ConfirmUser, nil
// when the store cannot be opened, with storeErr): a stored account stays
// shown as itself when Make names another, and that is the zone's error.
// Errors reach the record cleaned by clean.
func CheckRecord(ctx context.Context, client *makeapi.Client, cred credentials.Credential, now func() time.Time,
	confirm func(context.Context, credentials.Credential, credentials.User) error, clean func(string) string, rec *Record) error {
	r, err := Check(ctx, client, cred, now)
	rec.Scopes, rec.ExpiredTokens, rec.CredentialCreated = r.Scopes, r.Expired, r.Created
	if r.User != nil && cred.Account != nil {
		if cerr := confirm(ctx, cred, credentials.User{ID: r.User.ID, Email: r.User.Email, Name: r.User.Name}); cerr != nil {
			rec.Error = clean(cerr.Error())
			return cerr
		}
	}
	if r.User != nil {
		rec.User = &User{ID: r.User.ID, Name: r.User.Name, Email: r.User.Email}
	}
	if err != nil {
		rec.Error = clean(err.Error())
		return err
	}
	rec.OK, rec.Error = true, r.Note
	return nil
}

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

// Identifier is how the credential store asks Make whose a token is (see
// credentials.Options.Identify): /users/me with a client of the zone
// made by client; a 401 there is credentials.ErrRejected.
func Identifier(client func(zones.Zone, string) (*makeapi.Client, error)) credentials.Identify {
	return func(ctx context.Context, zone zones.Zone, token string) (credentials.User, error) {
		c, err := client(zone, token)
		if err != nil {
			return credentials.User{}, err
		}
		u, err := c.Me(ctx)
		if makeapi.StatusCode(err) == 401 {
			return credentials.User{}, fmt.Errorf("%w: %w", credentials.ErrRejected, err)
		}
		if err != nil {
			return credentials.User{}, err
		}
		return credentials.User{ID: u.ID, Email: u.Email, Name: u.Name}, nil
	}
}
