package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/maketoken/maketoken/internal/config"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/scopecache"
	"github.com/maketoken/maketoken/internal/scopes"
	"github.com/maketoken/maketoken/internal/zones"
)

// A zone's scope list, from the cache (internal/scopecache) or the zone,
// and the expansion of -s patterns against it.

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

// scopeCache is the cache of scope lists in the user's cache folder.
func scopeCache(f *Factory) scopecache.Cache {
	return scopecache.Cache{Dir: config.UserCacheDir(f.Getenv), Now: f.now}
}

func cachedScopes(f *Factory, zone zones.Zone) ([]string, bool) {
	return scopeCache(f).Load(zone.Name, zone.URL)
}

func cacheScopes(f *Factory, zone zones.Zone, list []string) {
	scopeCache(f).Save(zone.Name, zone.URL, list)
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
