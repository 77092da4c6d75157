package cli

import (
	"context"
	"errors"
	"github.com/maketoken/maketoken/internal/credentials"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/redact"
	"github.com/maketoken/maketoken/internal/scopecache"
	"github.com/maketoken/maketoken/internal/scopes"
	"github.com/maketoken/maketoken/internal/zones"
)

// testFactory is a factory whose environment is env and whose clock is now.
func testFactory(env map[string]string, now *time.Time) *Factory {
	return &Factory{
		Deps: Deps{
			IO:     &iostreams.IOStreams{Out: new(strings.Builder), ErrOut: new(strings.Builder)},
			Getenv: func(k string) string { return env[k] },
			Now:    func() time.Time { return *now },
		},
		Redactor: redact.New(),
	}
}

func TestZoneScopesCache(t *testing.T) {
	srv := emulator.New(emulator.Options{Zones: []string{"eu1", "eu2"}})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ez := srv.Zone("eu1")
	ez.SetScopes([]string{"user:read", "user:write", "scenarios:read"})

	cache := t.TempDir()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f := testFactory(map[string]string{"XDG_CACHE_HOME": cache, "HOME": t.TempDir()}, &now)
	zone := zones.Zone{Name: "eu1", URL: ez.URL()}
	client, err := makeapi.New(zone.URL, ez.AdminToken(), makeapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	scopeCalls := func() int {
		n := 0
		for _, r := range ez.Requests() {
			if strings.HasSuffix(r.Path, "/enums/user-api-token-scopes") {
				n++
			}
		}
		return n
	}

	got, err := f.ScopeCache().List(ctx, zone.Name, zone.URL, scopesOf(credentials.Target{Zone: zone}, client))
	if err != nil || !slices.Equal(got, []string{"user:read", "user:write", "scenarios:read"}) {
		t.Fatalf("zoneScopes = %q, %v", got, err)
	}
	path := filepath.Join(cache, "maketoken", "scopes-eu1.json")
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("cache file: %v, %v", fi, err)
	}
	if _, err := f.ScopeCache().List(ctx, zone.Name, zone.URL, scopesOf(credentials.Target{Zone: zone}, client)); err != nil || scopeCalls() != 1 {
		t.Fatalf("second call: %v, %d scope requests, want 1", err, scopeCalls())
	}

	// Another URL for the same zone name is another list.
	other := zones.Zone{Name: "eu1", URL: srv.Zone("eu2").URL()}
	if s, ok := f.ScopeCache().Load(other.Name, other.URL); ok {
		t.Errorf("the cache of %s served %s: %q", zone.URL, other.URL, s)
	}

	// A stale cache is refreshed.
	now = now.Add(scopecache.TTL + time.Minute)
	ez.SetScopes([]string{"user:read"})
	if got, _ := f.ScopeCache().List(ctx, zone.Name, zone.URL, scopesOf(credentials.Target{Zone: zone}, client)); !slices.Equal(got, []string{"user:read"}) || scopeCalls() != 2 {
		t.Fatalf("after an hour: %q, %d scope requests, want a refetch", got, scopeCalls())
	}

	// A damaged cache is a miss.
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ScopeCache().List(ctx, zone.Name, zone.URL, scopesOf(credentials.Target{Zone: zone}, client)); err != nil || scopeCalls() != 3 {
		t.Fatalf("damaged cache: %v, %d scope requests, want 3", err, scopeCalls())
	}

	// A pattern unknown to a cached list is checked against a fresh one
	// once, and then refused.
	ez.SetScopes([]string{"user:read", "teams:read"})
	got, err = expandScopes(ctx, f.IO, f.ScopeCache(), credentials.Target{Zone: zone}, client, []string{"teams:*"})
	if err != nil || !slices.Equal(got, []string{"teams:read"}) || scopeCalls() != 4 {
		t.Fatalf("expand with a stale cache = %q, %v, %d scope requests", got, err, scopeCalls())
	}
	_, err = expandScopes(ctx, f.IO, f.ScopeCache(), credentials.Target{Zone: zone}, client, []string{"team:read"})
	var ue *scopes.UnknownError
	if !errors.As(err, &ue) || cmderr.Code(err) != cmderr.Usage || scopeCalls() != 5 || !strings.Contains(err.Error(), "did you mean teams:read?") {
		t.Fatalf("expand unknown = %v (exit %d), %d scope requests", err, cmderr.Code(err), scopeCalls())
	}

	// Without a cache folder nothing is cached and nothing fails.
	g := testFactory(map[string]string{}, &now)
	if _, err := g.ScopeCache().List(ctx, zone.Name, zone.URL, scopesOf(credentials.Target{Zone: zone}, client)); err != nil {
		t.Fatal(err)
	}
}
