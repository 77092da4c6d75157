// Package emulator is an in-memory stand-in for Make's API token endpoints,
// for tests, benchmarks and demos of maketoken on machines that cannot (or
// must not) reach Make.
//
// A [Server] holds any number of zones. Each [Zone] is a separate user account
// with its own tokens, scope list, rate limit and fault plan, and listens on its
// own loopback port like a separate host. Behaviour follows
// shared/spec/make-api.md: the endpoints under /api/v2, Make's error bodies,
// masked tokens in lists, tokens identified by their `created` timestamp
// (always with three fraction digits, trailing zeros kept), 401/403/404/405,
// and a fixed-window rate limit.
//
// Tests drive a zone through Go methods ([Zone.AddToken], [Zone.AddFault],
// [Zone.Requests], ...); shell scripts and benchmarks use the same features
// through the control API under /_emulator/ on each zone's port (see
// [Zone.Handler]).
package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// BasePath is the path every API URL starts with, as on Make's hosts
// (https://eu1.make.com/api/v2).
const BasePath = "/api/v2"

// maxBody caps every request body, API or control.
const maxBody = 1 << 20

// DefaultZones returns the names of Make's six public zones, in the order
// the emulator program gives them ports.
func DefaultZones() []string {
	return []string{"eu1", "eu2", "us1", "us2", "celonis-eu1", "celonis-us1"}
}

// DefaultScopes returns today's scope catalog of a cloud zone, as
// make-api.md lists it: the names in Make's documentation and clients, the
// administration scopes (admin:*, apps:*, system:*; see
// AdministrationScope) and the ones seen in a real account in 2025,
// including mcp:use, which has neither :read nor :write.
func DefaultScopes() []string {
	return []string{
		"admin:read", "admin:write",
		"agents:read", "agents:write", "ai-agents:read", "ai-agents:write",
		"analytics:read", "analytics:write", "apps:read", "apps:write",
		"connections:read", "connections:write",
		"credential-requests:read", "credential-requests:write",
		"custom-property-structures:read", "custom-property-structures:write",
		"datastores:read", "datastores:write", "devices:read", "devices:write",
		"dlqs:read", "dlqs:write", "functions:read", "functions:write",
		"hitl:read", "hitl:write",
		"hooks:read", "hooks:write", "imt-forms:read", "instances:read", "instances:write",
		"keys:read", "keys:write", "mcp:use", "notifications:read", "notifications:write",
		"organizations:read", "organizations:write",
		"organization-variables:read", "organization-variables:write",
		"portal:read", "portal:write", "private-spaces:read", "private-spaces:write",
		"scenarios:read", "scenarios:run", "scenarios:write",
		"sdk-apps:read", "sdk-apps:write", "system:read", "system:write",
		"team-variables:read", "team-variables:write", "teams:read", "teams:write",
		"templates:read", "templates:write", "udts:read", "udts:write",
		"user:read", "user:write",
	}
}

// AdministrationScope reports whether name is one of Make's administration
// scopes (admin:*, apps:*, system:*): any user of a cloud zone can put them
// on a token, but a call that needs one answers 403 unless the user is an
// administrator of the instance.
func AdministrationScope(name string) bool {
	res, _, _ := strings.Cut(name, ":")
	return res == "admin" || res == "apps" || res == "system"
}

// Plans are Make's rate limits per organization and minute, by plan:
// Core 60, Pro 120, Teams 240, Enterprise 1000 (documented) and Free 30
// (observed).
var plans = map[string]int{"free": 30, "core": 60, "pro": 120, "teams": 240, "enterprise": 1000}

// PlanRateLimit returns the requests per minute of a Make plan ("free",
// "core", "pro", "teams", "enterprise"), and false for an unknown plan.
func PlanRateLimit(plan string) (int, bool) {
	n, ok := plans[strings.ToLower(plan)]
	return n, ok
}

// Bodies of a 401 answer (Options.UnauthorizedBody): Make does not document
// it, so the client is tested against each.
const (
	UnauthorizedJSON  = "json"  // Make's error JSON (the default)
	UnauthorizedEmpty = "empty" // no body at all
	UnauthorizedText  = "text"  // a line of plain text
)

// Options configure a Server. The zero value is usable.
type Options struct {
	// Zones to serve, e.g. "eu1", "eu2", "us1", "us2", "celonis-eu1",
	// "celonis-us1". Empty means DefaultZones(). Empty and repeated names
	// are ignored.
	Zones []string
	// Scopes is the scope list every zone starts with (GET
	// /enums/user-api-token-scopes; what create accepts). Nil means
	// DefaultScopes(). Change it per zone with Zone.SetScopes.
	Scopes []string
	// RateLimit is the number of API requests per minute per zone; 0 means
	// unlimited. Make allows 60, 120, 240 or 1000 per organization.
	RateLimit int
	// RetryAfter sends a Retry-After header (seconds) with 429 answers.
	// Make does not document one.
	RetryAfter bool
	// RateLimitJSON answers 429 with Make's error JSON. By default a 429
	// has a plain-text body, as a live report says Make sends it.
	RateLimitJSON bool
	// UnauthorizedBody is the body of 401 answers: UnauthorizedJSON (also
	// ""), UnauthorizedEmpty or UnauthorizedText.
	UnauthorizedBody string
	// Administrator makes every zone's user an administrator of the
	// instance, who may use the administration scopes. By default the
	// user is an ordinary user of a cloud zone.
	Administrator bool
	// Latency is added to every API request.
	Latency time.Duration
	// Now is the clock used for `created`, rate-limit windows and the
	// request log. Nil means time.Now.
	Now func() time.Time
	// Log, if set, receives an access log: one line per request. A line
	// never contains a token: the Authorization header is not logged, and
	// anything looking like a token in the path or query is masked.
	Log io.Writer
	// Middleware, if set, wraps each zone's handler when the server
	// starts listening, e.g. to check traffic against Make's contract.
	Middleware func(zone string, next http.Handler) http.Handler
}

// Server is a set of emulated zones. Create it with New.
type Server struct {
	opts  Options
	names []string
	zones map[string]*Zone

	logMu sync.Mutex // serializes writes to opts.Log

	mu      sync.Mutex
	started bool
	servers []*http.Server
	wg      sync.WaitGroup
}

// New returns a Server with its zones ready (each seeded with an admin
// token) but not listening: call Start or StartOn, or mount Zone.Handler
// yourself.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if len(opts.Zones) == 0 {
		opts.Zones = DefaultZones()
	}
	if opts.Scopes == nil {
		opts.Scopes = DefaultScopes()
	}
	s := &Server{opts: opts, zones: make(map[string]*Zone)}
	for _, name := range opts.Zones {
		if name == "" || s.zones[name] != nil {
			continue
		}
		s.zones[name] = newZone(s, name, len(s.names))
		s.names = append(s.names, name)
	}
	return s
}

// Zones returns the zone names in the order they were given.
func (s *Server) Zones() []string { return append([]string(nil), s.names...) }

// Zone returns the named zone, or nil if the server has no such zone.
func (s *Server) Zone(name string) *Zone { return s.zones[name] }

// Start gives every zone its own listener on 127.0.0.1 with a random port,
// as if each zone were a separate host.
func (s *Server) Start() error {
	addrs := make(map[string]string, len(s.names))
	for _, name := range s.names {
		addrs[name] = "127.0.0.1:0"
	}
	return s.StartOn(addrs)
}

// StartOn starts every zone on the address given for it (zone name ->
// "127.0.0.1:18081"; port 0 picks a free one). Every zone needs an address,
// and only loopback addresses are accepted: the emulator has no real
// authentication and its control API has none at all.
func (s *Server) StartOn(addrs map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("emulator: already started")
	}
	for name := range addrs {
		if s.zones[name] == nil {
			return fmt.Errorf("emulator: unknown zone %q", name)
		}
	}
	var listeners []net.Listener
	closeAll := func() {
		for _, l := range listeners {
			l.Close()
		}
	}
	for _, name := range s.names {
		addr, ok := addrs[name]
		if !ok {
			closeAll()
			return fmt.Errorf("emulator: no address for zone %q", name)
		}
		if err := CheckLoopback(addr); err != nil {
			closeAll()
			return fmt.Errorf("emulator: zone %s: %w", name, err)
		}
		var lc net.ListenConfig
		l, err := lc.Listen(context.Background(), "tcp", addr)
		if err != nil {
			closeAll()
			return fmt.Errorf("emulator: zone %s: %w", name, err)
		}
		listeners = append(listeners, l)
	}
	errLog := log.New(io.Discard, "", 0)
	if s.opts.Log != nil {
		errLog = log.New(&lockedWriter{mu: &s.logMu, w: s.opts.Log}, "make-emulator: ", 0)
	}
	for i, name := range s.names {
		z := s.zones[name]
		l := listeners[i]
		z.setURL("http://" + l.Addr().String() + BasePath)
		handler := z.Handler()
		if s.opts.Middleware != nil {
			handler = s.opts.Middleware(name, handler)
		}
		srv := &http.Server{
			Handler:           handler,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       time.Minute,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          errLog,
		}
		s.servers = append(s.servers, srv)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			_ = srv.Serve(l) // returns http.ErrServerClosed on Close/Shutdown
		}()
	}
	s.started = true
	return nil
}

// CheckLoopback returns an error unless addr ("host:port") names a loopback
// host: 127.0.0.0/8, ::1 or localhost.
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("bad address %q: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("address %q is not a loopback address: the emulator listens only on 127.0.0.1, ::1 or localhost", addr)
	}
	return nil
}

// Close stops all listeners at once and closes open connections.
func (s *Server) Close() {
	s.mu.Lock()
	servers := s.servers
	s.servers = nil
	s.mu.Unlock()
	for _, srv := range servers {
		srv.Close()
	}
	s.wg.Wait()
}

// Shutdown stops all listeners and waits for requests in progress to finish,
// or for ctx to end, whichever comes first (then it closes what is left).
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	servers := s.servers
	s.servers = nil
	s.mu.Unlock()
	var errs []error
	var wg sync.WaitGroup
	var emu sync.Mutex
	for _, srv := range servers {
		wg.Go(func() {
			if err := srv.Shutdown(ctx); err != nil {
				srv.Close()
				emu.Lock()
				errs = append(errs, err)
				emu.Unlock()
			}
		})
	}
	wg.Wait()
	s.wg.Wait()
	return errors.Join(errs...)
}

// ConsecutiveAddrs gives zones consecutive ports on host, in order: the
// first zone gets port, the next port+1, and so on. Port 0 gives every zone
// a random free port. host must be a loopback address.
func ConsecutiveAddrs(host string, port int, zones []string) (map[string]string, error) {
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("port %d is out of range", port)
	}
	if port != 0 && port+len(zones)-1 > 65535 {
		return nil, fmt.Errorf("port %d leaves no room for %d zones", port, len(zones))
	}
	if err := CheckLoopback(net.JoinHostPort(host, "0")); err != nil {
		return nil, err
	}
	addrs := make(map[string]string, len(zones))
	for i, name := range zones {
		p := 0
		if port != 0 {
			p = port + i
		}
		addrs[name] = net.JoinHostPort(host, strconv.Itoa(p))
	}
	return addrs, nil
}

// WriteSummary writes, for people starting the emulator by hand: each zone's
// name, base URL and admin token, then a `zones:` block for maketoken's
// config file (see ConfigYAML).
func (s *Server) WriteSummary(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ZONE\tBASE URL\tADMIN TOKEN")
	for _, name := range s.names {
		z := s.zones[name]
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, z.URL(), z.AdminToken())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n# For maketoken's config file:\n%s\n", s.ConfigYAML())
	return err
}

// ShellEnv returns shell variable assignments for scripts to source:
// ADMIN_<ZONE>=<admin token> and URL_<ZONE>=<base URL> for every zone, the
// zone name upper-cased with "-" and "." as "_" (ADMIN_CELONIS_EU1). It holds
// secrets (of the emulator only): write it to a file only you can read.
func (s *Server) ShellEnv() string {
	var b strings.Builder
	for _, name := range s.names {
		z := s.zones[name]
		v := strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name))
		fmt.Fprintf(&b, "ADMIN_%s=%s\nURL_%s=%s\n", v, z.AdminToken(), v, z.URL())
	}
	return b.String()
}

// ConfigYAML returns a `zones:` block for maketoken's config file that points
// every zone at this server. It is meaningful once the server is started.
func (s *Server) ConfigYAML() string {
	var b strings.Builder
	b.WriteString("zones:\n")
	for _, name := range s.names {
		fmt.Fprintf(&b, "  %s:\n    url: %s\n", name, s.zones[name].URL())
	}
	return b.String()
}

// logf writes one access-log line, if logging is on, with anything shaped
// like a token masked.
func (s *Server) logf(format string, args ...any) {
	if s.opts.Log == nil {
		return
	}
	line := redactTokens(fmt.Sprintf(format, args...))
	s.logMu.Lock()
	defer s.logMu.Unlock()
	io.WriteString(s.opts.Log, line+"\n")
}

// lockedWriter shares Options.Log, and its lock, with http.Server's error
// log, masking tokens there too.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := io.WriteString(l.w, redactTokens(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
