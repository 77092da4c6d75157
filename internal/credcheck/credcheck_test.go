package credcheck

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/zones"
)

// startZone starts an emulator with the zone eu1, until the test ends.
func startZone(t *testing.T) *emulator.Zone {
	t.Helper()
	srv := emulator.New(emulator.Options{Zones: []string{"eu1"}})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv.Zone("eu1")
}

// What status shows for a zone, checked against the emulator: a working
// credential (its user, scopes, age and the expired tokens), one without
// user:read (it works, with a note, no age and no count), and one Make
// refuses (the zone failed).
func TestCheck(t *testing.T) {
	z := startZone(t)
	now := time.Now()
	full := z.AddToken("laptop", []string{"user:read", "user:write"}, now.Add(-72*time.Hour))
	z.AddToken("ci~exp=20200101T000000Z", []string{"scenarios:read"}, now.Add(-100*24*time.Hour))
	writeOnly := z.AddToken("writer", []string{"user:write"}, now.Add(-time.Hour))
	check := func(token string) (Result, error) {
		client, err := makeapi.New(z.URL(), token, makeapi.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return Check(context.Background(), client, credentials.Credential{Zone: "eu1", Token: token, Source: credentials.SourceEnv, EnvVar: "MAKETOKEN_TOKEN_EU1"}, time.Now)
	}

	r, err := check(full.Token)
	switch {
	case err != nil:
		t.Fatalf("a working credential failed: %v", err)
	case r.User == nil || r.Note != "" || strings.Join(r.Scopes, ",") != "user:read,user:write":
		t.Errorf("working credential: %+v", r)
	case r.Created == nil || *r.Created != full.Created || Age(r.Created, now) != "3d":
		t.Errorf("created %v (age %q), want %s, 3d", r.Created, Age(r.Created, now), full.Created)
	case r.Expired == nil || *r.Expired != 1:
		t.Errorf("expired %v, want 1", r.Expired)
	}

	r, err = check(writeOnly.Token)
	if err != nil || r.Note != "the credential lacks the user:read scope: it cannot list tokens" || r.Created != nil || r.Expired != nil {
		t.Errorf("a credential without user:read: %+v, %v", r, err)
	}

	r, err = check("3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e")
	if makeapi.StatusCode(err) != 401 || r.User != nil {
		t.Errorf("a refused credential: %+v, %v", r, err)
	}
	if got := Age(nil, now); got != "" {
		t.Errorf("Age(nil) = %q", got)
	}
}

// Login's check: whom a token belongs to, what it lacks, and Make's
// refusal as it came.
func TestIdentify(t *testing.T) {
	z := startZone(t)
	full := z.AddToken("laptop", []string{"user:read", "user:write"}, time.Time{})
	readOnly := z.AddToken("reader", []string{"user:read"}, time.Time{})
	identify := func(token string) (makeapi.User, string, error) {
		client, err := makeapi.New(z.URL(), token, makeapi.Options{})
		if err != nil {
			t.Fatal(err)
		}
		u, who, have, err := Identify(context.Background(), client)
		if err == nil && !slices.Contains(have, "user:read") {
			t.Errorf("scopes %v: want the token's, with user:read", have)
		}
		return u, who, err
	}
	u, who, err := identify(full.Token)
	if err != nil || u.ID == 0 || !strings.Contains(who, "<"+u.Email+">") || strings.Contains(who, "lacks") || strings.Contains(who, "user:") {
		t.Errorf("full: %+v, %q, %v", u, who, err)
	}
	if _, who, err := identify(readOnly.Token); err != nil || !strings.Contains(who, "user:write") {
		t.Errorf("read only: %q, %v; want a note naming user:write", who, err)
	}
	if _, _, err := identify("3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e"); makeapi.StatusCode(err) != 401 {
		t.Errorf("unknown token: %v, want Make's 401", err)
	}
}

// TestRecord: status's record of a stored account, before Make is asked
// (the account as itself) and after: Make's user, and the stored
// account's check against it (a refusal is the zone's error, the account
// stays shown as itself).
func TestRecord(t *testing.T) {
	z := startZone(t)
	tok := z.AddToken("laptop", []string{"user:read", "user:write"}, time.Now().Add(-time.Hour))
	client, err := makeapi.New(z.URL(), tok.Token, makeapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	acct := &credentials.Account{User: credentials.User{ID: 99, Name: "Ann", Email: "ann@example.com"}}
	cred := credentials.Credential{Zone: "eu1", Token: tok.Token, Source: credentials.SourceKeyring, Store: credentials.KindFile, Account: acct}
	clean := func(s string) string { return strings.ReplaceAll(s, "secret", "***") }

	rec := NewRecord(credentials.Target{Zone: zones.Zone{Name: "eu1", Host: "eu1.make.com"}, Credential: cred}, clean)
	if rec.Zone != "eu1" || rec.Host != "eu1.make.com" || rec.CredentialStore != "file" || rec.Active || rec.User == nil || rec.User.ID != 99 || rec.Scopes == nil || rec.Error != "" {
		t.Errorf("record before asking = %+v", rec)
	}
	if failed := NewRecord(credentials.Target{Credential: credentials.Credential{}, Err: errors.New("a secret moved")}, clean); failed.Error != "a *** moved" || !failed.Active {
		t.Errorf("a target that failed before any request: %+v", failed)
	}

	var asked credentials.User
	refuse := errors.New("Make says another secret user")
	err = CheckRecord(context.Background(), client, cred, time.Now, func(_ context.Context, c credentials.Credential, u credentials.User) error {
		asked = u
		return refuse
	}, clean, &rec)
	if !errors.Is(err, refuse) || rec.OK || rec.Error != "Make says another *** user" || rec.User.ID != 99 || asked.ID == 0 {
		t.Errorf("refused by the account check: %v, %+v (asked %+v)", err, rec, asked)
	}

	rec = NewRecord(credentials.Target{Zone: zones.Zone{Name: "eu1"}, Credential: cred}, clean)
	err = CheckRecord(context.Background(), client, cred, time.Now, func(context.Context, credentials.Credential, credentials.User) error { return nil }, clean, &rec)
	if err != nil || !rec.OK || rec.Error != "" || rec.User == nil || rec.User.ID != asked.ID || rec.CredentialCreated == nil || strings.Join(rec.Scopes, ",") != "user:read,user:write" {
		t.Errorf("a confirmed account: %v, %+v", err, rec)
	}
}

// TestLogin: login's refusals (a token Make rejects, another user's than
// --user's) and a token's own lifetime, on Make's clock.
func TestLogin(t *testing.T) {
	z := startZone(t)
	eu1 := zones.Zone{Name: "eu1", Host: "eu1.make.com"}
	life := z.AddToken("ci~exp=20990101T000000Z", []string{"user:read", "user:write"}, time.Now())
	plain := z.AddToken("laptop", []string{"user:write"}, time.Now())
	login := func(token, asked string) (LoginCheck, error) {
		client, err := makeapi.New(z.URL(), token, makeapi.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return Login(context.Background(), client, eu1, token, asked, time.Now)
	}
	lc, err := login(life.Token, "")
	if err != nil || lc.User.ID == 0 || lc.Label != life.Label || lc.Ends.Year() != 2099 || lc.Now.IsZero() || !strings.Contains(lc.Who, lc.User.Email) {
		t.Errorf("a token with a lifetime: %+v, %v", lc, err)
	}
	if lc, err := login(plain.Token, ""); err != nil || !lc.Ends.IsZero() || lc.Label != "" {
		t.Errorf("a token without user:read: %+v, %v; want no lifetime asked", lc, err)
	}
	if _, err := login(life.Token, lc.User.Email); err != nil {
		t.Errorf("--user the token's own: %v", err)
	}
	if _, err := login(life.Token, "someone@example.com"); cmderr.Code(err) != cmderr.Usage || !strings.Contains(err.Error(), "not someone@example.com (--user); nothing was stored") {
		t.Errorf("--user another: %v (exit %d); want exit 2", err, cmderr.Code(err))
	}
	z.AddFault(emulator.Fault{Method: "GET", Path: "/users/me/api-tokens", Status: 403})
	if lc, err := login(life.Token, ""); err != nil || lc.ListErr == nil || !lc.Ends.IsZero() {
		t.Errorf("a list that fails: %+v, %v; want the login checked and ListErr", lc, err)
	}
	if _, err := login("3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e", ""); cmderr.Code(err) != cmderr.Auth || !strings.Contains(err.Error(), "zone eu1: Make rejected the token (401); nothing was stored") {
		t.Errorf("a rejected token: %v (exit %d); want exit 4", err, cmderr.Code(err))
	}
}

// TestDueForRotation: older than rotate_after by Make's created time, in
// whole days; never with the setting off, an unknown or unreadable time.
func TestDueForRotation(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	created := func(s string) Record { return Record{CredentialCreated: &s} }
	for _, tt := range []struct {
		r     Record
		after time.Duration
		days  int
		due   bool
	}{
		{created("2026-03-01T12:00:00.000Z"), 90 * 24 * time.Hour, 92, true},
		{created("2026-03-03T12:00:00.001Z"), 90 * 24 * time.Hour, 0, false}, // a millisecond short of 90 days
		{created("2026-05-31T00:00:00Z"), 36 * time.Hour, 1, true},
		{created("2026-03-01T12:00:00.000Z"), 0, 0, false},
		{created("2026-03-01T12:00:00.000Z"), -1, 0, false},
		{created("yesterday"), time.Hour, 0, false},
		{Record{}, time.Hour, 0, false},
	} {
		if days, due := tt.r.DueForRotation(now, tt.after); days != tt.days || due != tt.due {
			t.Errorf("%v after %v: %d, %v; want %d, %v", tt.r.CredentialCreated, tt.after, days, due, tt.days, tt.due)
		}
	}
}

// TestIdentifier: the store's question "whose is this token" is answered
// from /users/me with a client the caller makes; a token Make refuses is
// credentials.ErrRejected, a client that cannot be made is its error.
func TestIdentifier(t *testing.T) {
	z := startZone(t)
	u, tok := z.AddUser("Ada Admin", "ada@example.com")
	zone := zones.Zone{Name: "eu1", URL: z.URL()}
	var asked []string
	identify := Identifier(func(zone zones.Zone, token string) (*makeapi.Client, error) {
		asked = append(asked, zone.Name)
		return makeapi.New(zone.URL, token, makeapi.Options{})
	})
	got, err := identify(context.Background(), zone, tok.Token)
	if err != nil || got != (credentials.User{ID: u.ID, Email: "ada@example.com", Name: "Ada Admin"}) || !slices.Equal(asked, []string{"eu1"}) {
		t.Errorf("identify = %+v, %v (asked %v); want %+v", got, err, asked, u)
	}
	if got, err := identify(context.Background(), zone, "00000000-0000-0000-0000-000000000000"); !errors.Is(err, credentials.ErrRejected) || got != (credentials.User{}) {
		t.Errorf("an unknown token: %+v, %v; want ErrRejected", got, err)
	}
	boom := errors.New("no client")
	failing := Identifier(func(zones.Zone, string) (*makeapi.Client, error) { return nil, boom })
	if _, err := failing(context.Background(), zone, tok.Token); !errors.Is(err, boom) {
		t.Errorf("a client that cannot be made: %v", err)
	}
}
