package cli

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/maketoken/maketoken/internal/makeapi"
)

func TestDeleteTokenCountsAGoneTokenAsRevoked(t *testing.T) {
	srv := emulator.New(emulator.Options{Zones: []string{"eu1"}})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	z := srv.Zone("eu1")
	client, err := makeapi.New(z.URL(), z.AdminToken(), makeapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var notes bytes.Buffer
	rv := revoker{client: client, zone: "eu1", errOut: &notes}

	// Revoked by someone else first: Make's 404 means it is gone.
	gone := z.AddToken("ci", []string{"user:read"}, time.Time{})
	if err := client.DeleteToken(ctx, makeapi.Token{Created: gone.Created}); err != nil {
		t.Fatal(err)
	}
	if err := rv.revokeOne(ctx, makeapi.Token{Label: "ci", Created: gone.Created}); err != nil {
		t.Errorf("deleting a token that is already gone: %v", err)
	}
	if want := `zone eu1: the token "ci" (created ` + gone.Created + `) was already revoked`; !strings.Contains(notes.String(), want) {
		t.Errorf("no note that the token was already revoked: %q", notes.String())
	}
	notes.Reset()

	// A 404 for a token that is still listed is a failure.
	kept := z.AddToken("ci", []string{"user:read"}, time.Time{})
	z.AddFault(emulator.Fault{Method: "DELETE", Path: "/users/me/api-tokens/" + kept.Created, Status: 404})
	if err := rv.revokeOne(ctx, makeapi.Token{Label: "ci", Created: kept.Created}); makeapi.StatusCode(err) != 404 {
		t.Errorf("deleting a token Make hides with 404: err = %v, want the 404", err)
	}
	if notes.Len() > 0 {
		t.Errorf("a token still listed was reported gone: %q", notes.String())
	}
	if !z.HasToken(kept.Token) {
		t.Error("the hidden token is gone")
	}
}

// TestRevokeCredentialLast: the credential in use is revoked after all the
// others, whatever its place in the list, and every token is counted.
func TestRevokeCredentialLast(t *testing.T) {
	srv := emulator.New(emulator.Options{Zones: []string{"eu1"}})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	z := srv.Zone("eu1")
	cred := z.AddToken("me", []string{"user:read", "user:write"}, time.Time{})
	var tokens []makeapi.Token
	tokens = append(tokens, makeapi.Token{Token: cred.Token, Label: cred.Label, Created: cred.Created})
	for range 6 {
		o := z.AddToken("other", []string{"user:read"}, time.Time{})
		tokens = append(tokens, makeapi.Token{Token: o.Token, Label: o.Label, Created: o.Created})
	}
	client, err := makeapi.New(z.URL(), cred.Token, makeapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var done atomic.Int64
	rv := revoker{client: client, zone: "eu1", errOut: &bytes.Buffer{}, onDone: func(error) { done.Add(1) }}
	for i, err := range rv.revoke(context.Background(), tokens, credentials.Credential{Token: cred.Token}) {
		if err != nil {
			t.Errorf("token %d: %v", i, err)
		}
	}
	if int(done.Load()) != len(tokens) {
		t.Errorf("progress hook called %d times, want %d", done.Load(), len(tokens))
	}
	reqs := z.Requests()
	if last := reqs[len(reqs)-1]; last.Method != http.MethodDelete || !strings.HasSuffix(last.Path, cred.Created) {
		t.Errorf("last request %s %s, want the DELETE of the credential in use", last.Method, last.Path)
	}
}

func TestCreatedSince(t *testing.T) {
	start := time.Date(2024, 3, 27, 5, 53, 27, 0, time.UTC)
	for created, want := range map[string]bool{
		"2024-03-27T05:53:27.368Z": true,
		"2024-03-27T05:53:27.000Z": true,
		"2024-03-27T05:53:26.999Z": false,
		"not a time":               true,
	} {
		if got := createdSince(created, start); got != want {
			t.Errorf("createdSince(%q) = %v, want %v", created, got, want)
		}
	}
}

func TestSortedScopes(t *testing.T) {
	got := sortedScopes([]string{"b", "a", "b"})
	if len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("sortedScopes = %v", got)
	}
	if got := sortedScopes(nil); got == nil || len(got) != 0 {
		t.Errorf("sortedScopes(nil) = %#v, want an empty slice", got)
	}
}
