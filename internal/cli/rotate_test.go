package cli

import (
	"context"
	"testing"
	"time"

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

	// Revoked by someone else first: Make's 404 means it is gone.
	gone := z.AddToken("ci", []string{"user:read"}, time.Time{})
	if err := client.DeleteToken(ctx, gone.Created); err != nil {
		t.Fatal(err)
	}
	if err := deleteToken(ctx, client, gone.Created); err != nil {
		t.Errorf("deleting a token that is already gone: %v", err)
	}

	// A 404 for a token that is still listed is a failure.
	kept := z.AddToken("ci", []string{"user:read"}, time.Time{})
	z.AddFault(emulator.Fault{Method: "DELETE", Path: "/users/me/api-tokens/" + kept.Created, Status: 404})
	if err := deleteToken(ctx, client, kept.Created); makeapi.StatusCode(err) != 404 {
		t.Errorf("deleting a token Make hides with 404: err = %v, want the 404", err)
	}
	if !z.HasToken(kept.Token) {
		t.Error("the hidden token is gone")
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
