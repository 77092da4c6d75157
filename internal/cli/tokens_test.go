package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/redact"
	"github.com/maketoken/maketoken/internal/scopecache"
	"github.com/maketoken/maketoken/internal/scopes"
	"github.com/maketoken/maketoken/internal/zones"
)

var listed = []makeapi.Token{
	{Token: "3f2a9c1d-****-****-****-************", Label: "ci", Created: "2024-03-27T05:53:27.360Z"},
	{Token: "3f2b0000-****-****-****-************", Label: "ci", Created: "2024-03-27T05:53:27.361Z"},
	{Token: "77aa0011-****-****-****-************", Label: "laptop", Created: "2024-01-02T00:00:00.000Z"},
}

func createdOf(ts []makeapi.Token) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Created)
	}
	return out
}

func TestSelectTokens(t *testing.T) {
	tests := []struct {
		name string
		sel  tokenSelector
		want []string
	}{
		{"zero selects all", tokenSelector{}, createdOf(listed)},
		{"created exact", tokenSelector{Created: []string{"2024-03-27T05:53:27.360Z"}}, []string{"2024-03-27T05:53:27.360Z"}},
		{"created is not reformatted", tokenSelector{Created: []string{"2024-03-27T05:53:27.36Z"}}, nil},
		{"several created", tokenSelector{Created: []string{"2024-01-02T00:00:00.000Z", "2024-03-27T05:53:27.361Z"}}, []string{"2024-03-27T05:53:27.361Z", "2024-01-02T00:00:00.000Z"}},
		{"label", tokenSelector{Label: "ci"}, []string{"2024-03-27T05:53:27.360Z", "2024-03-27T05:53:27.361Z"}},
		{"label is exact", tokenSelector{Label: "c"}, nil},
		{"prefix", tokenSelector{Prefix: "3f2a9c1d"}, []string{"2024-03-27T05:53:27.360Z"}},
		{"prefix start", tokenSelector{Prefix: "3f2"}, []string{"2024-03-27T05:53:27.360Z", "2024-03-27T05:53:27.361Z"}},
		{"prefix as listed", tokenSelector{Prefix: "77aa0011-****-****"}, []string{"2024-01-02T00:00:00.000Z"}},
		{"prefix upper case", tokenSelector{Prefix: "77AA"}, []string{"2024-01-02T00:00:00.000Z"}},
		{"label and prefix", tokenSelector{Label: "ci", Prefix: "3f2b"}, []string{"2024-03-27T05:53:27.361Z"}},
		{"label and prefix disagree", tokenSelector{Label: "laptop", Prefix: "3f2b"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := createdOf(selectTokens(listed, tt.sel))
			if !slices.Equal(got, tt.want) {
				t.Errorf("selectTokens(%+v) = %q, want %q", tt.sel, got, tt.want)
			}
		})
	}
}

func TestIsCurrent(t *testing.T) {
	secret := "3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e"
	cred := credentials.Credential{Zone: "eu1", Token: secret, Source: credentials.SourceKeyring}
	tests := []struct {
		listed string
		want   bool
	}{
		{"3f2a9c1d-****-****-****-************", true},
		{secret, true},
		{"3f2b0000-****-****-****-************", false},
		{"3f2a9c1d-7b4e-4c1a-9d2e-000000000000", true}, // same first group: the server shows no more
		{"", false},
	}
	for _, tt := range tests {
		if got := isCurrent(makeapi.Token{Token: tt.listed}, cred); got != tt.want {
			t.Errorf("isCurrent(%q) = %v, want %v", tt.listed, got, tt.want)
		}
	}
	if isCurrent(listed[0], credentials.Credential{}) {
		t.Error("a zone without a credential has a current token")
	}
}

func TestNewTokenRecordMasks(t *testing.T) {
	secret := "3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e"
	r := newTokenRecord("eu1", makeapi.Token{Token: secret, Label: "x", Created: "c"}, credentials.Credential{Token: secret})
	if strings.Contains(r.Token, "7b4e") || !strings.HasPrefix(r.Token, "3f2a9c1d-") || !r.Current {
		t.Errorf("record = %+v; want the token masked and current", r)
	}
	if r.Scopes == nil {
		t.Error("scopes are null in JSON; want []")
	}
}

func TestCompareCreated(t *testing.T) {
	ts := []makeapi.Token{{Created: "2024-03-27T05:53:27.4Z"}, {Created: "2024-03-27T05:53:27.360Z"}, {Created: "2023-12-31T23:59:59.999Z"}}
	sortByCreated(ts)
	want := []string{"2023-12-31T23:59:59.999Z", "2024-03-27T05:53:27.360Z", "2024-03-27T05:53:27.4Z"}
	if got := createdOf(ts); !slices.Equal(got, want) {
		t.Errorf("sorted = %q, want %q", got, want)
	}
}

// testFactory is a factory whose environment is env and whose clock is now.
func testFactory(env map[string]string, now *time.Time) *Factory {
	return &Factory{
		Deps: Deps{
			IO:     &IOStreams{Out: new(strings.Builder), ErrOut: new(strings.Builder)},
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

	got, err := zoneScopes(ctx, f, zone, client)
	if err != nil || !slices.Equal(got, []string{"user:read", "user:write", "scenarios:read"}) {
		t.Fatalf("zoneScopes = %q, %v", got, err)
	}
	path := filepath.Join(cache, "maketoken", "scopes-eu1.json")
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("cache file: %v, %v", fi, err)
	}
	if _, err := zoneScopes(ctx, f, zone, client); err != nil || scopeCalls() != 1 {
		t.Fatalf("second call: %v, %d scope requests, want 1", err, scopeCalls())
	}

	// Another URL for the same zone name is another list.
	other := zones.Zone{Name: "eu1", URL: srv.Zone("eu2").URL()}
	if s, ok := cachedScopes(f, other); ok {
		t.Errorf("the cache of %s served %s: %q", zone.URL, other.URL, s)
	}

	// A stale cache is refreshed.
	now = now.Add(scopecache.TTL + time.Minute)
	ez.SetScopes([]string{"user:read"})
	if got, _ := zoneScopes(ctx, f, zone, client); !slices.Equal(got, []string{"user:read"}) || scopeCalls() != 2 {
		t.Fatalf("after an hour: %q, %d scope requests, want a refetch", got, scopeCalls())
	}

	// A damaged cache is a miss.
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := zoneScopes(ctx, f, zone, client); err != nil || scopeCalls() != 3 {
		t.Fatalf("damaged cache: %v, %d scope requests, want 3", err, scopeCalls())
	}

	// A pattern unknown to a cached list is checked against a fresh one
	// once, and then refused.
	ez.SetScopes([]string{"user:read", "teams:read"})
	got, err = expandScopes(ctx, f, zone, client, []string{"teams:*"})
	if err != nil || !slices.Equal(got, []string{"teams:read"}) || scopeCalls() != 4 {
		t.Fatalf("expand with a stale cache = %q, %v, %d scope requests", got, err, scopeCalls())
	}
	_, err = expandScopes(ctx, f, zone, client, []string{"team:read"})
	var ue *scopes.UnknownError
	if !errors.As(err, &ue) || ExitCode(err) != ExitUsage || scopeCalls() != 5 || !strings.Contains(err.Error(), "did you mean teams:read?") {
		t.Fatalf("expand unknown = %v (exit %d), %d scope requests", err, ExitCode(err), scopeCalls())
	}

	// Without a cache folder nothing is cached and nothing fails.
	g := testFactory(map[string]string{}, &now)
	if _, err := zoneScopes(ctx, g, zone, client); err != nil {
		t.Fatal(err)
	}
}
