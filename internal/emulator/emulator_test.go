package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/apicontract"
	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/maketoken/maketoken/internal/testkit"
)

var (
	uuidV4Re  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	maskedRe  = regexp.MustCompile(`^[0-9a-f]{8}-\*{4}-\*{4}-\*{4}-\*{12}$`)
	createdRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
)

// at360 is a clock reading whose milliseconds end in a zero: re-formatting
// it with a layout that drops trailing zeros would give ".36Z".
var at360 = time.Date(2024, 3, 27, 5, 53, 27, 360_000_000, time.UTC)

const created360 = "2024-03-27T05:53:27.360Z"

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{now: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is a started emulator plus what tests use to talk to it.
type env struct {
	t        *testing.T
	srv      *emulator.Server
	z        *emulator.Zone
	contract *apicontract.Contract
	client   *http.Client
}

func newEnv(t *testing.T, opts emulator.Options) *env {
	t.Helper()
	c, err := apicontract.Load()
	if err != nil {
		t.Fatal(err)
	}
	if opts.Zones == nil {
		opts.Zones = []string{"eu1", "us1"}
	}
	srv := emulator.New(opts)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &env{
		t:        t,
		srv:      srv,
		z:        srv.Zone(opts.Zones[0]),
		contract: c,
		client: &http.Client{
			Transport:     tr,
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// response is an answer read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, r.body)
	}
}

// apiErr is Make's error body.
type apiErr struct {
	Detail    string `json:"detail"`
	Message   string `json:"message"`
	Code      string `json:"code"`
	Suberrors []struct {
		Message string `json:"message"`
	} `json:"suberrors"`
}

func (r response) apiError(t *testing.T) apiErr {
	t.Helper()
	var e apiErr
	r.json(t, &e)
	if e.Code == "" || e.Message == "" || e.Detail == "" {
		t.Errorf("error body lacks detail, message or code: %s", r.body)
	}
	return e
}

// do sends a request to the zone z (path relative to its base URL, escapes
// kept) and checks the answer against the contract when the contract lists
// its status and it is JSON.
func (e *env) do(z *emulator.Zone, method, path, token, body string) response {
	e.t.Helper()
	req := e.request(z, method, path, token, body)
	r := e.send(req)
	resp, b := r.raw, r.body
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt == "application/json" && e.contract.DefinesStatus(req, resp.StatusCode) {
		if err := e.contract.ValidateResponse(req, []byte(body), resp.StatusCode, resp.Header, b); err != nil {
			e.t.Errorf("contract: %v", err)
		}
	}
	return r.response
}

func (e *env) request(z *emulator.Zone, method, path, token, body string) *http.Request {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, z.URL()+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Token "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// control sends a request to the zone's control API (path from the root).
func (e *env) control(z *emulator.Zone, method, path, body string) response {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, strings.TrimSuffix(z.URL(), "/api/v2")+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.send(req).response
}

// sent is an answer read whole, with the *http.Response it came in.
type sent struct {
	response
	raw *http.Response
}

// send sends req and reads its answer whole.
func (e *env) send(req *http.Request) sent {
	e.t.Helper()
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return sent{response{resp.StatusCode, resp.Header, b}, resp}
}

type apiToken struct {
	Token   string   `json:"token"`
	Scope   []string `json:"scope"`
	Created string   `json:"created"`
	Label   string   `json:"label"`
}

func (e *env) create(z *emulator.Zone, token, label string, scopes ...string) apiToken {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"label": label, "scope": scopes})
	r := e.do(z, "POST", "/users/me/api-tokens", token, string(body))
	if r.status != 200 {
		e.t.Fatalf("create: %d %s", r.status, r.body)
	}
	var out struct{ APIToken apiToken }
	r.json(e.t, &out)
	return out.APIToken
}

func (e *env) list(z *emulator.Zone, token string) []apiToken {
	e.t.Helper()
	r := e.do(z, "GET", "/users/me/api-tokens", token, "")
	if r.status != 200 {
		e.t.Fatalf("list: %d %s", r.status, r.body)
	}
	var out struct{ APITokens []apiToken }
	r.json(e.t, &out)
	return out.APITokens
}

func TestDefaults(t *testing.T) {
	srv := emulator.New(emulator.Options{})
	want := []string{"eu1", "eu2", "us1", "us2", "celonis-eu1", "celonis-us1"}
	if got := srv.Zones(); !slices.Equal(got, want) {
		t.Fatalf("Zones() = %v, want %v", got, want)
	}
	if srv.Zone("nope") != nil {
		t.Error("Zone(unknown) is not nil")
	}
	users := map[int64]bool{}
	for _, name := range want {
		z := srv.Zone(name)
		if z.Name() != name || z.URL() != "" {
			t.Errorf("zone %s: Name %q URL %q before start", name, z.Name(), z.URL())
		}
		if !uuidV4Re.MatchString(z.AdminToken()) || !z.HasToken(z.AdminToken()) {
			t.Errorf("zone %s: bad admin token", name)
		}
		toks := z.Tokens()
		if len(toks) != 1 || toks[0].Label != "emulator admin" || !slices.Equal(toks[0].Scopes, emulator.DefaultScopes()) {
			t.Errorf("zone %s: seeded tokens %+v", name, toks)
		}
		u := z.User()
		if users[u.ID] || u.Name == "" || u.Email == "" {
			t.Errorf("zone %s: user %+v not distinct", name, u)
		}
		users[u.ID] = true
	}
	// Today's catalog: the administration scopes, the 2025 additions and
	// mcp:use, which has neither :read nor :write.
	for _, s := range []string{"admin:read", "admin:write", "apps:read", "system:write", "custom-property-structures:read",
		"ai-agents:read", "analytics:write", "credential-requests:write", "hitl:read", "portal:write", "private-spaces:read", "mcp:use"} {
		if !slices.Contains(emulator.DefaultScopes(), s) {
			t.Errorf("default scopes lack %s", s)
		}
	}
	for _, s := range emulator.DefaultScopes() {
		admin := strings.HasPrefix(s, "admin:") || strings.HasPrefix(s, "apps:") || strings.HasPrefix(s, "system:")
		if emulator.AdministrationScope(s) != admin {
			t.Errorf("AdministrationScope(%s) = %v", s, !admin)
		}
	}
	if n, ok := emulator.PlanRateLimit("Free"); !ok || n != 30 {
		t.Errorf("free plan: %d %v", n, ok)
	}

	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	seen := map[string]bool{}
	for _, name := range want {
		u, err := url.Parse(srv.Zone(name).URL())
		if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Path != "/api/v2" || seen[u.Host] {
			t.Errorf("zone %s: URL %q", name, srv.Zone(name).URL())
		}
		seen[u.Host] = true
	}
	if err := srv.Start(); err == nil {
		t.Error("second Start succeeded")
	}
	eu1 := srv.Zone("eu1")
	if env := srv.ShellEnv(); !strings.HasPrefix(env, "ADMIN_EU1="+eu1.AdminToken()+"\nURL_EU1="+eu1.URL()+"\n") ||
		!strings.Contains(env, "\nADMIN_CELONIS_US1=") {
		t.Errorf("ShellEnv:\n%s", env)
	}
	if y := srv.ConfigYAML(); !strings.HasPrefix(y, "zones:\n  eu1:\n    url: "+srv.Zone("eu1").URL()+"\n  eu2:\n") {
		t.Errorf("ConfigYAML:\n%s", y)
	}
}

func TestStartOnRefusesBadAddresses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		addrs map[string]string
	}{
		{"all interfaces", map[string]string{"eu1": "0.0.0.0:0"}},
		{"not loopback", map[string]string{"eu1": "192.0.2.1:0"}},
		{"empty host", map[string]string{"eu1": ":0"}},
		{"no port", map[string]string{"eu1": "127.0.0.1"}},
		{"unknown zone", map[string]string{"eu1": "127.0.0.1:0", "mars": "127.0.0.1:0"}},
		{"missing zone", map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := emulator.New(emulator.Options{Zones: []string{"eu1"}})
			defer srv.Close()
			if err := srv.StartOn(tc.addrs); err == nil {
				t.Fatal("StartOn succeeded")
			}
		})
	}
	srv := emulator.New(emulator.Options{Zones: []string{"eu1", "eu2"}})
	defer srv.Close()
	if err := srv.StartOn(map[string]string{"eu1": "localhost:0", "eu2": "[::1]:0"}); err != nil {
		t.Skipf("loopback names not available here: %v", err)
	}
}

func TestUsersMe(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	r := e.do(e.z, "GET", "/users/me", e.z.AdminToken(), "")
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var out struct{ AuthUser emulator.User }
	r.json(t, &out)
	if !reflect.DeepEqual(out.AuthUser, e.z.User()) {
		t.Errorf("authUser = %+v, want %+v", out.AuthUser, e.z.User())
	}
	// Each zone is its own account.
	other := e.srv.Zone("us1")
	r = e.do(other, "GET", "/users/me", other.AdminToken(), "")
	r.json(t, &out)
	if !reflect.DeepEqual(out.AuthUser, other.User()) || other.User().ID == e.z.User().ID {
		t.Errorf("us1 authUser = %+v", out.AuthUser)
	}
	// A token of one zone means nothing in another.
	if r := e.do(other, "GET", "/users/me", e.z.AdminToken(), ""); r.status != 401 {
		t.Errorf("eu1 token in us1: %d", r.status)
	}
}

func TestCurrentAuthorization(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	tok := e.z.AddToken("narrow", []string{"scenarios:read", "scenarios:run"}, time.Time{})
	r := e.do(e.z, "GET", "/users/me/current-authorization", tok.Token, "")
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var out struct {
		Authorization struct {
			AuthUsed string   `json:"authUsed"`
			Scope    []string `json:"scope"`
		}
	}
	r.json(t, &out)
	if out.Authorization.AuthUsed != "token" || !slices.Equal(out.Authorization.Scope, []string{"scenarios:read", "scenarios:run"}) {
		t.Errorf("authorization = %+v", out.Authorization)
	}
}

func TestScopesEnum(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	noUserScopes := e.z.AddToken("no user scopes", []string{"scenarios:read"}, time.Time{})
	get := func() []string {
		t.Helper()
		r := e.do(e.z, "GET", "/enums/user-api-token-scopes", noUserScopes.Token, "")
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var out struct {
			UserAPITokenScopes []struct{ Name string } `json:"userApiTokenScopes"`
		}
		r.json(t, &out)
		var names []string
		for _, s := range out.UserAPITokenScopes {
			names = append(names, s.Name)
		}
		return names
	}
	if got := get(); !slices.Equal(got, emulator.DefaultScopes()) {
		t.Errorf("scopes = %v", got)
	}
	e.z.SetScopes([]string{"user:read", "user:write", "brand-new:read"})
	if got := get(); !slices.Equal(got, []string{"user:read", "user:write", "brand-new:read"}) {
		t.Errorf("after SetScopes: %v", got)
	}
	// Create follows the zone's list.
	e.create(e.z, e.z.AdminToken(), "new scope", "brand-new:read")
	if r := e.do(e.z, "POST", "/users/me/api-tokens", e.z.AdminToken(), `{"label":"x","scope":["scenarios:read"]}`); r.status != 400 {
		t.Errorf("create with a scope no longer listed: %d", r.status)
	}

	custom := emulator.New(emulator.Options{Zones: []string{"x"}, Scopes: []string{"a:read"}})
	if got := custom.Zone("x").Scopes(); !slices.Equal(got, []string{"a:read"}) {
		t.Errorf("Options.Scopes: %v", got)
	}
}

func TestCreateListDelete(t *testing.T) {
	clock := newFakeClock(at360.Add(-10 * time.Millisecond)) // the admin token
	e := newEnv(t, emulator.Options{Now: clock.Now})
	admin := e.z.AdminToken()
	clock.Set(at360)

	tok := e.create(e.z, admin, "ci deploy", "scenarios:read", "custom-property-structures:read", "scenarios:read")
	if !uuidV4Re.MatchString(tok.Token) {
		t.Errorf("token %q is not a lowercase UUID v4", tok.Token)
	}
	if tok.Created != created360 {
		t.Errorf("created = %q, want %q (trailing zero kept)", tok.Created, created360)
	}
	if tok.Label != "ci deploy" || !slices.Equal(tok.Scope, []string{"scenarios:read", "custom-property-structures:read"}) {
		t.Errorf("created token = %+v", tok)
	}
	if !e.z.HasToken(tok.Token) {
		t.Error("HasToken(new) = false")
	}
	// The new token works.
	if r := e.do(e.z, "GET", "/users/me/current-authorization", tok.Token, ""); r.status != 200 {
		t.Errorf("new token: %d", r.status)
	}

	listed := e.list(e.z, admin)
	if len(listed) != 2 {
		t.Fatalf("list has %d tokens, want 2", len(listed))
	}
	for _, l := range listed {
		if !maskedRe.MatchString(l.Token) {
			t.Errorf("listed token %q is not masked", l.Token)
		}
		if !createdRe.MatchString(l.Created) {
			t.Errorf("created %q", l.Created)
		}
	}
	got := listed[0] // newest first
	if got.Token != tok.Token[:8]+"-****-****-****-************" || got.Created != created360 || got.Label != "ci deploy" {
		t.Errorf("listed = %+v", got)
	}
	if strings.Contains(string(e.do(e.z, "GET", "/users/me/api-tokens", admin, "").body), tok.Token) {
		t.Error("list shows a full token")
	}

	// Delete by the exact created string, ":" sent raw.
	r := e.do(e.z, "DELETE", "/users/me/api-tokens/"+created360, admin, "")
	if r.status != 200 || string(r.body) != `{"apiToken":"`+created360+`"}` {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if e.z.HasToken(tok.Token) || len(e.z.Tokens()) != 1 {
		t.Error("token still there after delete")
	}
	if r := e.do(e.z, "GET", "/users/me", tok.Token, ""); r.status != 401 {
		t.Errorf("revoked token: %d", r.status)
	}
	r = e.do(e.z, "DELETE", "/users/me/api-tokens/"+created360, admin, "")
	if r.status != 404 || r.apiError(t).Code != "SC404" {
		t.Errorf("second delete: %d %s", r.status, r.body)
	}

	// Delete with ":" escaped as %3A; the log keeps the path as sent.
	tok2 := e.create(e.z, admin, "second", "user:read")
	if tok2.Created != "2024-03-27T05:53:27.361Z" {
		t.Errorf("second created = %s", tok2.Created)
	}
	escaped := strings.ReplaceAll(tok2.Created, ":", "%3A")
	e.z.ResetRequests()
	if r := e.do(e.z, "DELETE", "/users/me/api-tokens/"+escaped, admin, ""); r.status != 200 {
		t.Errorf("delete %%3A: %d %s", r.status, r.body)
	}
	if reqs := e.z.Requests(); len(reqs) != 1 || reqs[0].Path != "/api/v2/users/me/api-tokens/"+escaped {
		t.Errorf("request log: %+v", reqs)
	}

	// A re-formatted timestamp (trailing zero dropped) is another token.
	tok3 := e.z.AddToken("third", []string{"user:read"}, at360.Add(time.Hour))
	if r := e.do(e.z, "DELETE", "/users/me/api-tokens/2024-03-27T06:53:27.36Z", admin, ""); r.status != 404 {
		t.Errorf("re-formatted timestamp: %d", r.status)
	}
	if r := e.do(e.z, "DELETE", "/users/me/api-tokens/"+tok3.Created, admin, ""); r.status != 200 {
		t.Errorf("exact timestamp: %d", r.status)
	}

	// A token may delete itself.
	self := e.create(e.z, admin, "self", "user:write")
	if r := e.do(e.z, "DELETE", "/users/me/api-tokens/"+self.Created, self.Token, ""); r.status != 200 {
		t.Errorf("self-delete: %d %s", r.status, r.body)
	}
	if r := e.do(e.z, "GET", "/users/me/current-authorization", self.Token, ""); r.status != 401 {
		t.Errorf("after self-delete: %d", r.status)
	}
}

func TestCreatedIsUniqueAndSorted(t *testing.T) {
	clock := newFakeClock(at360)
	e := newEnv(t, emulator.Options{Now: clock.Now})
	admin := e.z.AdminToken() // .360
	a := e.create(e.z, admin, "a", "user:read")
	b := e.create(e.z, admin, "b", "user:read")
	seeded := e.z.AddToken("seeded", []string{"user:read"}, at360)
	c := e.create(e.z, admin, "c", "user:read")
	want := []string{"2024-03-27T05:53:27.361Z", "2024-03-27T05:53:27.362Z", "2024-03-27T05:53:27.363Z", "2024-03-27T05:53:27.364Z"}
	if got := []string{a.Created, b.Created, seeded.Created, c.Created}; !slices.Equal(got, want) {
		t.Errorf("created = %v, want %v", got, want)
	}
	// Sub-millisecond precision is cut, not rounded; non-UTC clocks are converted.
	clock.Set(time.Date(2024, 3, 27, 7, 0, 0, 999_999_999, time.FixedZone("CEST", 2*3600)))
	if d := e.create(e.z, admin, "d", "user:read"); d.Created != "2024-03-27T05:00:00.999Z" {
		t.Errorf("created = %s", d.Created)
	}
	// An old seed sorts first.
	old := e.z.AddToken("old", nil, at360.Add(-24*time.Hour))
	toks := e.z.Tokens()
	if toks[0].Created != old.Created || !slices.IsSortedFunc(toks, func(x, y emulator.Token) int { return strings.Compare(x.Created, y.Created) }) {
		t.Errorf("Tokens() not sorted by created: %+v", toks)
	}
	listed := e.list(e.z, admin)
	if len(listed) != len(toks) || listed[len(listed)-1].Created != old.Created || listed[len(listed)-1].Scope == nil ||
		!slices.IsSortedFunc(listed, func(x, y apiToken) int { return strings.Compare(y.Created, x.Created) }) {
		t.Errorf("list order/shape: %+v", listed)
	}
}

func TestCreateValidation(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	admin := e.z.AdminToken()
	for _, tc := range []struct {
		name, body string
		subs       int // expected suberrors; -1 = none expected
	}{
		{"no label", `{"scope":["user:read"]}`, 1},
		{"no scope", `{"label":"x"}`, 1},
		{"nothing", `{}`, 2},
		{"null", `null`, 2},
		{"empty label", `{"label":"","scope":["user:read"]}`, 1},
		{"blank label", `{"label":"  ","scope":["user:read"]}`, 1},
		{"label not a string", `{"label":5,"scope":["user:read"]}`, 1},
		{"empty scope", `{"label":"x","scope":[]}`, 1},
		{"scope not a list", `{"label":"x","scope":"user:read"}`, 1},
		{"scope of numbers", `{"label":"x","scope":[1]}`, 1},
		{"unknown scopes", `{"label":"x","scope":["user:read","nope:read","pro:write"]}`, 2},
		{"key case matters", `{"Label":"x","Scope":["user:read"]}`, 2},
		{"bad JSON", `{"label":`, 0},
		{"array", `[]`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.z.Tokens())
			r := e.do(e.z, "POST", "/users/me/api-tokens", admin, tc.body)
			if r.status != 400 {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			// SC400 "Bad Request" with suberrors, an empty list when
			// there is nothing more to say, as observed from Make.
			ae := r.apiError(t)
			if ae.Code != "SC400" || ae.Message != "Bad Request" {
				t.Errorf("code %q message %q", ae.Code, ae.Message)
			}
			if len(ae.Suberrors) != tc.subs || !bytes.Contains(r.body, []byte(`"suberrors":[`)) {
				t.Errorf("suberrors %s, want %d", r.body, tc.subs)
			}
			if len(e.z.Tokens()) != before {
				t.Error("a token was created")
			}
		})
	}
	t.Run("too large", func(t *testing.T) {
		big := `{"label":"` + strings.Repeat("x", 2<<20) + `","scope":["user:read"]}`
		r := e.do(e.z, "POST", "/users/me/api-tokens", admin, big)
		// Make answers 400 "request entity too large" (observed).
		if r.status != 400 {
			t.Fatalf("status %d", r.status)
		}
		if ae := r.apiError(t); ae.Code != "SC400" || !strings.Contains(ae.Detail, "too large") {
			t.Errorf("%s", r.body)
		}
	})
}

func TestAuthErrors(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	const invalid = `{"detail":"Invalid credentials.","message":"Invalid credentials.","code":"IM015"}`
	revoked := e.z.AddToken("revoked", []string{"user:read"}, time.Time{})
	e.do(e.z, "DELETE", "/users/me/api-tokens/"+revoked.Created, e.z.AdminToken(), "")
	for _, tc := range []struct{ name, header string }{
		{"none", ""},
		{"unknown", "Token 00000000-0000-4000-8000-000000000000"},
		{"bearer", "Bearer " + e.z.AdminToken()},
		{"bare", e.z.AdminToken()},
		{"revoked", "Token " + revoked.Token},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/users/me", "/users/me/api-tokens", "/enums/user-api-token-scopes", "/users/me/current-authorization", "/no/such/path"} {
				req := e.request(e.z, "GET", path, "", "")
				if tc.header != "" {
					req.Header.Set("Authorization", tc.header)
				}
				r := e.send(req)
				if r.status != http.StatusUnauthorized || string(r.body) != invalid {
					t.Errorf("%s: %d %s", path, r.status, r.body)
				}
				if e.contract.DefinesStatus(req, 401) {
					if err := e.contract.ValidateResponse(req, nil, 401, r.header, r.body); err != nil {
						t.Errorf("contract: %v", err)
					}
				}
			}
		})
	}
	t.Run("scheme is case-insensitive", func(t *testing.T) {
		req := e.request(e.z, "GET", "/users/me", "", "")
		req.Header.Set("Authorization", "token "+e.z.AdminToken())
		if r := e.send(req); r.status != http.StatusOK {
			t.Errorf("status %d", r.status)
		}
	})
}

func TestMissingScope(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	reader := e.z.AddToken("reader", []string{"user:read"}, time.Time{})
	writer := e.z.AddToken("writer", []string{"user:write"}, time.Time{})
	for _, tc := range []struct {
		method, path, token, body, scope string
	}{
		{"POST", "/users/me/api-tokens", reader.Token, `{"label":"x","scope":["user:read"]}`, "user:write"},
		{"DELETE", "/users/me/api-tokens/" + writer.Created, reader.Token, "", "user:write"},
		{"GET", "/users/me/api-tokens", writer.Token, "", "user:read"},
	} {
		r := e.do(e.z, tc.method, tc.path, tc.token, tc.body)
		want := `{"detail":"Access denied. The token lacks the scope ` + tc.scope + `.","message":"Permission denied","code":"SC403"}`
		if r.status != 403 || string(r.body) != want {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, r.status, r.body)
		}
	}
	if !e.z.HasToken(writer.Token) || len(e.z.Tokens()) != 3 {
		t.Error("a forbidden call changed the tokens")
	}
	// /users/me needs no scope (Make's SDK calls it with none).
	if r := e.do(e.z, "GET", "/users/me", writer.Token, ""); r.status != 200 {
		t.Errorf("GET /users/me without user:read: %d %s", r.status, r.body)
	}
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	admin := e.z.AdminToken()
	for _, path := range []string{"/users/you", "/users/me/", "/users/me/api-tokens/", "/users/me/api-tokens/a/b", "/enums/user-api-tokes-scopes", ""} {
		r := e.do(e.z, "GET", path, admin, "")
		if r.status != 404 || r.apiError(t).Code != "SC404" {
			t.Errorf("GET %q: %d %s", path, r.status, r.body)
		}
	}
	base := strings.TrimSuffix(e.z.URL(), "/api/v2")
	for _, p := range []string{"/", "/api/v1/users/me", "/api/v2x/users/me"} {
		resp, err := e.client.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
		}
	}
	// What Make answers to a method a path lacks is unknown: the emulator
	// answers 404 as for any unknown route, never an invented SC405.
	for _, tc := range []struct{ method, path string }{
		{"PATCH", "/users/me/api-tokens"},
		{"PUT", "/users/me/api-tokens"},
		{"DELETE", "/users/me"},
		{"GET", "/users/me/api-tokens/" + created360},
		{"POST", "/enums/user-api-token-scopes"},
		{"HEAD", "/users/me"},
	} {
		r := e.do(e.z, tc.method, tc.path, admin, "")
		if r.status != 404 || r.header.Get("Allow") != "" {
			t.Errorf("%s %s: %d Allow %q", tc.method, tc.path, r.status, r.header.Get("Allow"))
		}
		if tc.method != "HEAD" && r.apiError(t).Code != "SC404" {
			t.Errorf("%s %s: %s", tc.method, tc.path, r.body)
		}
	}
}

func TestRateLimit(t *testing.T) {
	for _, retryAfter := range []bool{false, true} {
		t.Run(fmt.Sprintf("retryAfter=%v", retryAfter), func(t *testing.T) {
			clock := newFakeClock(time.Date(2024, 3, 27, 12, 0, 10, 0, time.UTC))
			e := newEnv(t, emulator.Options{Now: clock.Now, RateLimit: 3, RetryAfter: retryAfter})
			admin := e.z.AdminToken()
			for i := range 2 {
				if r := e.do(e.z, "GET", "/users/me", admin, ""); r.status != 200 {
					t.Fatalf("request %d: %d", i, r.status)
				}
			}
			// Bad credentials count too.
			if r := e.do(e.z, "GET", "/users/me", "", ""); r.status != 401 {
				t.Fatalf("401 expected, got %d", r.status)
			}
			clock.Add(20 * time.Second) // 12:00:30, same window
			r := e.do(e.z, "GET", "/users/me/api-tokens", admin, "")
			if r.status != 429 {
				t.Fatalf("4th request: %d", r.status)
			}
			// Plain text by default, as a live report says Make sends it.
			if string(r.body) != "Requests limit for organization exceeded, please try again later." || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
				t.Errorf("429 body %v %s", r.header, r.body)
			}
			e.z.SetRateLimitJSON(true)
			r2 := e.do(e.z, "GET", "/users/me/api-tokens", admin, "")
			if ae := r2.apiError(t); r2.status != 429 || ae.Code != "SC429" || ae.Message != "Requests limit for organization exceeded, please try again later." {
				t.Errorf("JSON 429 body %s", r2.body)
			}
			e.z.SetRateLimitJSON(false)
			ra := r.header.Get("Retry-After")
			if retryAfter && ra != "30" {
				t.Errorf("Retry-After = %q, want 30", ra)
			}
			if !retryAfter && ra != "" {
				t.Errorf("Retry-After sent: %q", ra)
			}
			// The other zone has its own budget.
			other := e.srv.Zone("us1")
			if r := e.do(other, "GET", "/users/me", other.AdminToken(), ""); r.status != 200 {
				t.Errorf("other zone: %d", r.status)
			}
			// The control API is not limited.
			if r := e.control(e.z, "GET", "/_emulator/state", ""); r.status != 200 {
				t.Errorf("control API: %d", r.status)
			}
			clock.Set(time.Date(2024, 3, 27, 12, 1, 0, 0, time.UTC)) // next window
			if r := e.do(e.z, "GET", "/users/me", admin, ""); r.status != 200 {
				t.Errorf("new window: %d", r.status)
			}
			e.z.SetRateLimit(0, false)
			for range 5 {
				if r := e.do(e.z, "GET", "/users/me", admin, ""); r.status != 200 {
					t.Fatalf("unlimited: %d", r.status)
				}
			}
			statuses := map[int]int{}
			for _, req := range e.z.Requests() {
				statuses[req.Status]++
			}
			if statuses[429] != 2 || statuses[401] != 1 {
				t.Errorf("request log statuses %v", statuses)
			}
		})
	}
}

func TestLatency(t *testing.T) {
	e := newEnv(t, emulator.Options{Latency: 50 * time.Millisecond})
	start := time.Now()
	e.do(e.z, "GET", "/users/me", e.z.AdminToken(), "")
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("took %v with 50ms latency", d)
	}
	e.z.SetLatency(0)
	start = time.Now()
	e.do(e.z, "GET", "/users/me", e.z.AdminToken(), "")
	if d := time.Since(start); d > 45*time.Millisecond {
		t.Logf("took %v without latency (slow machine?)", d)
	}
}

func TestFaults(t *testing.T) {
	t.Run("status", func(t *testing.T) {
		e := newEnv(t, emulator.Options{})
		e.z.AddFault(emulator.Fault{Path: "/users/me", Status: 503, Times: 1})
		r := e.do(e.z, "GET", "/users/me", e.z.AdminToken(), "")
		if r.status != 503 || r.apiError(t).Code != "SC503" {
			t.Errorf("%d %s", r.status, r.body)
		}
		if r := e.do(e.z, "GET", "/users/me", e.z.AdminToken(), ""); r.status != 200 {
			t.Errorf("after Times 1: %d", r.status)
		}
		if len(e.z.Faults()) != 0 {
			t.Error("used-up fault still listed")
		}
	})
	t.Run("status answers before auth", func(t *testing.T) {
		e := newEnv(t, emulator.Options{})
		e.z.AddFault(emulator.Fault{Status: 429, RetryAfter: "7", Times: 1})
		r := e.do(e.z, "GET", "/users/me", "", "")
		if r.status != 429 || r.header.Get("Retry-After") != "7" || string(r.body) != "Requests limit for organization exceeded, please try again later." {
			t.Errorf("%d %v %s", r.status, r.header, r.body)
		}
	})
	t.Run("html", func(t *testing.T) {
		e := newEnv(t, emulator.Options{})
		e.z.AddFault(emulator.Fault{Status: 502, HTML: true})
		for range 2 { // Times 0: always
			r := e.do(e.z, "GET", "/users/me/api-tokens", e.z.AdminToken(), "")
			if r.status != 502 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !bytes.Contains(r.body, []byte("<html>")) {
				t.Errorf("%d %v %s", r.status, r.header, r.body)
			}
		}
		e.z.ClearFaults()
		if r := e.do(e.z, "GET", "/users/me/api-tokens", e.z.AdminToken(), ""); r.status != 200 {
			t.Errorf("after ClearFaults: %d", r.status)
		}
	})
	t.Run("html default status", func(t *testing.T) {
		e := newEnv(t, emulator.Options{})
		e.z.AddFault(emulator.Fault{HTML: true, Times: 1})
		if r := e.do(e.z, "GET", "/users/me", e.z.AdminToken(), ""); r.status != 502 {
			t.Errorf("%d", r.status)
		}
	})
	t.Run("body", func(t *testing.T) {
		e := newEnv(t, emulator.Options{})
		e.z.AddFault(emulator.Fault{Status: 500, Body: "oops", Times: 1})
		e.z.AddFault(emulator.Fault{Status: 200, Body: `{"apiTokens":{}}`, Times: 1})
		r := e.do(e.z, "GET", "/users/me", e.z.AdminToken(), "")
		if r.status != 500 || string(r.body) != "oops" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
			t.Errorf("%d %v %q", r.status, r.header, r.body)
		}
		req := e.request(e.z, "GET", "/users/me/api-tokens", e.z.AdminToken(), "")
		r = e.send(req).response
		if string(r.body) != `{"apiTokens":{}}` || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Errorf("%q %v", r.body, r.header)
		}
		// The contract catches the broken body a test injected.
		if e.contract.ValidateResponse(req, nil, r.status, r.header, r.body) == nil {
			t.Error("contract accepted apiTokens as an object")
		}
	})
	t.Run("method and path matching, order", func(t *testing.T) {
		e := newEnv(t, emulator.Options{})
		admin := e.z.AdminToken()
		e.z.AddFault(emulator.Fault{Method: "POST", Path: "/users/me/api-tokens", Status: 500})
		e.z.AddFault(emulator.Fault{Method: "delete", Path: "/users/me/api-tokens/*", Status: 503})
		e.z.AddFault(emulator.Fault{Path: "/users/me/api-tokens/*", Status: 504})
		if r := e.do(e.z, "GET", "/users/me/api-tokens", admin, ""); r.status != 200 {
			t.Errorf("GET list: %d", r.status)
		}
		if r := e.do(e.z, "POST", "/users/me/api-tokens", admin, `{"label":"x","scope":["user:read"]}`); r.status != 500 {
			t.Errorf("POST: %d", r.status)
		}
		if r := e.do(e.z, "DELETE", "/users/me/api-tokens/2024-03-27T05%3A53%3A27.360Z", admin, ""); r.status != 503 {
			t.Errorf("DELETE: %d", r.status)
		}
		if r := e.do(e.z, "GET", "/users/me/api-tokens/x", admin, ""); r.status != 504 {
			t.Errorf("GET below: %d", r.status)
		}
		if r := e.do(e.z, "GET", "/users/me", admin, ""); r.status != 200 {
			t.Errorf("GET me: %d", r.status)
		}
	})
	t.Run("times", func(t *testing.T) {
		e := newEnv(t, emulator.Options{})
		e.z.AddFault(emulator.Fault{Status: 503, Times: 2})
		var got []int
		for range 3 {
			got = append(got, e.do(e.z, "GET", "/users/me", e.z.AdminToken(), "").status)
		}
		if !slices.Equal(got, []int{503, 503, 200}) {
			t.Errorf("statuses %v", got)
		}
	})
	t.Run("delay", func(t *testing.T) {
		e := newEnv(t, emulator.Options{})
		e.z.AddFault(emulator.Fault{Path: "/users/me", Delay: 100 * time.Millisecond, Times: 1})
		start := time.Now()
		r := e.do(e.z, "GET", "/users/me", e.z.AdminToken(), "")
		if d := time.Since(start); d < 100*time.Millisecond || r.status != 200 {
			t.Errorf("took %v, status %d", d, r.status)
		}
		// A delay longer than the client waits.
		e.z.AddFault(emulator.Fault{Delay: 5 * time.Second, Times: 1})
		c := *e.client
		c.Timeout = 50 * time.Millisecond
		if _, err := c.Do(e.request(e.z, "GET", "/users/me", e.z.AdminToken(), "")); err == nil {
			t.Error("no timeout")
		}
	})
	t.Run("drop", func(t *testing.T) {
		e := newEnv(t, emulator.Options{})
		e.z.AddFault(emulator.Fault{Method: "POST", Drop: true, Times: 1})
		_, err := e.client.Do(e.request(e.z, "POST", "/users/me/api-tokens", e.z.AdminToken(), `{"label":"dropped","scope":["user:read"]}`))
		if err == nil {
			t.Fatal("no error from a dropped connection")
		}
		for _, tok := range e.z.Tokens() {
			if tok.Label == "dropped" {
				t.Error("Drop created the token")
			}
		}
		reqs := e.z.Requests()
		if len(reqs) != 1 || !reqs[0].Dropped || reqs[0].Status != 0 {
			t.Errorf("request log %+v", reqs)
		}
	})
	t.Run("drop after handling", func(t *testing.T) {
		e := newEnv(t, emulator.Options{})
		e.z.AddFault(emulator.Fault{Method: "POST", Path: "/users/me/api-tokens", DropAfterHandling: true, Times: 1})
		_, err := e.client.Do(e.request(e.z, "POST", "/users/me/api-tokens", e.z.AdminToken(), `{"label":"half","scope":["user:read"]}`))
		if err == nil {
			t.Fatal("no error from a dropped connection")
		}
		found := 0
		for _, tok := range e.z.Tokens() {
			if tok.Label == "half" {
				found++
			}
		}
		if found != 1 {
			t.Errorf("the token was created %d times, want 1", found)
		}
		reqs := e.z.Requests()
		if len(reqs) != 1 || !reqs[0].Dropped || reqs[0].Status != 200 {
			t.Errorf("request log %+v", reqs)
		}
		// The client can find it by its label.
		found = 0
		for _, l := range e.list(e.z, e.z.AdminToken()) {
			if l.Label == "half" {
				found++
			}
		}
		if found != 1 {
			t.Errorf("listed %d times", found)
		}
	})
	t.Run("redirect", func(t *testing.T) {
		e := newEnv(t, emulator.Options{})
		other := e.srv.Zone("us1")
		otherRoot := strings.TrimSuffix(other.URL(), "/api/v2") + "/"
		e.z.AddFault(emulator.Fault{RedirectTo: otherRoot, Times: 1})
		r := e.do(e.z, "GET", "/users/me?x=1", e.z.AdminToken(), "")
		if r.status != 307 || r.header.Get("Location") != other.URL()+"/users/me?x=1" {
			t.Errorf("%d Location %q", r.status, r.header.Get("Location"))
		}
		e.z.AddFault(emulator.Fault{RedirectTo: "https://eu1.make.com/maintenance", Times: 1})
		r = e.do(e.z, "GET", "/users/me", e.z.AdminToken(), "")
		if r.status != 307 || r.header.Get("Location") != "https://eu1.make.com/maintenance" {
			t.Errorf("%d Location %q", r.status, r.header.Get("Location"))
		}
	})
	t.Run("faulted requests do not count against the rate limit", func(t *testing.T) {
		e := newEnv(t, emulator.Options{RateLimit: 1})
		e.z.AddFault(emulator.Fault{Status: 503, Times: 3})
		for range 3 {
			e.do(e.z, "GET", "/users/me", e.z.AdminToken(), "")
		}
		if r := e.do(e.z, "GET", "/users/me", e.z.AdminToken(), ""); r.status != 200 {
			t.Errorf("%d", r.status)
		}
	})
	t.Run("invalid fault panics", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("AddFault accepted status 99")
			}
		}()
		emulator.New(emulator.Options{Zones: []string{"x"}}).Zone("x").AddFault(emulator.Fault{Status: 99})
	})
}

func TestRequestLog(t *testing.T) {
	clock := newFakeClock(at360)
	e := newEnv(t, emulator.Options{Now: clock.Now, RateLimit: 3})
	admin := e.z.AdminToken()
	e.do(e.z, "GET", "/users/me?verbose=1", admin, "")
	e.do(e.z, "GET", "/users/me", "not-a-token", "")
	e.z.AddFault(emulator.Fault{Status: 502, HTML: true, Times: 1})
	e.do(e.z, "DELETE", "/users/me/api-tokens/2024-03-27T05%3A53%3A27.360Z", admin, "")
	e.do(e.z, "GET", "/users/me", admin, "")
	e.do(e.z, "GET", "/users/me", admin, "") // rate limited
	e.control(e.z, "GET", "/_emulator/state", "")
	reqs := e.z.Requests()
	me := e.z.User().ID
	want := []emulator.Request{
		{Method: "GET", Path: "/api/v2/users/me", Query: "verbose=1", Token: admin, User: me, Status: 200, Time: at360},
		{Method: "GET", Path: "/api/v2/users/me", Token: "not-a-token", Status: 401, Time: at360},
		{Method: "DELETE", Path: "/api/v2/users/me/api-tokens/2024-03-27T05%3A53%3A27.360Z", Token: admin, User: me, Status: 502, Time: at360},
		{Method: "GET", Path: "/api/v2/users/me", Token: admin, User: me, Status: 200, Time: at360},
		{Method: "GET", Path: "/api/v2/users/me", Token: admin, User: me, Status: 429, Time: at360},
	}
	if !slices.EqualFunc(reqs, want, func(a, b emulator.Request) bool { return a == b }) {
		t.Errorf("request log:\n got %+v\nwant %+v", reqs, want)
	}
	e.z.ResetRequests()
	if len(e.z.Requests()) != 0 {
		t.Error("ResetRequests left entries")
	}
}

func TestAccessLogNeverContainsTokens(t *testing.T) {
	var buf testkit.Buffer
	e := newEnv(t, emulator.Options{Log: &buf})
	admin := e.z.AdminToken()
	tok := e.create(e.z, admin, "secret", "user:read")
	e.do(e.z, "GET", "/users/me/api-tokens", admin, "")
	e.do(e.z, "GET", "/users/me/api-tokens/"+tok.Token+"?token="+tok.Token, admin, "")
	e.do(e.z, "GET", "/users/me", strings.ToUpper(admin), "")
	e.do(e.z, admin, "/users/me", admin, "") // a token as the method
	e.control(e.z, "GET", "/_emulator/state", "")
	e.z.AddFault(emulator.Fault{Status: 500, Times: 1})
	e.do(e.z, "GET", "/users/me", admin, "")
	out := buf.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 7 {
		t.Errorf("%d log lines, want 7:\n%s", len(lines), out)
	}
	for _, secret := range []string{admin, tok.Token, strings.ToUpper(admin), tok.Token[9:]} {
		if strings.Contains(strings.ToLower(out), strings.ToLower(secret)) {
			t.Errorf("access log contains a token:\n%s", out)
		}
	}
	if !strings.Contains(out, " eu1 GET /api/v2/users/me/api-tokens 200 ") {
		t.Errorf("access log lacks the list request:\n%s", out)
	}
}

// TestContractThroughTransport runs a client's whole conversation with a
// zone through apicontract.Transport: every request and every answer with a
// status the contract lists must satisfy it.
func TestContractThroughTransport(t *testing.T) {
	clock := newFakeClock(at360.Add(-time.Second))
	e := newEnv(t, emulator.Options{Now: clock.Now, RateLimit: 1000, RetryAfter: true})
	e.client.Transport = apicontract.Transport(t, e.contract, e.client.Transport)
	admin := e.z.AdminToken()
	clock.Set(at360)

	e.do(e.z, "GET", "/users/me", admin, "")
	e.do(e.z, "GET", "/users/me/current-authorization", admin, "")
	e.do(e.z, "GET", "/enums/user-api-token-scopes", admin, "")
	tok := e.create(e.z, admin, "contract", "scenarios:read", "custom-property-structures:read")
	e.create(e.z, admin, "contract", "user:read", "user:write")
	e.list(e.z, admin)
	e.do(e.z, "DELETE", "/users/me/api-tokens/"+tok.Created, admin, "")
	e.do(e.z, "DELETE", "/users/me/api-tokens/2024-03-27T05%3A53%3A27.361Z", admin, "")
	e.do(e.z, "DELETE", "/users/me/api-tokens/2024-03-27T05:53:27.999Z", admin, "") // 404
	reader := e.z.AddToken("reader", []string{"user:read"}, time.Time{})
	e.do(e.z, "POST", "/users/me/api-tokens", reader.Token, `{"label":"x","scope":["user:read"]}`) // 403
	e.do(e.z, "POST", "/users/me/api-tokens", admin, `{"label":"x","scope":["no:such"]}`)          // 400
	e.do(e.z, "GET", "/users/me", "00000000-0000-4000-8000-000000000000", "")                      // 401
	e.z.SetRateLimit(1, true)
	e.do(e.z, "GET", "/users/me/api-tokens", admin, "") // 429
	e.z.SetRateLimit(0, false)
	// Injected faults with statuses the contract does not list, or HTML, are skipped.
	e.z.AddFault(emulator.Fault{Status: 500, Times: 1})
	e.z.AddFault(emulator.Fault{Status: 429, HTML: true, Times: 1})
	e.do(e.z, "GET", "/users/me", admin, "")
	e.do(e.z, "GET", "/users/me", admin, "")

	statuses := map[int]bool{}
	for _, r := range e.z.Requests() {
		statuses[r.Status] = true
	}
	for _, s := range []int{200, 400, 401, 403, 404, 429, 500} {
		if !statuses[s] {
			t.Errorf("the conversation never produced a %d", s)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	admin := e.z.AdminToken()
	const workers, rounds = 8, 15
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				label := fmt.Sprintf("w%d-%d", w, i)
				body, _ := json.Marshal(map[string]any{"label": label, "scope": []string{"user:read"}})
				resp, err := e.client.Post(e.z.URL()+"/users/me/api-tokens", "application/json", bytes.NewReader(body))
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close() // 401: no token; still exercises the log
				req := e.request(e.z, "POST", "/users/me/api-tokens", admin, string(body))
				resp, err = e.client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				var out struct{ APIToken apiToken }
				json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				if i%2 == 0 {
					req := e.request(e.z, "DELETE", "/users/me/api-tokens/"+out.APIToken.Created, admin, "")
					if resp, err := e.client.Do(req); err == nil {
						resp.Body.Close()
					}
				}
				e.z.Tokens()
				e.z.Requests()
				e.z.HasToken(out.APIToken.Token)
				if i == rounds/2 {
					e.z.AddFault(emulator.Fault{Path: "/nothing", Status: 500})
					e.z.SetLatency(0)
					e.z.SetRateLimit(0, false)
				}
			}
		})
	}
	wg.Wait()
	toks := e.z.Tokens()
	if want := 1 + workers*(rounds/2); len(toks) != want {
		t.Errorf("%d tokens left, want %d", len(toks), want)
	}
	seen := map[string]bool{}
	for _, tok := range toks {
		if seen[tok.Created] {
			t.Errorf("created %s twice", tok.Created)
		}
		seen[tok.Created] = true
	}
	// Per round: an unauthenticated POST, a POST, and every other round a DELETE.
	if n, want := len(e.z.Requests()), workers*(2*rounds+(rounds+1)/2); n != want {
		t.Errorf("%d requests logged, want %d", n, want)
	}
}

func TestListTenThousandTokens(t *testing.T) {
	clock := newFakeClock(at360)
	e := newEnv(t, emulator.Options{Now: clock.Now})
	start := time.Now()
	for i := range 10_000 {
		e.z.AddToken(fmt.Sprintf("bulk-%d", i), []string{"scenarios:read"}, at360) // all at one instant
	}
	seed := time.Since(start)
	start = time.Now()
	listed := e.list(e.z, e.z.AdminToken())
	took := time.Since(start)
	if len(listed) != 10_001 {
		t.Fatalf("listed %d", len(listed))
	}
	seen := make(map[string]bool, len(listed))
	for _, l := range listed {
		if seen[l.Created] {
			t.Fatalf("created %s twice", l.Created)
		}
		seen[l.Created] = true
	}
	if listed[0].Created != "2024-03-27T05:53:37.360Z" {
		t.Errorf("newest created %s", listed[0].Created)
	}
	t.Logf("seeding 10000 tokens: %v, listing them: %v", seed, took)
	if seed > 5*time.Second || took > 5*time.Second {
		t.Errorf("too slow: seeding %v, listing %v", seed, took)
	}
}

func BenchmarkList10000(b *testing.B) {
	srv := emulator.New(emulator.Options{Zones: []string{"eu1"}})
	z := srv.Zone("eu1")
	for i := range 10_000 {
		z.AddToken(fmt.Sprintf("bulk-%d", i), []string{"scenarios:read"}, time.Time{})
	}
	h := z.Handler()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, "http://eu1.test/api/v2/users/me/api-tokens", nil)
		req.RequestURI = "/api/v2/users/me/api-tokens"
		req.Header.Set("Authorization", "Token "+z.AdminToken())
		w := &discardWriter{h: http.Header{}}
		h.ServeHTTP(w, req)
		if w.status != 200 {
			b.Fatal(w.status)
		}
	}
}

type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(s int)           { d.status = s }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }

func TestConsecutiveAddrs(t *testing.T) {
	got, err := emulator.ConsecutiveAddrs("127.0.0.1", 18081, emulator.DefaultZones())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"eu1": "127.0.0.1:18081", "eu2": "127.0.0.1:18082", "us1": "127.0.0.1:18083",
		"us2": "127.0.0.1:18084", "celonis-eu1": "127.0.0.1:18085", "celonis-us1": "127.0.0.1:18086",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v", got)
	}
	if got, _ := emulator.ConsecutiveAddrs("::1", 0, []string{"a", "b"}); got["a"] != "[::1]:0" || got["b"] != "[::1]:0" {
		t.Errorf("port 0: %v", got)
	}
	for _, host := range []string{"0.0.0.0", "", "example.com", "10.0.0.1"} {
		if _, err := emulator.ConsecutiveAddrs(host, 18081, []string{"a"}); err == nil {
			t.Errorf("host %q accepted", host)
		}
	}
}

// TestClockOffset: a zone whose clock is moved writes its `created` and its
// Date header on that clock, and says so in its settings.
func TestClockOffset(t *testing.T) {
	clock := newFakeClock(at360)
	e := newEnv(t, emulator.Options{Now: clock.Now})
	if r := e.do(e.z, "GET", "/users/me", e.z.AdminToken(), ""); r.header.Get("Date") != "Wed, 27 Mar 2024 05:53:27 GMT" {
		t.Errorf("Date = %q, want the server's clock", r.header.Get("Date"))
	}
	e.z.SetClockOffset(-2 * time.Hour)
	tok := e.create(e.z, e.z.AdminToken(), "skewed", "user:read")
	if tok.Created != "2024-03-27T03:53:27.360Z" {
		t.Errorf("created = %q, want two hours behind the server's clock", tok.Created)
	}
	if r := e.do(e.z, "GET", "/users/me", e.z.AdminToken(), ""); r.header.Get("Date") != "Wed, 27 Mar 2024 03:53:27 GMT" {
		t.Errorf("Date = %q, want the zone's clock", r.header.Get("Date"))
	}
	// The other zone keeps the server's clock.
	if r := e.do(e.srv.Zone("us1"), "GET", "/users/me", e.srv.Zone("us1").AdminToken(), ""); r.header.Get("Date") != "Wed, 27 Mar 2024 05:53:27 GMT" {
		t.Errorf("us1 Date = %q", r.header.Get("Date"))
	}
	// The control API reads and sets it.
	if r := e.control(e.z, "POST", "/_emulator/settings", `{"clockOffset":"90m"}`); r.status != 200 || !strings.Contains(string(r.body), `"clockOffset":"1h30m0s"`) {
		t.Errorf("POST settings clockOffset: %d %s", r.status, r.body)
	}
	if e.z.ClockOffset() != 90*time.Minute {
		t.Errorf("ClockOffset = %v", e.z.ClockOffset())
	}
	if r := e.control(e.z, "POST", "/_emulator/settings", `{"clockOffset":"soon"}`); r.status != 400 {
		t.Errorf("a bad clockOffset: %d", r.status)
	}
}

// TestFaultFinish: with Finish, a delayed create is carried out although
// its client gave up during the delay; without it, it is not.
func TestFaultFinish(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	admin := e.z.AdminToken()
	for _, finish := range []bool{false, true} {
		label := fmt.Sprintf("finish-%v", finish)
		e.z.AddFault(emulator.Fault{Method: "POST", Path: "/users/me/api-tokens", Delay: 300 * time.Millisecond, Finish: finish, Times: 1})
		client := &http.Client{Timeout: 50 * time.Millisecond}
		req := e.request(e.z, "POST", "/users/me/api-tokens", admin, `{"label":"`+label+`","scope":["user:read"]}`)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("finish=%v: the client got an answer before its timeout", finish)
		}
		time.Sleep(600 * time.Millisecond)
		n := 0
		for _, tok := range e.z.Tokens() {
			if tok.Label == label {
				n++
			}
		}
		if want := map[bool]int{false: 0, true: 1}[finish]; n != want {
			t.Errorf("finish=%v: %d tokens made, want %d", finish, n, want)
		}
	}
	var f emulator.Fault
	if err := json.Unmarshal([]byte(`{"delay":"1s","finish":true}`), &f); err != nil || !f.Finish {
		t.Errorf("control form: %+v, %v", f, err)
	}
}

// TestSeveralUsers: a zone holds several users; a token acts as its own
// user only: /users/me names them, the list has their tokens only, a
// create is theirs, and another user's token cannot be revoked with it.
// The request log says whose token made each request.
func TestSeveralUsers(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	first := e.z.User()
	bob, bobAdmin := e.z.AddUser("Bob", "bob@example.com")
	carol, carolAdmin := e.z.AddUser("Carol", "carol@example.com")
	if bob.ID == first.ID || carol.ID == bob.ID || bobAdmin.User != bob.ID || carolAdmin.User != carol.ID {
		t.Fatalf("ids: first %d, bob %d (token's %d), carol %d (token's %d)", first.ID, bob.ID, bobAdmin.User, carol.ID, carolAdmin.User)
	}
	if got := e.z.Users(); len(got) != 3 || got[0].ID != first.ID || got[1].Email != "bob@example.com" || got[2].Name != "Carol" {
		t.Fatalf("Users() = %+v", got)
	}
	if e.z.AdminToken() == bobAdmin.Token || e.z.AdminTokenOf(bob.ID) != bobAdmin.Token || e.z.AdminTokenOf(first.ID) != e.z.AdminToken() {
		t.Error("each user has an admin token of their own; AdminToken is the first user's")
	}
	if u, ok := e.z.UserByEmail("carol@example.com"); !ok || u.ID != carol.ID {
		t.Errorf("UserByEmail(carol) = %+v, %v", u, ok)
	}

	me := func(token string) emulator.User {
		t.Helper()
		r := e.do(e.z, "GET", "/users/me", token, "")
		if r.status != 200 {
			t.Fatalf("/users/me: %d", r.status)
		}
		var out struct{ AuthUser emulator.User }
		r.json(t, &out)
		return out.AuthUser
	}
	if got := me(e.z.AdminToken()); got.ID != first.ID {
		t.Errorf("/users/me with the first user's token: %d", got.ID)
	}
	if got := me(bobAdmin.Token); got.ID != bob.ID || got.Email != "bob@example.com" {
		t.Errorf("/users/me with Bob's token: %+v", got)
	}

	made := e.create(e.z, bobAdmin.Token, "bob-ci", "user:read")
	if owner, ok := e.z.TokenOwner(made.Token); !ok || owner != bob.ID {
		t.Errorf("a token Bob created belongs to %d, %v", owner, ok)
	}
	seeded, ok := e.z.AddTokenFor(carol.ID, "carol-seed", []string{"user:read"}, time.Time{})
	if !ok || seeded.User != carol.ID {
		t.Fatalf("AddTokenFor(carol) = %+v, %v", seeded, ok)
	}
	if _, ok := e.z.AddTokenFor(424242, "nobody", nil, time.Time{}); ok {
		t.Error("AddTokenFor an unknown user added a token")
	}
	labels := func(token string) []string {
		var out []string
		for _, tok := range e.list(e.z, token) {
			out = append(out, tok.Label)
		}
		slices.Sort(out)
		return out
	}
	if got := labels(bobAdmin.Token); !slices.Equal(got, []string{"bob-ci", "emulator admin"}) {
		t.Errorf("Bob's list: %v", got)
	}
	if got := labels(carolAdmin.Token); !slices.Equal(got, []string{"carol-seed", "emulator admin"}) {
		t.Errorf("Carol's list: %v", got)
	}
	if got := labels(e.z.AdminToken()); !slices.Equal(got, []string{"emulator admin"}) {
		t.Errorf("the first user's list: %v", got)
	}
	if n := len(e.z.Tokens()); n != 5 {
		t.Errorf("Tokens() holds every user's: %d, want 5", n)
	}

	// Carol cannot revoke Bob's token: not found, and it still works.
	path := "/users/me/api-tokens/" + url.PathEscape(made.Created)
	if r := e.do(e.z, "DELETE", path, carolAdmin.Token, ""); r.status != 404 {
		t.Errorf("Carol revoking Bob's token: %d, want 404", r.status)
	}
	if !e.z.HasToken(made.Token) {
		t.Fatal("Carol revoked Bob's token")
	}
	if r := e.do(e.z, "DELETE", path, bobAdmin.Token, ""); r.status != 200 || e.z.HasToken(made.Token) {
		t.Errorf("Bob revoking his own token: %d", r.status)
	}

	// The log names the user of each request's token.
	e.z.ResetRequests()
	e.do(e.z, "GET", "/users/me", bobAdmin.Token, "")
	e.do(e.z, "GET", "/users/me", carolAdmin.Token, "")
	e.do(e.z, "GET", "/users/me", "not-a-token", "")
	var got []int64
	for _, r := range e.z.Requests() {
		got = append(got, r.User)
	}
	if !slices.Equal(got, []int64{bob.ID, carol.ID, 0}) {
		t.Errorf("request log users: %v, want %v", got, []int64{bob.ID, carol.ID, 0})
	}

	// SetUserOf renames one user only.
	if !e.z.SetUserOf(bob.ID, "Robert", "robert@example.com") || e.z.SetUserOf(424242, "x", "y") {
		t.Error("SetUserOf")
	}
	if got := me(bobAdmin.Token); got.Email != "robert@example.com" {
		t.Errorf("after SetUserOf: %+v", got)
	}
	if got := me(carolAdmin.Token); got.Email != "carol@example.com" {
		t.Errorf("SetUserOf(bob) changed Carol: %+v", got)
	}

	// The same through the control API.
	r := e.control(e.z, "POST", "/_emulator/users", `{"name":"Dan","email":"dan@example.com"}`)
	if r.status != 201 {
		t.Fatalf("POST /_emulator/users: %d %s", r.status, r.body)
	}
	var added struct {
		User       emulator.User
		AdminToken string
	}
	r.json(t, &added)
	if got := me(added.AdminToken); got.ID != added.User.ID || got.Email != "dan@example.com" {
		t.Errorf("Dan's admin token answers as %+v", got)
	}
	r = e.control(e.z, "POST", "/_emulator/tokens", fmt.Sprintf(`{"label":"dan-ci","scope":["user:read"],"user":%d}`, added.User.ID))
	if r.status != 201 {
		t.Fatalf("POST /_emulator/tokens for Dan: %d %s", r.status, r.body)
	}
	var tok emulator.Token
	r.json(t, &tok)
	if tok.User != added.User.ID {
		t.Errorf("the control API's token for Dan belongs to %d", tok.User)
	}
	if r := e.control(e.z, "POST", "/_emulator/tokens", `{"label":"x","scope":[],"user":424242}`); r.status != 400 {
		t.Errorf("a token for an unknown user: %d", r.status)
	}
	if r := e.control(e.z, "POST", "/_emulator/users", `{"name":"no email"}`); r.status != 400 {
		t.Errorf("a user without an email: %d", r.status)
	}
	var state struct{ Users []emulator.User }
	e.control(e.z, "GET", "/_emulator/state", "").json(t, &state)
	if len(state.Users) != 4 {
		t.Errorf("state lists %d users, want 4", len(state.Users))
	}
}

// A token made alike another shares its first group, the part a list
// shows, and nothing else; it is a token of its own.
func TestAddTokenAlike(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	admin := e.z.AdminToken()
	alike, ok := e.z.AddTokenAlike("twin", []string{"user:read"}, time.Time{}, admin)
	if !ok {
		t.Fatal("AddTokenAlike refused the admin token")
	}
	first, _, _ := strings.Cut(admin, "-")
	if !strings.HasPrefix(alike.Token, first+"-") || alike.Token == admin || len(alike.Token) != len(admin) {
		t.Errorf("alike = %q, want %s-… other than %q", alike.Token, first, admin)
	}
	if !e.z.HasToken(alike.Token) || !e.z.HasToken(admin) {
		t.Error("the alike token or the admin token is missing")
	}
	if r := e.do(e.z, "GET", "/users/me/current-authorization", alike.Token, ""); r.status != 200 {
		t.Errorf("the alike token is refused: %d %s", r.status, r.body)
	}
	for _, like := range []string{"", "short-1", "nodash"} {
		if _, ok := e.z.AddTokenAlike("x", nil, time.Time{}, like); ok {
			t.Errorf("AddTokenAlike(%q) = ok, want refused", like)
		}
	}
}
