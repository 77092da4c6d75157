package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/scopes"
	"github.com/maketoken/maketoken/internal/zones"
)

// Helpers shared by the commands that list and pick tokens: list, revoke,
// rotate, prune and the completions.

// tokenRecord is a listed token as `list -o json` prints it. Token is the
// masked form; Current says it is the credential maketoken uses for the
// zone.
type tokenRecord struct {
	Zone    string   `json:"zone"`
	Label   string   `json:"label"`
	Scopes  []string `json:"scopes"`
	Created string   `json:"created"`
	Token   string   `json:"token"`
	Current bool     `json:"current"`
}

// newTokenRecord describes a listed token of zone; cred is the zone's
// credential (for the current flag). The token is masked even if the
// server showed it in full.
func newTokenRecord(zone string, t makeapi.Token, cred credentials.Credential) tokenRecord {
	sc := slices.Clone(t.Scopes)
	if sc == nil {
		sc = []string{}
	}
	return tokenRecord{
		Zone:    zone,
		Label:   t.Label,
		Scopes:  sc,
		Created: t.Created,
		Token:   maskListed(t.Token),
		Current: isCurrent(t, cred),
	}
}

// maskListed returns the form of a listed token that may be shown: as the
// server sent it when it is already masked, else masked by maketoken.
func maskListed(token string) string {
	if strings.ContainsAny(token, "*•") {
		return token
	}
	return makeapi.Mask(token)
}

// isCurrent reports whether the listed token is the credential maketoken
// uses for the zone: the whole token if the server shows it, else its
// visible first group.
func isCurrent(listed makeapi.Token, cred credentials.Credential) bool {
	return makeapi.Matches(listed.Token, cred.Token)
}

// tokenSelector picks tokens of a zone. Every field that is set must
// match; a zero selector matches every token.
type tokenSelector struct {
	// Created are exact `created` timestamps, compared byte for byte.
	Created []string
	// Label is an exact label.
	Label string
	// Prefix is the start of the token's visible first group (a masked
	// tail such as "-****-..." is ignored).
	Prefix string
}

// IsZero reports whether the selector names nothing.
func (s tokenSelector) IsZero() bool {
	return len(s.Created) == 0 && s.Label == "" && s.Prefix == ""
}

// matches reports whether t fits every criterion of the selector.
func (s tokenSelector) matches(t makeapi.Token) bool {
	if len(s.Created) > 0 && !slices.Contains(s.Created, t.Created) {
		return false
	}
	if s.Label != "" && t.Label != s.Label {
		return false
	}
	if s.Prefix != "" {
		want := strings.ToLower(makeapi.Prefix(s.Prefix))
		if want == "" || !strings.HasPrefix(strings.ToLower(makeapi.Prefix(t.Token)), want) {
			return false
		}
	}
	return true
}

// selectTokens returns the tokens that sel matches, in their order.
func selectTokens(tokens []makeapi.Token, sel tokenSelector) []makeapi.Token {
	var out []makeapi.Token
	for _, t := range tokens {
		if sel.matches(t) {
			out = append(out, t)
		}
	}
	return out
}

// compareCreated orders two `created` timestamps by time when both parse,
// else as text.
func compareCreated(a, b string) int {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	if errA == nil && errB == nil {
		return cmp.Or(ta.Compare(tb), strings.Compare(a, b))
	}
	return strings.Compare(a, b)
}

// sortByCreated sorts tokens oldest first.
func sortByCreated(tokens []makeapi.Token) {
	slices.SortStableFunc(tokens, func(a, b makeapi.Token) int { return compareCreated(a.Created, b.Created) })
}

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
func (f *Factory) zoneScopes(ctx context.Context, zone zones.Zone, client *makeapi.Client) ([]string, error) {
	if s, ok := f.cachedScopes(zone); ok {
		return s, nil
	}
	return f.fetchScopes(ctx, zone, client)
}

// fetchScopes asks the zone for its scope list and caches it.
func (f *Factory) fetchScopes(ctx context.Context, zone zones.Zone, client *makeapi.Client) ([]string, error) {
	list, err := client.Scopes(ctx)
	if err != nil {
		return nil, apiError(zone.Name, err, "")
	}
	f.cacheScopes(zone, list)
	return list, nil
}

// scopeCachePath is where zone's scope list is cached, or "" if the user
// has no cache folder.
func (f *Factory) scopeCachePath(zone zones.Zone) string {
	dir := f.userCacheDir()
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, "maketoken", "scopes-"+zone.Name+".json")
}

// userCacheDir is os.UserCacheDir read through the factory's environment,
// so that tests and embedders control it.
func (f *Factory) userCacheDir() string {
	var dir string
	switch runtime.GOOS {
	case "windows":
		dir = f.Getenv("LocalAppData")
	case "darwin", "ios":
		if h := f.Getenv("HOME"); h != "" {
			dir = filepath.Join(h, "Library", "Caches")
		}
	case "plan9":
		if h := f.Getenv("home"); h != "" {
			dir = filepath.Join(h, "lib", "cache")
		}
	default:
		dir = f.Getenv("XDG_CACHE_HOME")
		if dir == "" || !filepath.IsAbs(dir) {
			dir = ""
			if h := f.Getenv("HOME"); h != "" {
				dir = filepath.Join(h, ".cache")
			}
		}
	}
	if !filepath.IsAbs(dir) {
		return ""
	}
	return dir
}

func (f *Factory) cachedScopes(zone zones.Zone) ([]string, bool) {
	p := f.scopeCachePath(zone)
	if p == "" {
		return nil, false
	}
	data, err := os.ReadFile(p)
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

func (f *Factory) cacheScopes(zone zones.Zone, list []string) {
	p := f.scopeCachePath(zone)
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
// the zone may have gained a scope since.
func (f *Factory) expandScopes(ctx context.Context, zone zones.Zone, client *makeapi.Client, patterns []string) ([]string, error) {
	list, cached := f.cachedScopes(zone)
	if !cached {
		var err error
		if list, err = f.fetchScopes(ctx, zone, client); err != nil {
			return nil, err
		}
	}
	got, err := scopes.Expand(patterns, list)
	var unknown *scopes.UnknownError
	if cached && errors.As(err, &unknown) {
		if list, err = f.fetchScopes(ctx, zone, client); err != nil {
			return nil, err
		}
		got, err = scopes.Expand(patterns, list)
	}
	if err != nil {
		if errors.As(err, &unknown) {
			return nil, fmt.Errorf("zone %s: %w (nothing was created; `maketoken scopes -z %s` lists them all)", zone.Name, err, zone.Name)
		}
		return nil, fmt.Errorf("zone %s: %w", zone.Name, err)
	}
	return got, nil
}
