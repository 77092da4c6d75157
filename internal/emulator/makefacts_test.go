package emulator_test

import (
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/apicontract"
	"github.com/maketoken/maketoken/internal/emulator"
)

// Today's facts about Make (shared/spec/make-api.md), one by one.

func TestAdministrationScopes(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	// Any user of a cloud zone may put an administration scope on a token...
	tok := e.create(e.z, e.z.AdminToken(), "admin scopes", "admin:read", "user:read")
	// ...but using it answers 403 unless the user is an administrator.
	r := e.do(e.z, "GET", "/admin/users", tok.Token, "")
	if r.status != 403 || r.apiError(t).Code != "SC403" || !strings.Contains(string(r.body), "administrator") {
		t.Errorf("non-administrator: %d %s", r.status, r.body)
	}
	e.z.SetAdministrator(true)
	if r := e.do(e.z, "GET", "/admin/users", tok.Token, ""); r.status != 200 {
		t.Errorf("administrator: %d %s", r.status, r.body)
	}
	// Without the scope even an administrator is refused.
	plain := e.z.AddToken("plain", []string{"user:read"}, time.Time{})
	if r := e.do(e.z, "GET", "/admin/users", plain.Token, ""); r.status != 403 {
		t.Errorf("no admin:read: %d", r.status)
	}
	// The control API turns it back.
	if r := e.control(e.z, "POST", "/_emulator/settings", `{"administrator":false}`); r.status != 200 {
		t.Fatalf("settings: %d %s", r.status, r.body)
	}
	if r := e.do(e.z, "GET", "/admin/users", tok.Token, ""); r.status != 403 {
		t.Errorf("after administrator:false: %d", r.status)
	}
}

func TestUnauthorizedBodies(t *testing.T) {
	e := newEnv(t, emulator.Options{UnauthorizedBody: emulator.UnauthorizedEmpty})
	const bogus = "00000000-0000-4000-8000-000000000000"
	if r := e.do(e.z, "GET", "/users/me", bogus, ""); r.status != 401 || len(r.body) != 0 {
		t.Errorf("empty: %d %q", r.status, r.body)
	}
	e.z.SetUnauthorizedBody(emulator.UnauthorizedText)
	if r := e.do(e.z, "GET", "/users/me", bogus, ""); r.status != 401 || string(r.body) != "Unauthorized" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Errorf("text: %d %v %q", r.status, r.header, r.body)
	}
	if r := e.control(e.z, "POST", "/_emulator/settings", `{"unauthorizedBody":"json"}`); r.status != 200 {
		t.Fatalf("settings: %d %s", r.status, r.body)
	}
	if r := e.do(e.z, "GET", "/users/me", bogus, ""); r.status != 401 || r.apiError(t).Code == "" {
		t.Errorf("json: %d %s", r.status, r.body)
	}
	if r := e.control(e.z, "POST", "/_emulator/settings", `{"unauthorizedBody":"html"}`); r.status != 400 {
		t.Errorf("unknown body kind: %d", r.status)
	}
}

func TestFreePlan(t *testing.T) {
	clock := newFakeClock(time.Date(2024, 3, 27, 12, 0, 0, 0, time.UTC))
	e := newEnv(t, emulator.Options{Now: clock.Now})
	if r := e.control(e.z, "POST", "/_emulator/settings", `{"plan":"free"}`); r.status != 200 || !strings.Contains(string(r.body), `"rateLimit":30`) {
		t.Fatalf("plan: %d %s", r.status, r.body)
	}
	for i := range 30 {
		if r := e.do(e.z, "GET", "/users/me", e.z.AdminToken(), ""); r.status != 200 {
			t.Fatalf("request %d: %d", i+1, r.status)
		}
	}
	if r := e.do(e.z, "GET", "/users/me", e.z.AdminToken(), ""); r.status != 429 {
		t.Errorf("31st request: %d", r.status)
	}
	if r := e.control(e.z, "POST", "/_emulator/settings", `{"plan":"gold"}`); r.status != 400 {
		t.Errorf("unknown plan: %d", r.status)
	}
}

// TestContractToday holds the answers that changed today to Make's
// contract: plain-text 429s, SC400 with suberrors (also []), /users/me
// without user:read, the full authUser, newest-first lists.
func TestContractToday(t *testing.T) {
	clock := newFakeClock(at360)
	e := newEnv(t, emulator.Options{Now: clock.Now})
	e.client.Transport = apicontract.Transport(t, e.contract, e.client.Transport)
	admin := e.z.AdminToken()
	writer := e.z.AddToken("writer", []string{"user:write"}, time.Time{})
	if r := e.do(e.z, "GET", "/users/me", writer.Token, ""); r.status != 200 || !strings.Contains(string(r.body), `"timezoneId"`) {
		t.Errorf("/users/me: %d %s", r.status, r.body)
	}
	for _, body := range []string{`{"label":"x","scope":["no:such"]}`, `{"label":"x","scope":["user:read","nope:write"]}`} {
		r := e.do(e.z, "POST", "/users/me/api-tokens", admin, body)
		if r.status != 400 || r.apiError(t).Code != "SC400" {
			t.Errorf("%s: %d %s", body, r.status, r.body)
		}
	}
	clock.Add(time.Second)
	e.create(e.z, admin, "newer", "user:read")
	if l := e.list(e.z, admin); len(l) != 3 || l[0].Label != "newer" {
		t.Errorf("list not newest first: %+v", l)
	}
	e.z.SetRateLimit(1, false)
	e.do(e.z, "GET", "/users/me", admin, "")
	if r := e.do(e.z, "GET", "/users/me", admin, ""); r.status != 429 || r.header.Get("Retry-After") != "" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Errorf("429: %d %v %s", r.status, r.header, r.body)
	}
}
