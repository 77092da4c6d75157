package scopecache

import (
	"slices"
	"testing"
	"time"
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
