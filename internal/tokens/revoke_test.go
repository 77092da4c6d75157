package tokens

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/maketoken/maketoken/internal/makeapi"
)

// zone starts an emulated zone and returns it with a client that uses its
// admin token.
func zone(t *testing.T) (*emulator.Zone, *makeapi.Client) {
	t.Helper()
	srv := emulator.New(emulator.Options{Zones: []string{"eu1"}})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	z := srv.Zone("eu1")
	return z, clientFor(t, z, z.AdminToken())
}

func clientFor(t *testing.T, z *emulator.Zone, token string) *makeapi.Client {
	t.Helper()
	c, err := makeapi.New(z.URL(), token, makeapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func listed(tok emulator.Token) makeapi.Token {
	return makeapi.Token{Token: tok.Token, Label: tok.Label, Created: tok.Created, Scopes: tok.Scopes}
}

// TestRevokeOne404Rule: a 404 counts as revoked only when a fresh list no
// longer has the token.
func TestRevokeOne404Rule(t *testing.T) {
	z, client := zone(t)
	ctx := context.Background()
	var gone []string
	rv := Revoker{Client: client, Zone: "eu1", Gone: func(t makeapi.Token) { gone = append(gone, t.Created) }}

	// Revoked by someone else first: Make's 404 means it is gone.
	first := z.AddToken("ci", []string{"user:read"}, time.Time{})
	if err := client.DeleteToken(ctx, listed(first)); err != nil {
		t.Fatal(err)
	}
	if err := rv.RevokeOne(ctx, listed(first)); err != nil {
		t.Errorf("revoking a token that is already gone: %v", err)
	}
	if len(gone) != 1 || gone[0] != first.Created {
		t.Errorf("Gone was told %q, want the token", gone)
	}

	// A 404 for a token that is still listed is a failure.
	kept := z.AddToken("ci", []string{"user:read"}, time.Time{})
	z.AddFault(emulator.Fault{Method: "DELETE", Path: "/users/me/api-tokens/" + kept.Created, Status: 404})
	if err := rv.RevokeOne(ctx, listed(kept)); makeapi.StatusCode(err) != 404 {
		t.Errorf("revoking a token Make hides with 404: err = %v, want the 404", err)
	}
	if len(gone) != 1 || !z.HasToken(kept.Token) {
		t.Errorf("a token still listed counted as gone (%q), or is gone", gone)
	}
	// And so is a 404 when the fresh list fails.
	z.AddFault(emulator.Fault{Method: "GET", Path: "/users/me/api-tokens", Status: 500})
	if err := rv.RevokeOne(ctx, listed(kept)); makeapi.StatusCode(err) != 404 {
		t.Errorf("a 404 whose list failed: %v", err)
	}
}

// TestRevokeCredentialLast: the credential in use is revoked after all the
// others, whatever its place in the list; never more than Concurrency at
// once; every token is counted.
func TestRevokeCredentialLast(t *testing.T) {
	z, _ := zone(t)
	cred := z.AddToken("me", []string{"user:read", "user:write"}, time.Time{})
	list := []makeapi.Token{listed(cred)}
	for range 9 {
		list = append(list, listed(z.AddToken("other", []string{"user:read"}, time.Time{})))
	}
	// Every delete waits a little, so that the ones in flight overlap.
	z.AddFault(emulator.Fault{Method: "DELETE", Path: "/users/me/api-tokens/*", Delay: 30 * time.Millisecond})
	var done atomic.Int64
	var mu sync.Mutex
	inFlight, most := 0, 0
	rv := Revoker{Client: clientFor(t, z, cred.Token), Zone: "eu1", Done: func(error) { done.Add(1) }}
	rv.Client = makeapiWithHook(t, z, cred.Token, func(start bool) {
		mu.Lock()
		defer mu.Unlock()
		if start {
			inFlight++
			most = max(most, inFlight)
		} else {
			inFlight--
		}
	})
	for i, err := range rv.Revoke(context.Background(), list, cred.Token) {
		if err != nil {
			t.Errorf("token %d: %v", i, err)
		}
	}
	if int(done.Load()) != len(list) {
		t.Errorf("progress hook called %d times, want %d", done.Load(), len(list))
	}
	if most > Concurrency || most < 2 {
		t.Errorf("%d deletes ran at once, want 2 to %d", most, Concurrency)
	}
	reqs := z.Requests()
	if last := reqs[len(reqs)-1]; last.Method != http.MethodDelete || !strings.HasSuffix(last.Path, cred.Created) {
		t.Errorf("last request %s %s, want the DELETE of the credential in use", last.Method, last.Path)
	}
	if len(z.Tokens()) != 1 {
		t.Errorf("%d tokens left, want the admin token only", len(z.Tokens()))
	}
}

// hookTransport tells hook when a request starts and ends.
type hookTransport struct {
	base http.RoundTripper
	hook func(start bool)
}

func (h hookTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	h.hook(true)
	defer h.hook(false)
	return h.base.RoundTrip(r)
}

func makeapiWithHook(t *testing.T, z *emulator.Zone, token string, hook func(bool)) *makeapi.Client {
	t.Helper()
	hc := makeapi.NewHTTPClient(hookTransport{base: http.DefaultTransport, hook: hook}, 0)
	c, err := makeapi.New(z.URL(), token, makeapi.Options{HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRevokeFinishing: deletes cut short by the end of the command's
// context are done again in a clean-up context.
func TestRevokeFinishing(t *testing.T) {
	z, client := zone(t)
	old := []makeapi.Token{listed(z.AddToken("old", nil, time.Time{})), listed(z.AddToken("old", nil, time.Time{}))}
	z.AddFault(emulator.Fault{Method: "DELETE", Path: "/users/me/api-tokens/*", Delay: 300 * time.Millisecond, Times: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	again := 0
	errs := Revoker{Client: client, Zone: "eu1"}.RevokeFinishing(ctx, old, "", func(n int) { again = n })
	if again != 2 || errors.Join(errs...) != nil {
		t.Fatalf("again %d, errors %v", again, errs)
	}
	if len(z.Tokens()) != 1 {
		t.Errorf("the old tokens are still there: %v", z.Tokens())
	}
}

// TestUndo: a token nobody received is revoked again; the error keeps its
// cause and says what became of the token.
func TestUndo(t *testing.T) {
	z, client := zone(t)
	rv := Revoker{Client: client, Zone: "eu1"}
	cause := errors.New("zone eu1: writing the token to f: disk full")
	tok := listed(z.AddToken("new", nil, time.Time{}))
	// A context that has ended already: the undo runs all the same.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := rv.Undo(ctx, tok, cause, "the old one")
	if !errors.Is(err, cause) || !strings.HasSuffix(err.Error(), "the new token was revoked again and the old one kept: nothing was changed") {
		t.Errorf("Undo = %v", err)
	}
	if z.HasToken(tok.Token) {
		t.Error("the token is still there")
	}
	// A token that cannot be revoked is named, with the command to do it.
	stuck := listed(z.AddToken("stuck", nil, time.Time{}))
	z.AddFault(emulator.Fault{Method: "DELETE", Status: 500})
	err = rv.Undo(context.Background(), stuck, cause, "")
	if want := "could not be revoked again"; !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "`maketoken revoke -z eu1 "+stuck.Created+"`") || strings.Contains(err.Error(), "kept") {
		t.Errorf("Undo of a stuck token = %v", err)
	}
	if err = rv.Undo(context.Background(), stuck, cause, "the old one"); !strings.HasSuffix(err.Error(), "`maketoken revoke -z eu1 "+stuck.Created+"`; the old one was kept") {
		t.Errorf("Undo of a stuck token, the old one kept = %v", err)
	}
}

// TestRevokeFinishingOne: a single delete cut short is done again too;
// when none was cut short (the context ended after the last delete),
// nothing is done again, nor said to be.
func TestRevokeFinishingOne(t *testing.T) {
	z, client := zone(t)
	old := []makeapi.Token{listed(z.AddToken("old", nil, time.Time{}))}
	z.AddFault(emulator.Fault{Method: "DELETE", Path: "/users/me/api-tokens/*", Delay: 300 * time.Millisecond, Times: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	again := 0
	errs := Revoker{Client: client, Zone: "eu1"}.RevokeFinishing(ctx, old, "", func(n int) { again = n })
	if again != 1 || errors.Join(errs...) != nil || z.HasToken(old[0].Token) {
		t.Fatalf("again %d, errors %v, the old token lives: %v", again, errs, z.HasToken(old[0].Token))
	}

	old = []makeapi.Token{listed(z.AddToken("old", nil, time.Time{}))}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	again = -1
	rv := Revoker{Client: client, Zone: "eu1", Done: func(error) { cancel() }}
	errs = rv.RevokeFinishing(ctx, old, "", func(n int) { again = n })
	if again != -1 || errors.Join(errs...) != nil || z.HasToken(old[0].Token) {
		t.Errorf("nothing cut short: again %d, errors %v", again, errs)
	}
}

// TestCleanupContext: the clean-up outlives the command's context, by
// CleanupTimeout, which docs/security.md gives as 10 seconds.
func TestCleanupContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cctx, ccancel := CleanupContext(ctx)
	defer ccancel()
	if cctx.Err() != nil {
		t.Fatal("the clean-up context ended with the command's")
	}
	deadline, ok := cctx.Deadline()
	if left := time.Until(deadline); !ok || left > 10*time.Second || left < 9*time.Second+500*time.Millisecond {
		t.Errorf("the clean-up has %v, want 10s", left)
	}
}
