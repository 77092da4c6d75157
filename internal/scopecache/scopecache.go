// Package scopecache keeps a zone's scope list between runs: one file per
// zone in maketoken's cache folder, reused for an hour. A cache that
// cannot be read or written is simply not used. It also finds the list a
// command needs (List, Fresh) and expands -s patterns against it (Expand),
// asking the zone again when the cached list does not know a pattern.
package scopecache

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/readfile"
	"github.com/maketoken/maketoken/internal/scopes"
)

// TTL is how long a zone's scope list is reused.
const TTL = time.Hour

// maxBytes bounds a cache file.
const maxBytes = 1 << 20

// Cache is the scope lists in Dir ("" when the user has no cache folder:
// nothing is cached). Now is the clock.
type Cache struct {
	Dir string
	Now func() time.Time
}

// file is what a cache file holds.
type file struct {
	Zone    string    `json:"zone"`
	URL     string    `json:"url"`
	Fetched time.Time `json:"fetched"`
	Scopes  []string  `json:"scopes"`
}

func (c Cache) path(zone string) string {
	if c.Dir == "" {
		return ""
	}
	return filepath.Join(c.Dir, "maketoken", "scopes-"+zone+".json")
}

// Load returns the zone's cached scope list if it was fetched from url
// less than TTL ago.
func (c Cache) Load(zone, url string) ([]string, bool) {
	p := c.path(zone)
	if p == "" {
		return nil, false
	}
	data, _, err := readfile.Read(p, maxBytes)
	if err != nil {
		return nil, false
	}
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, false
	}
	age := c.Now().Sub(f.Fetched)
	if f.Zone != zone || f.URL != url || age < -time.Minute || age > TTL || len(f.Scopes) == 0 {
		return nil, false
	}
	// The list is kept as makeapi returns it, escaped; one holding a
	// raw control character (written by an older maketoken, or by hand)
	// is not used.
	if slices.ContainsFunc(f.Scopes, func(s string) bool { return strings.ContainsFunc(s, output.IsUnsafe) }) {
		return nil, false
	}
	return f.Scopes, true
}

// Save caches the zone's scope list, fetched from url now.
func (c Cache) Save(zone, url string, list []string) {
	p := c.path(zone)
	if p == "" || len(list) == 0 {
		return
	}
	data, err := json.Marshal(file{Zone: zone, URL: url, Fetched: c.Now().UTC(), Scopes: list})
	if err != nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return
	}
	_ = credentials.WriteFileAtomic(p, data, 0o600)
}

// Fetch asks the zone for its scope list.
type Fetch func(context.Context) ([]string, error)

// List returns the zone's scope list from the cache, or else from the
// zone (Fresh).
func (c Cache) List(ctx context.Context, zone, url string, fetch Fetch) ([]string, error) {
	if s, ok := c.Load(zone, url); ok {
		return s, nil
	}
	return c.Fresh(ctx, zone, url, fetch)
}

// Fresh asks the zone for its scope list and caches it.
func (c Cache) Fresh(ctx context.Context, zone, url string, fetch Fetch) ([]string, error) {
	list, err := fetch(ctx)
	if err != nil {
		return nil, err
	}
	c.Save(zone, url, list)
	return list, nil
}

// Expand expands -s patterns against the zone's scope list (see
// scopes.ExpandDetailed). When the list came from the cache and a pattern
// is unknown, the list is fetched again once before the pattern is
// refused: the zone may have gained a scope since.
func (c Cache) Expand(ctx context.Context, zone, url string, fetch Fetch, patterns []string) (got, leftOut []string, err error) {
	list, cached := c.Load(zone, url)
	if !cached {
		if list, err = c.Fresh(ctx, zone, url, fetch); err != nil {
			return nil, nil, err
		}
	}
	got, leftOut, err = scopes.ExpandDetailed(patterns, list)
	if cached && errors.As(err, new(*scopes.UnknownError)) {
		if list, err = c.Fresh(ctx, zone, url, fetch); err != nil {
			return nil, nil, err
		}
		got, leftOut, err = scopes.ExpandDetailed(patterns, list)
	}
	return got, leftOut, err
}
