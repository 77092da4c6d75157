package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// The control API, under /_emulator/ on every zone's port, lets shell scripts
// and benchmarks do what Go tests do with Zone's methods. It needs no
// authentication: the emulator only listens on loopback addresses. So that
// a web page cannot drive it, requests carrying an Origin header (sent by
// browsers) are refused, and so are requests whose Host is not a loopback
// address or localhost (a page whose own name was re-bound to 127.0.0.1,
// DNS rebinding, sends its name there). All bodies are JSON; errors are
// {"error": "..."}.
//
//	GET    /_emulator/state     zone, url, adminToken, user (the first), users, tokens (full secrets,
//	                            each with its user's id), settings, faults
//	POST   /_emulator/users     {"name":"Bob","email":"bob@example.com"} -> 201, {"user":{...},"adminToken":"..."}
//	POST   /_emulator/tokens    {"label":"ci","scope":["user:read"],"created":"2024-03-27T05:53:27.360Z","user":11001}
//	                            (created optional; user optional: the first) -> 201, the token
//	GET    /_emulator/requests  the request log, oldest first; a credential no zone of the server
//	                            issued (a real token pasted by mistake) by its first group only
//	DELETE /_emulator/requests  empty it -> 204
//	GET    /_emulator/faults    the faults in force
//	POST   /_emulator/faults    a Fault: {"path":"/users/me/api-tokens","method":"POST","status":503,"times":1,"delay":"100ms"} -> 201
//	DELETE /_emulator/faults    remove all faults -> 204
//	GET    /_emulator/settings  {"latency":"0s","rateLimit":0,"retryAfter":false,"rateLimitJSON":false,
//	                             "unauthorizedBody":"json","administrator":false,"scopes":[...],
//	                             "clockOffset":"0s"}
//	POST   /_emulator/settings  change any of those fields, or {"plan":"free"} for a plan's rate
//	                            limit; absent ones stay -> 200, the settings
//
// Control requests are not part of the request log, nor of the rate limit.

// controlState is the answer to GET /_emulator/state.
type controlState struct {
	Zone       string   `json:"zone"`
	URL        string   `json:"url"`
	AdminToken string   `json:"adminToken"`
	User       User     `json:"user"`
	Users      []User   `json:"users"`
	Tokens     []Token  `json:"tokens"`
	Settings   settings `json:"settings"`
	Faults     []Fault  `json:"faults"`
}

func controlError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, map[string]string{"error": fmt.Sprintf(format, args...)})
}

// decodeStrict reads one JSON value from the request body into v,
// refusing unknown fields and trailing data.
func decodeStrict(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return fmt.Errorf("body larger than %d bytes", maxBody)
		}
		return fmt.Errorf("bad JSON body: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("bad JSON body: more than one value")
	}
	return nil
}

func (z *Zone) serveControl(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	b := newBufferedResponse()
	z.control(b, r)
	if z.srv.opts.Log != nil {
		z.srv.logf("%s %s %s %s %d %s (control)", z.now().UTC().Format(time.RFC3339), z.name,
			printable(r.Method), printable(rawPath(r)), b.status, time.Since(start).Round(time.Microsecond))
	}
	b.flushTo(w)
}

func (z *Zone) control(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Origin") != "" {
		controlError(w, http.StatusForbidden, "the control API does not answer requests from web pages (an Origin header was sent)")
		return
	}
	if !loopbackHost(r.Host) {
		controlError(w, http.StatusForbidden, "the control API answers only requests addressed to 127.0.0.1, ::1 or localhost, not %q", printable(r.Host))
		return
	}
	var methods map[string]handler
	switch r.URL.Path {
	case "/_emulator/state":
		methods = map[string]handler{http.MethodGet: z.controlState}
	case "/_emulator/tokens":
		methods = map[string]handler{http.MethodPost: z.controlAddToken}
	case "/_emulator/users":
		methods = map[string]handler{http.MethodPost: z.controlAddUser}
	case "/_emulator/requests":
		methods = map[string]handler{http.MethodGet: shown(z.shareableRequests), http.MethodDelete: cleared(z.ResetRequests)}
	case "/_emulator/faults":
		methods = map[string]handler{http.MethodGet: shown(z.Faults), http.MethodPost: z.controlAddFault, http.MethodDelete: cleared(z.ClearFaults)}
	case "/_emulator/settings":
		methods = map[string]handler{http.MethodGet: shown(z.settings), http.MethodPost: z.controlSettings}
	default:
		controlError(w, http.StatusNotFound, "no such control endpoint: %s", r.URL.Path)
		return
	}
	h, ok := methods[r.Method]
	if !ok {
		controlError(w, http.StatusMethodNotAllowed, "method %s not allowed on %s", r.Method, r.URL.Path)
		return
	}
	h(w, r)
}

// handler answers one method of a control endpoint.
type handler func(http.ResponseWriter, *http.Request)

// shown answers with what get returns, as JSON.
func shown[T any](get func() T) handler {
	return func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, get()) }
}

// cleared answers by calling clear: 204, no body.
func cleared(clear func()) handler {
	return func(w http.ResponseWriter, _ *http.Request) {
		clear()
		w.WriteHeader(http.StatusNoContent)
	}
}

// shareableRequests is the request log as the control API shows it: []
// rather than null when empty (for scripts), each request as shareable
// makes it.
func (z *Zone) shareableRequests() []Request {
	reqs := z.Requests()
	if reqs == nil {
		reqs = []Request{}
	}
	for i := range reqs {
		reqs[i] = z.srv.shareable(reqs[i])
	}
	return reqs
}

func (z *Zone) controlState(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, controlState{
		Zone:       z.name,
		URL:        z.URL(),
		AdminToken: z.AdminToken(),
		User:       z.User(),
		Users:      z.Users(),
		Tokens:     z.Tokens(),
		Settings:   z.settings(),
		Faults:     z.Faults(),
	})
}

func (z *Zone) controlAddToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Label   string   `json:"label"`
		Scope   []string `json:"scope"`
		Created string   `json:"created"`
		User    int64    `json:"user"`
	}
	if err := decodeStrict(r, &in); err != nil {
		controlError(w, http.StatusBadRequest, "%v", err)
		return
	}
	var created time.Time
	if in.Created != "" {
		t, err := time.Parse(time.RFC3339Nano, in.Created)
		if err != nil {
			controlError(w, http.StatusBadRequest, "created: not an RFC 3339 time: %q", in.Created)
			return
		}
		created = t
	}
	t, ok := z.AddTokenFor(in.User, in.Label, in.Scope, created)
	if !ok {
		controlError(w, http.StatusBadRequest, "user: the zone has no user %d", in.User)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (z *Zone) controlAddUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	if err := decodeStrict(r, &in); err != nil {
		controlError(w, http.StatusBadRequest, "%v", err)
		return
	}
	if in.Email == "" {
		controlError(w, http.StatusBadRequest, "email: required")
		return
	}
	u, admin := z.AddUser(in.Name, in.Email)
	writeJSON(w, http.StatusCreated, struct {
		User       User   `json:"user"`
		AdminToken string `json:"adminToken"`
	}{u, admin.Token})
}

func (z *Zone) controlAddFault(w http.ResponseWriter, r *http.Request) {
	var f Fault
	if err := decodeStrict(r, &f); err != nil {
		controlError(w, http.StatusBadRequest, "%v", err)
		return
	}
	if err := f.validate(); err != nil {
		controlError(w, http.StatusBadRequest, "fault: %v", err)
		return
	}
	z.AddFault(f)
	writeJSON(w, http.StatusCreated, f)
}

func (z *Zone) controlSettings(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Latency    *string   `json:"latency"`
		RateLimit  *int      `json:"rateLimit"`
		RetryAfter *bool     `json:"retryAfter"`
		Scopes     *[]string `json:"scopes"`
		JSON429    *bool     `json:"rateLimitJSON"`
		AuthBody   *string   `json:"unauthorizedBody"`
		Admin      *bool     `json:"administrator"`
		Plan       *string   `json:"plan"`
		Clock      *string   `json:"clockOffset"`
	}
	if err := decodeStrict(r, &in); err != nil {
		controlError(w, http.StatusBadRequest, "%v", err)
		return
	}
	var latency time.Duration
	if in.Latency != nil {
		d, err := time.ParseDuration(*in.Latency)
		if err != nil || d < 0 {
			controlError(w, http.StatusBadRequest, "latency: want a duration like \"100ms\", got %q", *in.Latency)
			return
		}
		latency = d
	}
	var offset time.Duration
	if in.Clock != nil {
		d, err := time.ParseDuration(*in.Clock)
		if err != nil {
			controlError(w, http.StatusBadRequest, "clockOffset: want a duration like \"-2h\", got %q", *in.Clock)
			return
		}
		offset = d
	}
	if in.RateLimit != nil && *in.RateLimit < 0 {
		controlError(w, http.StatusBadRequest, "rateLimit must not be negative")
		return
	}
	if in.AuthBody != nil && !validAuthBody(*in.AuthBody) {
		controlError(w, http.StatusBadRequest, "unauthorizedBody: want json, empty or text, got %q", *in.AuthBody)
		return
	}
	if in.Plan != nil {
		n, ok := PlanRateLimit(*in.Plan)
		if !ok {
			controlError(w, http.StatusBadRequest, "plan: want free, core, pro, teams or enterprise, got %q", *in.Plan)
			return
		}
		if in.RateLimit == nil {
			in.RateLimit = &n
		}
	}
	z.mu.Lock()
	if in.Latency != nil {
		z.latency = latency
	}
	if in.RateLimit != nil {
		z.rateLimit = *in.RateLimit
	}
	if in.RetryAfter != nil {
		z.retryAfter = *in.RetryAfter
	}
	if in.Scopes != nil {
		z.setScopesLocked(*in.Scopes)
	}
	if in.JSON429 != nil {
		z.jsonLimit = *in.JSON429
	}
	if in.AuthBody != nil {
		z.authBody = *in.AuthBody
	}
	if in.Admin != nil {
		z.isAdmin = *in.Admin
	}
	z.mu.Unlock()
	if in.Clock != nil {
		z.SetClockOffset(offset)
	}
	writeJSON(w, http.StatusOK, z.settings())
}

// loopbackHost reports whether a request's Host names this machine: a
// loopback address or localhost, with or without a port. An empty Host
// (HTTP/1.0) is accepted: a browser always sends one.
func loopbackHost(host string) bool {
	if host == "" {
		return true
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// shareable is a request log entry as the control API shows it, to any
// local user: a credential no zone of the server issued (a real token
// pasted by mistake) by its first group only, and anything shaped like a
// token in the path or query masked. The emulator's own tokens stay
// whole, for scripts that check which one was sent where.
func (s *Server) shareable(r Request) Request {
	if r.Token != "" && !s.issued(r.Token) {
		r.Token = maskCredential(r.Token)
	}
	r.Path, r.Query = redactTokens(r.Path), redactTokens(r.Query)
	return r
}

// issued reports whether a zone of the server ever issued token.
func (s *Server) issued(token string) bool {
	for _, name := range s.names {
		if s.zones[name].everIssued(token) {
			return true
		}
	}
	return false
}

// maskCredential masks what an Authorization header carried: a token by
// its first group (see mask), and of another scheme ("Bearer x") the
// scheme only.
func maskCredential(sent string) string {
	if scheme, rest, ok := strings.Cut(sent, " "); ok {
		return scheme + " " + mask(rest)
	}
	return mask(sent)
}
