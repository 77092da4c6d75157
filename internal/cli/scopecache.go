package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/maketoken/maketoken/internal/readfile"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/scopes"
	"github.com/maketoken/maketoken/internal/zones"
)

// The scope cache: a zone's scope list kept between runs in the user's
// cache folder, and the expansion of -s patterns against it.

// scopeCacheTTL is how long a zone's scope list is reused.
const scopeCacheTTL = time.Hour

// scopeCache is the file that keeps a zone's scope list between runs.
type scopeCache struct {
	Zone    string    `json:"zone"`
	URL     string    `json:"url"`
	Fetched time.Time `json:"fetched"`
	Scopes  []string  `json:"scopes"`
}

// zoneScopes returns the zone's scope list, from a cache of at most an hour
// (kept per zone name and URL in the user's cache folder) or else from the
// zone, which refreshes the cache. A cache that cannot be read or written
// is simply not used.
func zoneScopes(ctx context.Context, f *Factory, zone zones.Zone, client *makeapi.Client) ([]string, error) {
	if s, ok := cachedScopes(f, zone); ok {
		return s, nil
	}
	return fetchScopes(ctx, f, zone, client)
}

// fetchScopes asks the zone for its scope list and caches it.
func fetchScopes(ctx context.Context, f *Factory, zone zones.Zone, client *makeapi.Client) ([]string, error) {
	list, err := client.Scopes(ctx)
	if err != nil {
		return nil, apiError(zone.Name, err, "")
	}
	cacheScopes(f, zone, list)
	return list, nil
}

// scopeCachePath is where zone's scope list is cached, or "" if the user
// has no cache folder.
func scopeCachePath(f *Factory, zone zones.Zone) string {
	dir := userCacheDir(f.Getenv)
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, "maketoken", "scopes-"+zone.Name+".json")
}

// userCacheDir is os.UserCacheDir read through getenv, so that tests and
// embedders control it.
func userCacheDir(getenv func(string) string) string {
	var dir string
	switch runtime.GOOS {
	case "windows":
		dir = getenv("LocalAppData")
	case "darwin", "ios":
		if h := getenv("HOME"); h != "" {
			dir = filepath.Join(h, "Library", "Caches")
		}
	case "plan9":
		if h := getenv("home"); h != "" {
			dir = filepath.Join(h, "lib", "cache")
		}
	default:
		dir = getenv("XDG_CACHE_HOME")
		if dir == "" || !filepath.IsAbs(dir) {
			dir = ""
			if h := getenv("HOME"); h != "" {
				dir = filepath.Join(h, ".cache")
			}
		}
	}
	if !filepath.IsAbs(dir) {
		return ""
	}
	return dir
}

// maxScopeCacheBytes bounds a zone's scope cache file.
const maxScopeCacheBytes = 1 << 20

func cachedScopes(f *Factory, zone zones.Zone) ([]string, bool) {
	p := scopeCachePath(f, zone)
	if p == "" {
		return nil, false
	}
	data, _, err := readfile.Read(p, maxScopeCacheBytes)
	if err != nil {
		return nil, false
	}
	var c scopeCache
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, false
	}
	age := f.now().Sub(c.Fetched)
	if c.Zone != zone.Name || c.URL != zone.URL || age < -time.Minute || age > scopeCacheTTL || len(c.Scopes) == 0 {
		return nil, false
	}
	return c.Scopes, true
}

func cacheScopes(f *Factory, zone zones.Zone, list []string) {
	p := scopeCachePath(f, zone)
	if p == "" || len(list) == 0 {
		return
	}
	data, err := json.Marshal(scopeCache{Zone: zone.Name, URL: zone.URL, Fetched: f.now().UTC(), Scopes: list})
	if err != nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return
	}
	_ = credentials.WriteFileAtomic(p, data, 0o600)
}

// expandScopes expands the -s patterns against the zone's scope list (see
// scopes.Expand). When the list came from the cache and a pattern is
// unknown, the list is fetched again once before the pattern is refused:
// the zone may have gained a scope since. Administration scopes that a
// glob left out (see scopes.ExpandDetailed) are named on stderr, so that
// nobody wonders where admin:read went.
func expandScopes(ctx context.Context, f *Factory, zone zones.Zone, client *makeapi.Client, patterns []string) ([]string, error) {
	list, cached := cachedScopes(f, zone)
	if !cached {
		var err error
		if list, err = fetchScopes(ctx, f, zone, client); err != nil {
			return nil, err
		}
	}
	got, leftOut, err := scopes.ExpandDetailed(patterns, list)
	var unknown *scopes.UnknownError
	if cached && errors.As(err, &unknown) {
		if list, err = fetchScopes(ctx, f, zone, client); err != nil {
			return nil, err
		}
		got, leftOut, err = scopes.ExpandDetailed(patterns, list)
	}
	if err != nil {
		if errors.As(err, &unknown) {
			return nil, fmt.Errorf("zone %s: %w (nothing was created; `maketoken scopes -z %s` lists them all)", zone.Name, err, zone.Name)
		}
		return nil, fmt.Errorf("zone %s: %w", zone.Name, err)
	}
	if len(leftOut) > 0 {
		fmt.Fprintf(f.IO.ErrOut, "maketoken: zone %s: the globs left out the administration scopes\n  %s;\n"+
			"  only an instance administrator can use them: name one (-s %s) to add it\n",
			zone.Name, strings.Join(leftOut, ", "), leftOut[0])
	}
	return got, nil
}
