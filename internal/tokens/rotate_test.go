package tokens

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/maketoken/maketoken/internal/expiry"
)

// plan plans a rotation in z with the credential cred.
func plan(t *testing.T, z *emulator.Zone, cred string, req RotationRequest) (*Rotation, error) {
	t.Helper()
	client := clientFor(t, z, cred)
	listed, err := client.ListTokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r, err := PlanRotation(context.Background(), "eu1", client, cred, listed, req, time.Now)
	if r != nil {
		r.Revoker = Revoker{Client: client, Zone: "eu1"}
	}
	return r, err
}

// TestPlanRotation: which tokens a rotation replaces, and the new token's
// label and scopes.
func TestPlanRotation(t *testing.T) {
	z, _ := zone(t)
	admin := z.AdminToken()
	now := time.Now().UTC()
	older := z.AddToken("d~exp="+now.Add(2*time.Hour).Format("20060102T150405Z"), []string{"scenarios:read"}, now.Add(-time.Hour))
	newer := z.AddToken("d~exp="+now.Add(30*time.Minute).Format("20060102T150405Z"), []string{"scenarios:read"}, now.Add(-30*time.Minute))
	z.AddToken("dd", []string{"scenarios:read"}, time.Time{})

	// By label: L and L~exp=TIME; the newest token's lifetime (1h) again
	// from Make's now.
	r, err := plan(t, z, admin, RotationRequest{Label: "d"})
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{r.Old[0].Created, r.Old[1].Created}; !slices.Equal(got, []string{older.Created, newer.Created}) {
		t.Errorf("old = %v, want both d tokens, oldest first", got)
	}
	_, at, ok := expiry.Parse(r.NewLabel)
	if d := time.Until(at) - time.Hour; !ok || d < -3*time.Second || d > 3*time.Second || !strings.HasPrefix(r.NewLabel, "d~exp=") {
		t.Errorf("new label %q: want an hour from now", r.NewLabel)
	}
	if !slices.Equal(r.Scopes, []string{"scenarios:read"}) || r.ReplacesCurrent() {
		t.Errorf("scopes %v, replaces current %v", r.Scopes, r.ReplacesCurrent())
	}

	// Differing scopes without -s: a usage error naming the tokens.
	z.AddToken("mixed", []string{"a:read"}, time.Time{})
	z.AddToken("mixed", []string{"b:read"}, time.Time{})
	_, err = plan(t, z, admin, RotationRequest{Label: "mixed"})
	var differ *ScopesDifferError
	var te *Error
	if !errors.As(err, &differ) || len(differ.Tokens) != 2 || !errors.As(err, &te) || te.Kind != Usage {
		t.Errorf("differing scopes: %v", err)
	}
	if r, err := plan(t, z, admin, RotationRequest{Label: "mixed", Scopes: []string{"b:read", "a:read"}}); err != nil || !slices.Equal(r.Scopes, []string{"a:read", "b:read"}) {
		t.Errorf("with -s: %v", err)
	}

	// Nothing labelled so: no match.
	if _, err := plan(t, z, admin, RotationRequest{Label: "nope"}); !errors.As(err, &te) || te.Kind != NoMatch {
		t.Errorf("no match: %v", err)
	}

	// --self: the credential, with its current scopes, last.
	r, err = plan(t, z, admin, RotationRequest{Self: true})
	if err != nil || len(r.Old) != 1 || r.Old[0].Label != "emulator admin" || !r.ReplacesCurrent() || !slices.Contains(r.Scopes, "user:write") {
		t.Errorf("self: %+v, %v", r, err)
	}
	// A credential that is not listed cannot be rotated.
	gone := z.AddToken("gone", []string{"user:read"}, time.Time{})
	z.AddFault(emulator.Fault{Method: "GET", Path: "/users/me/api-tokens", Body: `{"apiTokens":[]}`, Status: 200, Times: 1})
	if _, err := plan(t, z, gone.Token, RotationRequest{Self: true}); !errors.As(err, &te) || te.Kind != NoMatch {
		t.Errorf("self, not listed: %v", err)
	}
}

// TestPlanRotationRefuses: a rotation that cannot be planned safely is
// refused before anything is made, and one -s scope replaces the old
// token's scopes.
func TestPlanRotationRefuses(t *testing.T) {
	z, _ := zone(t)
	admin := z.AdminToken()
	z.AddToken("one", []string{"scenarios:read", "user:read"}, time.Time{})
	if r, err := plan(t, z, admin, RotationRequest{Label: "one", Scopes: []string{"user:read"}}); err != nil || !slices.Equal(r.Scopes, []string{"user:read"}) {
		t.Errorf("one scope asked for: %+v, %v", r, err)
	}

	// A lifetime whose length cannot be told is not renewed into one that
	// has passed.
	z.AddToken("short~exp=20200101T000000Z", []string{"user:read"}, time.Time{})
	var te *Error
	if r, err := plan(t, z, admin, RotationRequest{Label: "short"}); r != nil || !errors.As(err, &te) || te.Kind != Failed || !strings.Contains(err.Error(), "cannot be renewed") {
		t.Errorf("an expired lifetime: %+v, %v", r, err)
	}

	// --self when Make does not say what the credential is: refused.
	z.AddFault(emulator.Fault{Method: "GET", Path: "/users/me/current-authorization", Status: 403, Times: 1})
	if r, err := plan(t, z, admin, RotationRequest{Self: true}); r != nil || err == nil {
		t.Errorf("self without the credential's scopes: %+v, %v", r, err)
	}

	// --self when two listed tokens start like the credential: which one
	// it is cannot be told.
	group := strings.SplitN(admin, "-", 2)[0]
	z.AddFault(emulator.Fault{Method: "GET", Path: "/users/me/api-tokens", Status: 200, Times: 1, Body: `{"apiTokens":[` +
		`{"token":"` + group + `-****-****-****-************","label":"a","scope":["user:read"],"created":"2026-01-02T03:04:05.000Z"},` +
		`{"token":"` + group + `-****-****-****-************","label":"b","scope":["user:read"],"created":"2026-01-02T03:04:06.000Z"}]}`})
	if r, err := plan(t, z, admin, RotationRequest{Self: true}); r != nil || !errors.As(err, &te) || te.Kind != Failed || !strings.Contains(err.Error(), "2 listed tokens start like the credential") {
		t.Errorf("self, two alike: %+v, %v", r, err)
	}

	if (&Rotation{Current: admin}).ReplacesCurrent() {
		t.Error("a rotation of no tokens replaces the credential")
	}
}

// TestRotationSteps: the steps against the emulator: a check that fails
// revokes the new token and keeps the old; after delivery the old go, the
// credential in use last.
func TestRotationSteps(t *testing.T) {
	z, _ := zone(t)
	cred := z.AddToken("me", []string{"user:read", "user:write"}, time.Time{})
	other := z.AddToken("me", []string{"user:read", "user:write"}, time.Time{})
	r, err := plan(t, z, cred.Token, RotationRequest{Label: "me"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Old[len(r.Old)-1].Created != cred.Created {
		t.Errorf("the credential in use is not last: %v", r.Old)
	}
	ctx := context.Background()
	tok, err := r.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The check is made with the new token: a 500 to it fails the check.
	z.AddFault(emulator.Fault{Method: "GET", Path: "/users/me/current-authorization", Status: 500, Times: 1})
	err = r.Verify(ctx, tok)
	if err == nil || !strings.Contains(err.Error(), "checking the new token (created "+tok.Created+") failed") || !strings.Contains(err.Error(), "revoked again and the old one kept") {
		t.Errorf("Verify = %v", err)
	}
	if z.HasToken(tok.Token) || !z.HasToken(cred.Token) || !z.HasToken(other.Token) {
		t.Error("after a failed check: the new token lives, or an old one is gone")
	}
	tok, err = r.Create(ctx)
	if err != nil || r.Verify(ctx, tok) != nil {
		t.Fatalf("create and check: %v", err)
	}
	again := -1
	if errs := r.RevokeOld(ctx, func(n int) { again = n }); errors.Join(errs...) != nil || again != -1 {
		t.Fatalf("RevokeOld = %v (again %d)", errs, again)
	}
	if z.HasToken(cred.Token) || z.HasToken(other.Token) || !z.HasToken(tok.Token) {
		t.Error("after RevokeOld: an old token lives, or the new one is gone")
	}
	reqs := z.Requests()
	if last := reqs[len(reqs)-1]; !strings.HasSuffix(last.Path, cred.Created) {
		t.Errorf("the credential in use was not revoked last: %s", last.Path)
	}
}
