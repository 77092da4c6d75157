// Package scopecache keeps a zone's scope list between runs: one file per
// zone in maketoken's cache folder, reused for an hour. A cache that
// cannot be read or written is simply not used.
package scopecache

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/readfile"
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
