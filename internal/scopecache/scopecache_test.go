package scopecache

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/scopes"
)

func TestCache(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := Cache{Dir: t.TempDir(), Now: func() time.Time { return now }}
	if _, ok := c.Load("eu1", "https://eu1.make.com/api/v2"); ok {
		t.Fatal("an empty cache answered")
	}
	c.Save("eu1", "https://eu1.make.com/api/v2", []string{"user:read", "user:write"})
	if got, ok := c.Load("eu1", "https://eu1.make.com/api/v2"); !ok || !slices.Equal(got, []string{"user:read", "user:write"}) {
		t.Errorf("Load = %v, %v", got, ok)
	}
	if _, ok := c.Load("eu1", "https://other.example/api/v2"); ok {
		t.Error("a list cached for another URL was used")
	}
	if _, ok := c.Load("us1", "https://eu1.make.com/api/v2"); ok {
		t.Error("a list cached for another zone was used")
	}
	c.Save("us2", "u", []string{"user:read", "evil\x1b[2J"})
	if _, ok := c.Load("us2", "u"); ok {
		t.Error("a list holding a raw control character was used")
	}
	now = now.Add(TTL + time.Second)
	if _, ok := c.Load("eu1", "https://eu1.make.com/api/v2"); ok {
		t.Error("a list older than TTL was used")
	}
	// No cache folder: nothing is cached, nothing fails.
	none := Cache{Now: c.Now}
	none.Save("eu1", "u", []string{"a"})
	if _, ok := none.Load("eu1", "u"); ok {
		t.Error("a cache without a folder answered")
	}
}

// A pattern the cached list does not know makes Expand ask the zone once
// more (it may have gained a scope); a known one costs no request.
func TestExpandAsksAgainForAnUnknownPattern(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := Cache{Dir: t.TempDir(), Now: func() time.Time { return now }}
	zone := []string{"user:read", "user:write", "scenarios:read"}
	asked := 0
	fetch := func(context.Context) ([]string, error) { asked++; return zone, nil }
	c.Save("eu1", "u", []string{"user:read", "user:write"})

	got, _, err := c.Expand(context.Background(), "eu1", "u", fetch, []string{"user:*"})
	if err != nil || !slices.Equal(got, []string{"user:read", "user:write"}) || asked != 0 {
		t.Fatalf("Expand(user:*) = %v, %v after %d requests; want the cached list, no request", got, err, asked)
	}
	got, _, err = c.Expand(context.Background(), "eu1", "u", fetch, []string{"scenarios:read"})
	if err != nil || !slices.Equal(got, []string{"scenarios:read"}) || asked != 1 {
		t.Fatalf("Expand(scenarios:read) = %v, %v after %d requests; want one request", got, err, asked)
	}
	if l, ok := c.Load("eu1", "u"); !ok || !slices.Equal(l, zone) {
		t.Errorf("the cache holds %v, want the zone's new list", l)
	}
	_, _, err = c.Expand(context.Background(), "eu1", "u", fetch, []string{"nope:read"})
	if !errors.As(err, new(*scopes.UnknownError)) || asked != 2 {
		t.Errorf("Expand(nope:read) = %v after %d requests; want UnknownError after one more", err, asked)
	}
	failed := errors.New("zone down")
	if _, err := (Cache{Now: c.Now}).List(context.Background(), "eu1", "u", func(context.Context) ([]string, error) { return nil, failed }); !errors.Is(err, failed) {
		t.Errorf("List without a cache = %v, want the zone's error", err)
	}
}
