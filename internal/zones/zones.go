// Package zones knows Make's zones: the built-in ones, the ones a user adds or
// overrides in the config file, and how a zone is named on the command line.
package zones

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/maketoken/maketoken/internal/output"
)

// Zone is one Make zone: a separate installation of Make with its own
// accounts and its own API tokens.
type Zone struct {
	Name    string // "eu1", "celonis-eu1", or a name from the config file
	URL     string // API base URL, e.g. "https://eu1.make.com/api/v2"
	Builtin bool   // one of Make's public zones
	// Host is the host (with its port, if any) of the zone's URL: what
	// names the zone in Make's own tools (MAKE_ZONE=eu1.make.com). A config
	// file that points a built-in zone elsewhere moves its host too, so
	// that a tool given the host reaches the zone where maketoken does; the
	// public host still names the zone (see Lookup).
	Host string
	// AdHoc marks a zone made from a host that MAKE_ZONE names and no
	// zone has (a private instance), at https://HOST/api/v2, as Make's own
	// tools do. Its name is the host.
	AdHoc bool
}

// WebOrigin is the scheme and host of the zone's URL, where its web app
// is (https://eu1.make.com).
func (z Zone) WebOrigin() string {
	u, err := url.Parse(z.URL)
	if err != nil || u.Host == "" {
		return "https://" + z.Host
	}
	return u.Scheme + "://" + u.Host
}

// Moved reports whether the zone is a built-in one that the config file
// points elsewhere.
func (z Zone) Moved() bool {
	for _, b := range builtin {
		if b.Name == z.Name {
			return z.Builtin && z.URL != b.URL
		}
	}
	return false
}

// EnvName is the zone's part of a MAKETOKEN_TOKEN_<ZONE> variable name:
// upper-cased, with every character other than a letter or digit as "_".
func (z Zone) EnvName() string {
	return EnvName(z.Name)
}

// EnvName turns a zone name into the suffix of its credential variable:
// upper-cased, with every character but a letter or a digit made '_'.
func EnvName(name string) string {
	b := make([]byte, len(name))
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c >= utf8.RuneSelf:
			return envNameOfRunes(name)
		case 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			b[i] = c
		default:
			b[i] = '_'
		}
	}
	return string(b)
}

// envNameOfRunes is EnvName for a name that is not all ASCII.
func envNameOfRunes(name string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(name) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// builtin lists Make's public zones in the order people know them.
var builtin = [...]Zone{
	{Name: "eu1", Host: "eu1.make.com", URL: "https://eu1.make.com/api/v2", Builtin: true},
	{Name: "eu2", Host: "eu2.make.com", URL: "https://eu2.make.com/api/v2", Builtin: true},
	{Name: "us1", Host: "us1.make.com", URL: "https://us1.make.com/api/v2", Builtin: true},
	{Name: "us2", Host: "us2.make.com", URL: "https://us2.make.com/api/v2", Builtin: true},
	{Name: "celonis-eu1", Host: "eu1.make.celonis.com", URL: "https://eu1.make.celonis.com/api/v2", Builtin: true},
	{Name: "celonis-us1", Host: "us1.make.celonis.com", URL: "https://us1.make.celonis.com/api/v2", Builtin: true},
}

// Builtin returns Make's six public zones.
func Builtin() []Zone {
	out := make([]Zone, len(builtin))
	copy(out, builtin[:])
	return out
}

// DefaultZone is the zone used when nothing selects one.
const DefaultZone = "eu1"

// UnknownZoneError is returned for a zone name or host that no zone has,
// or that cannot name a zone at all (Reason says why).
type UnknownZoneError struct {
	Name   string
	Known  []string
	Reason string
	// SharesVariableWith is the zone whose credential variable the zone's
	// would be, when that is the reason.
	SharesVariableWith string
}

func (e *UnknownZoneError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("invalid zone %s: %s", output.Echo(e.Name), e.Reason)
	}
	return fmt.Sprintf("unknown zone %s (known zones: %s)", output.Echo(e.Name), strings.Join(e.Known, ", "))
}

// InvalidURLError is returned for a zone URL that maketoken refuses to use.
type InvalidURLError struct {
	Zone   string
	URL    string
	Reason string
}

func (e *InvalidURLError) Error() string {
	return fmt.Sprintf("zone %s: invalid URL %s: %s", e.Zone, output.Echo(e.URL), e.Reason)
}

// Registry holds the zones this run of maketoken knows.
type Registry struct {
	zones []Zone // built-in zones first, in their order, then custom ones by name
}

// NewRegistry builds the registry from the built-in zones and overrides:
// a map from zone name to API base URL. An override of a built-in zone
// changes its URL and its host; any other name adds a zone.
func NewRegistry(overrides map[string]string) (*Registry, error) {
	r := &Registry{zones: Builtin()}
	names := make([]string, 0, len(overrides))
	for name := range overrides {
		names = append(names, name)
	}
	sort.Strings(names)
	var errs []error
	for _, name := range names {
		raw := overrides[name]
		if err := ValidateName(name); err != nil {
			errs = append(errs, err)
			continue
		}
		u, err := ParseURL(name, raw)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		host := u
		if pu, err := url.Parse(u); err == nil {
			host = pu.Host
		}
		if i := r.index(name); i >= 0 {
			r.zones[i].URL, r.zones[i].Host = u, host
			continue
		}
		r.zones = append(r.zones, Zone{Name: name, Host: host, URL: u})
	}
	errs = append(errs, r.envNameCollisions()...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return r, nil
}

// envNameCollisions refuses zones whose credential variables have the same
// name (celonis-eu1, celonis_eu1 and celonis.eu1 all read
// MAKETOKEN_TOKEN_CELONIS_EU1): a fan-out would send one zone's credential
// to the other's host.
func (r *Registry) envNameCollisions() []error {
	first := map[string]string{}
	var errs []error
	for _, z := range r.zones {
		env := EnvName(z.Name)
		if other, ok := first[env]; ok {
			errs = append(errs, &UnknownZoneError{Name: z.Name, SharesVariableWith: other,
				Reason: sharedVariable(env, other) + "; rename it in the config file"})
			continue
		}
		first[env] = z.Name
	}
	return errs
}

func sharedVariable(env, other string) string {
	return fmt.Sprintf("its credential variable MAKETOKEN_TOKEN_%s is also zone %s's, so one would be sent the other's credential", env, other)
}

// ValidateName checks a zone name from the config file. A bad name is an
// *UnknownZoneError with the reason, a usage error like any bad zone.
func ValidateName(name string) error {
	if name == "" {
		return &UnknownZoneError{Name: name, Reason: "a zone in the config file has an empty name"}
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
		if !ok {
			return &UnknownZoneError{Name: name, Reason: "a zone name in the config file uses only lower-case letters, digits, '-', '_' or '.'"}
		}
	}
	return nil
}

// APIPath is how the path of every zone's API base URL ends.
const APIPath = "/api/v2"

// ParseURL checks and normalizes a zone's API base URL. It must be absolute
// https (http only for loopback hosts), with no user info, query or
// fragment, and its path must end in /api/v2.
func ParseURL(zone, raw string) (string, error) {
	bad := func(reason string) error {
		return &InvalidURLError{Zone: zone, URL: redactUserinfo(raw), Reason: reason}
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", bad("not a URL")
	}
	if u.User != nil {
		return "", bad("credentials do not belong in a zone URL; use `maketoken login`")
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", bad("it needs a scheme and a host, e.g. https://eu1.make.com/api/v2")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return "", bad("plain http is only allowed for loopback hosts (127.0.0.1, ::1, localhost); use https")
		}
	default:
		return "", bad("the scheme must be https")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", bad("a zone URL has no query or fragment")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	if !strings.HasSuffix(u.Path, APIPath) {
		return "", bad(fmt.Sprintf("the path of a zone's API URL ends in %s, e.g. %s://%s%s", APIPath, u.Scheme, u.Host, APIPath))
	}
	return u.String(), nil
}

// redactUserinfo keeps a password typed into a URL out of error messages:
// the user info of a URL, or anything before an '@' in what is not one,
// becomes REDACTED.
func redactUserinfo(raw string) string {
	s := strings.TrimSpace(raw)
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		if u.User == nil {
			return s
		}
		u.User = url.User("REDACTED")
		return u.String()
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return s
	}
	start := 0
	if i := strings.Index(s, "//"); i >= 0 && i < at {
		start = i + 2
	}
	return s[:start] + "REDACTED" + s[at:]
}

// IsLoopback reports whether host names this machine only.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (r *Registry) index(name string) int {
	for i, z := range r.zones {
		if z.Name == name {
			return i
		}
	}
	return -1
}

// All returns every known zone: the built-in ones, then the custom ones.
func (r *Registry) All() []Zone {
	out := make([]Zone, len(r.zones))
	copy(out, r.zones)
	return out
}

// Names returns the names of every known zone.
func (r *Registry) Names() []string {
	out := make([]string, len(r.zones))
	for i, z := range r.zones {
		out[i] = z.Name
	}
	return out
}

// AddHost adds an ad-hoc zone for a host no zone has, at
// https://HOST/api/v2, as Make's CLI and SDK build it from MAKE_ZONE, and
// returns it. The host (with an optional port) must be a DNS name with at
// least one dot; its lower-cased form is the zone's name. A name whose
// credential variable is another zone's (celonis.eu1 beside celonis-eu1)
// is refused as NewRegistry refuses two such zones: an *UnknownZoneError
// with SharesVariableWith set.
func (r *Registry) AddHost(host string) (Zone, error) {
	h := strings.ToLower(strings.TrimSpace(host))
	if z, err := r.Lookup(h); err == nil {
		return z, nil
	}
	bad := func(reason string) error { return &UnknownZoneError{Name: host, Known: r.Names(), Reason: reason} }
	name, port, err := net.SplitHostPort(h)
	if err != nil {
		name, port = h, ""
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return Zone{}, bad("the port must be a number from 1 to 65535")
		}
	}
	if !validHostname(name) {
		return Zone{}, bad("not a zone name, nor a host name such as make.example.com")
	}
	if err := ValidateName(h); err != nil && port == "" {
		return Zone{}, bad("not a zone name, nor a host name such as make.example.com")
	}
	env := EnvName(h)
	for _, other := range r.zones {
		if EnvName(other.Name) == env {
			return Zone{}, &UnknownZoneError{Name: h, SharesVariableWith: other.Name, Reason: sharedVariable(env, other.Name)}
		}
	}
	z := Zone{Name: h, Host: h, URL: "https://" + h + APIPath, AdHoc: true}
	r.zones = append(r.zones, z)
	return z, nil
}

// validHostname reports whether s is a DNS host name with at least two
// labels: letters, digits and '-', labels of 1-63 characters.
func validHostname(s string) bool {
	if len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return true
}

// Lookup finds a zone by its name or its host ("eu1", "eu1.make.com",
// "celonis-eu1", "eu1.make.celonis.com"), case-insensitively. A URL such as
// "https://eu1.make.com" is accepted too, as Make's tools sometimes show it.
// A name wins over a host; a built-in zone's public host names that zone
// even where the config file points it (or another zone) elsewhere; then
// the host of each zone's URL.
func (r *Registry) Lookup(nameOrHost string) (Zone, error) {
	if strings.Contains(nameOrHost, "@") {
		return Zone{}, &UnknownZoneError{Name: redactUserinfo(nameOrHost), Known: r.Names(),
			Reason: "credentials do not belong in a zone name; give the zone's name or host, and the token with `maketoken login`"}
	}
	key := strings.ToLower(strings.TrimSpace(nameOrHost))
	if u, err := url.Parse(key); err == nil && u.Host != "" {
		key = u.Host
	}
	for _, z := range r.zones {
		if z.Name == key {
			return z, nil
		}
	}
	for _, b := range builtin {
		if strings.EqualFold(b.Host, key) {
			return r.zones[r.index(b.Name)], nil
		}
	}
	for _, z := range r.zones {
		if strings.EqualFold(z.Host, key) {
			return z, nil
		}
	}
	return Zone{}, &UnknownZoneError{Name: nameOrHost, Known: r.Names()}
}
