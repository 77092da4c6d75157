package cli

import (
	"context"
	"errors"
	"fmt"
	"github.com/maketoken/maketoken/internal/credentials"
	"strings"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/config"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/scopecache"
	"github.com/maketoken/maketoken/internal/scopes"
)

// A zone's scope list, from the cache or the zone (internal/scopecache),
// and the expansion of -s patterns against it, worded for the commands.

// ScopeCache is the cache of scope lists in the user's cache folder.
func (f *Factory) ScopeCache() scopecache.Cache {
	return scopecache.Cache{Dir: config.UserCacheDir(f.Getenv), Now: f.Now}
}

// scopesOf asks the zone for its scope list with the zone's credential,
// its errors explained.
func scopesOf(zc credentials.Target, client *makeapi.Client) scopecache.Fetch {
	return func(ctx context.Context) ([]string, error) {
		list, err := client.Scopes(ctx)
		return list, cmderr.API(zc.CallCredential(), err, "")
	}
}

// expandScopes expands the -s patterns against the zone's scope list (see
// scopecache.Cache.Expand). Administration scopes that a glob left out
// (see scopes.ExpandDetailed) are named on stderr, so that nobody wonders
// where admin:read went.
func expandScopes(ctx context.Context, ios *iostreams.IOStreams, cache scopecache.Cache, zc credentials.Target, client *makeapi.Client, patterns []string) ([]string, error) {
	zone := zc.Zone
	// Expand's own errors are an *UnknownError or an *InvalidError (see
	// scopes.ExpandDetailed); any other is the zone's, explained already.
	got, leftOut, err := cache.Expand(ctx, zone.Name, zone.URL, scopesOf(zc, client), patterns)
	switch {
	case errors.As(err, new(*scopes.UnknownError)):
		return nil, fmt.Errorf("zone %s: %w (nothing was created; `maketoken scopes -z %s` lists them all)", zone.Name, err, zone.Name)
	case errors.As(err, new(*scopes.InvalidError)):
		return nil, fmt.Errorf("zone %s: %w", zone.Name, err)
	case err != nil:
		return nil, err
	}
	if len(leftOut) > 0 {
		ios.Note("zone %s: the globs left out the administration scopes %s; only an instance administrator can use them: name one (-s %s) to add it",
			zone.Name, strings.Join(leftOut, ", "), leftOut[0])
	}
	return got, nil
}
