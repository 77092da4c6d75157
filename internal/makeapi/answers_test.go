package makeapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/maketoken/maketoken/internal/redact"
	"github.com/maketoken/maketoken/internal/testkit"
)

// call runs one client method and returns its error.
type call func(ctx context.Context, c *Client) error

var (
	callMe     call = func(ctx context.Context, c *Client) error { _, err := c.Me(ctx); return err }
	callAuth   call = func(ctx context.Context, c *Client) error { _, err := c.CurrentAuthorization(ctx); return err }
	callList   call = func(ctx context.Context, c *Client) error { _, err := c.ListTokens(ctx); return err }
	callScopes call = func(ctx context.Context, c *Client) error { _, err := c.Scopes(ctx); return err }
	callCreate call = func(ctx context.Context, c *Client) error {
		_, err := c.CreateToken(ctx, "l", []string{"user:read"})
		return err
	}
	callDelete call = func(ctx context.Context, c *Client) error {
		return c.DeleteToken(ctx, Token{Created: "2024-03-27T05:53:27.360Z"})
	}
)

// TestAnswersOfTheWrongKind feeds every call answers that are not what
// Make promises: each must give a clear error (or be handled), never a
// panic and never a success that hides the problem.
func TestAnswersOfTheWrongKind(t *testing.T) {
	cases := []struct {
		name   string
		method string
		path   string
		status int
		body   string
		html   bool
		call   call
		want   string // in the error; "" means the call succeeds
	}{
		{"me: array", "GET", "/users/me", 200, `[]`, false, callMe, "unexpected shape"},
		{"me: authUser is a list", "GET", "/users/me", 200, `{"authUser":[1]}`, false, callMe, "unexpected shape: authUser is a JSON array"},
		{"me: no authUser", "GET", "/users/me", 200, `{"user":{}}`, false, callMe, `no "authUser"`},
		{"me: null authUser", "GET", "/users/me", 200, `{"authUser":null}`, false, callMe, `no "authUser"`},
		{"me: truncated", "GET", "/users/me", 200, `{"authUser":{"id":1,"name":"a`, false, callMe, "invalid JSON"},
		{"me: id as text", "GET", "/users/me", 200, `{"authUser":{"id":"12"}}`, false, callMe, "authUser.id is a JSON string"},
		{"me: unknown fields are fine", "GET", "/users/me", 200, `{"authUser":{"id":1,"name":"n","email":"e","teams":[{"x":1}]},"extra":true}`, false, callMe, "-"},
		{"me: HTML page with 200", "GET", "/users/me", 200, "", true, callMe, "HTML page instead of JSON"},
		{"auth: scope is text", "GET", "/users/me/current-authorization", 200, `{"authorization":{"scope":"user:read"}}`, false, callAuth, "authorization.scope is a JSON string"},
		{"auth: missing", "GET", "/users/me/current-authorization", 200, `{}`, false, callAuth, `no "authorization"`},
		{"list: null", "GET", "/users/me/api-tokens", 200, `{"apiTokens":null}`, false, callList, `no "apiTokens"`},
		{"list: object", "GET", "/users/me/api-tokens", 200, `{"apiTokens":{"a":1}}`, false, callList, "apiTokens is a JSON object"},
		{"list: no created", "GET", "/users/me/api-tokens", 200, `{"apiTokens":[{"token":"abc","label":"x"}]}`, false, callList, `token 1 has no "created"`},
		{"list: created as a number", "GET", "/users/me/api-tokens", 200, `{"apiTokens":[{"created":1711518807}]}`, false, callList, "created is a JSON number"},
		{"list: odd timestamps and no dashes are kept", "GET", "/users/me/api-tokens", 200, `{"apiTokens":[{"token":"abcdef0123456789","created":"27/03/2024 05:53","scope":null,"label":""}]}`, false, callList, "-"},
		{"list: trailing garbage", "GET", "/users/me/api-tokens", 200, `{"apiTokens":[]} x`, false, callList, "invalid JSON"},
		{"scopes: text", "GET", "/enums/user-api-token-scopes", 200, `{"userApiTokenScopes":"all"}`, false, callScopes, "userApiTokenScopes is a JSON string"},
		{"scopes: missing", "GET", "/enums/user-api-token-scopes", 200, `{"scopes":[]}`, false, callScopes, `no "userApiTokenScopes"`},
		{"create: no token", "POST", "/users/me/api-tokens", 200, `{"apiToken":{"created":"2024-03-27T05:53:27.360Z"}}`, false, callCreate, "may have been created"},
		{"create: HTML", "POST", "/users/me/api-tokens", 200, "", true, callCreate, "HTML page instead of JSON"},
		{"delete: any JSON is done", "DELETE", "/users/me/api-tokens/*", 200, `{"apiToken":5}`, false, callDelete, "-"},
		{"delete: HTML with 200", "DELETE", "/users/me/api-tokens/*", 200, "", true, callDelete, "HTML page instead of JSON"},
		{"error: Make's body", "GET", "/users/me", 400, `{"detail":"Validation failed.","message":"Invalid input","code":"IM005","suberrors":[{"message":"Bad label."},{"message":"Bad scope."}]}`, false, callMe, "400 Bad Request: Validation failed. [IM005]; Bad label.; Bad scope."},
		{"error: suberrors of the wrong shape", "GET", "/users/me", 400, `{"detail":"d","suberrors":"oops"}`, false, callMe, "400 Bad Request: d"},
		{"error: plain text", "GET", "/users/me", 418, `I'm a teapot`, false, callMe, "not Make's JSON"},
		{"error: HTML from a proxy", "GET", "/users/me", 403, "", true, callMe, `HTML page: title "403 Forbidden"`},
		{"error: detail with control characters", "GET", "/users/me", 400, "{\"detail\":\"line1\\nline2\\u001b[31m\"}", false, callMe, `line1\nline2\x1b[31m`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newUncheckedEnv(t)
			f := emulator.Fault{Method: tc.method, Path: tc.path, Status: tc.status, Body: tc.body, HTML: tc.html, Times: 1}
			e.z.AddFault(f)
			err := tc.call(ctxWithin(t, 10*time.Second), e.client(e.z))
			if tc.want == "-" {
				if err != nil {
					t.Fatalf("err = %v, want success", err)
				}
				return
			}
			checkErr(t, err, tc.want)
		})
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one with %q", want)
	}
	msg := err.Error()
	if !strings.Contains(msg, want) {
		t.Errorf("err = %q, want it to hold %q", msg, want)
	}
	for _, r := range msg {
		if r == '\n' || r == 0x1b {
			t.Errorf("error message %q holds a control character", msg)
			break
		}
	}
}

func TestEmptyAnswers(t *testing.T) {
	srv := newLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
	}))
	c, _ := New(srv+"/api/v2", "tok", Options{})
	for name, call := range map[string]call{"me": callMe, "list": callList, "scopes": callScopes, "create": callCreate} {
		checkErr(t, call(ctxWithin(t, 10*time.Second), c), "empty answer (200)")
		_ = name
	}
}

func TestDeleteWithAnEmptyAnswerIsDone(t *testing.T) {
	for _, status := range []int{200, 204} {
		srv := newLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }))
		c, _ := New(srv+"/api/v2", "tok", Options{})
		if err := c.DeleteToken(ctxWithin(t, 10*time.Second), Token{Created: "x"}); err != nil {
			t.Errorf("%d: %v", status, err)
		}
	}
}

func TestBodiesAreCapped(t *testing.T) {
	big := `{"apiTokens":[` + strings.Repeat(`{"token":"x","created":"c","label":"l","scope":[]},`, MaxBodyBytes/40) + `{}]}`
	e := newUncheckedEnv(t)
	e.z.AddFault(emulator.Fault{Path: "/users/me/api-tokens", Status: 200, Body: big, Times: 1})
	_, err := e.client(e.z).ListTokens(ctxWithin(t, 30*time.Second))
	var pe *ProtocolError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "larger than 8 MiB") {
		t.Fatalf("err = %v", err)
	}
	if n := len(e.z.Requests()); n != 1 {
		t.Errorf("%d requests; a too-large answer is not retried", n)
	}
	// Error answers too: a huge HTML error page is summarised, not kept.
	srv := newLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("<html><head><title>oops</title></head><body>"))
		w.Write(bytes.Repeat([]byte("x"), MaxBodyBytes+10))
	}))
	c, _ := New(srv+"/api/v2", "tok", Options{})
	_, err = c.Me(ctxWithin(t, 30*time.Second))
	if err == nil || len(err.Error()) > 300 {
		t.Fatalf("err = %.300v", err)
	}
}

func TestRedirects(t *testing.T) {
	t.Run("same origin keeps the credential", func(t *testing.T) {
		e := newTestEnv(t)
		origin := strings.TrimSuffix(e.z.URL(), emulator.BasePath)
		e.z.AddFault(emulator.Fault{Path: "/users/me", RedirectTo: origin + "/", Times: 1})
		if _, err := e.client(e.z).Me(ctxWithin(t, 10*time.Second)); err != nil {
			t.Fatal(err)
		}
		reqs := e.z.Requests()
		if len(reqs) != 2 || reqs[1].Token != e.z.AdminToken() || reqs[1].Status != 200 {
			t.Errorf("requests %+v", reqs)
		}
	})
	t.Run("another origin never gets it", func(t *testing.T) {
		for _, method := range []string{"GET", "POST", "DELETE"} {
			e := newUncheckedEnv(t) // the other zone gets no Authorization, on purpose
			other := strings.TrimSuffix(e.other.URL(), emulator.BasePath)
			e.z.AddFault(emulator.Fault{Method: method, RedirectTo: other + "/", Times: 1})
			var err error
			switch method {
			case "GET":
				err = callList(ctxWithin(t, 10*time.Second), e.client(e.z))
			case "POST":
				err = callCreate(ctxWithin(t, 10*time.Second), e.client(e.z))
			case "DELETE":
				err = callDelete(ctxWithin(t, 10*time.Second), e.client(e.z))
			}
			if StatusCode(err) != 401 || !strings.Contains(err.Error(), "answered by "+other+" after a redirect") {
				t.Errorf("%s: err = %v", method, err)
			}
			reqs := e.other.Requests()
			if len(reqs) == 0 {
				t.Fatalf("%s: the redirect was not followed", method)
			}
			for _, r := range reqs {
				if r.Token != "" {
					t.Errorf("%s: the other zone received a credential: %q", method, redact.New().String(r.Token))
				}
			}
			if len(e.other.Tokens()) != 1 {
				t.Errorf("%s: the other zone's tokens changed", method)
			}
		}
	})
	t.Run("another origin's success is an error", func(t *testing.T) {
		// A 204 (or 200) from wherever a redirect led did nothing at the
		// zone: the credential never went there.
		for _, status := range []int{204, 200} {
			e := newUncheckedEnv(t)
			other := strings.TrimSuffix(e.other.URL(), emulator.BasePath)
			e.z.AddFault(emulator.Fault{Method: "DELETE", RedirectTo: other + "/", Times: 1})
			body := ""
			if status == 200 {
				body = "{}"
			}
			e.other.AddFault(emulator.Fault{Method: "DELETE", Status: status, Body: body})
			err := callDelete(ctxWithin(t, 10*time.Second), e.client(e.z))
			var pe *ProtocolError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), fmt.Sprintf("the answer (%d) came from %s after a redirect", status, other)) {
				t.Errorf("%d: err = %v", status, err)
			}
		}
	})
	t.Run("another port of the same host is another origin", func(t *testing.T) {
		// Go's own redirect rule compares host names only; both zones
		// are 127.0.0.1 here.
		e := newUncheckedEnv(t)
		if !strings.HasPrefix(e.z.URL(), "http://127.0.0.1:") || !strings.HasPrefix(e.other.URL(), "http://127.0.0.1:") {
			t.Skip("zones are not on 127.0.0.1")
		}
		e.z.AddFault(emulator.Fault{RedirectTo: e.other.URL() + "/users/me", Times: 1})
		_ = callMe(ctxWithin(t, 10*time.Second), e.client(e.z))
		if reqs := e.other.Requests(); len(reqs) != 1 || reqs[0].Token != "" {
			t.Errorf("other zone saw %+v", reqs)
		}
	})
	t.Run("https to http is refused", func(t *testing.T) {
		e := newTestEnv(t)
		tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, e.z.URL()+"/users/me", http.StatusFound)
		}))
		t.Cleanup(tls.Close)
		tr := tls.Client().Transport.(*http.Transport)
		t.Cleanup(tr.CloseIdleConnections) // before Close, which would wait for them
		hc := NewHTTPClient(tr, 0)
		c, _ := New(tls.URL+"/api/v2", e.z.AdminToken(), Options{HTTPClient: hc})
		_, err := c.Me(ctxWithin(t, 10*time.Second))
		if !errors.Is(err, ErrInsecureRedirect) {
			t.Fatalf("err = %v", err)
		}
		if n := len(e.z.Requests()); n != 0 {
			t.Errorf("the http server got %d requests", n)
		}
	})
	t.Run("redirect loops end", func(t *testing.T) {
		e := newTestEnv(t)
		origin := strings.TrimSuffix(e.z.URL(), emulator.BasePath)
		e.z.AddFault(emulator.Fault{RedirectTo: origin + "/"})
		_, err := e.client(e.z).Me(ctxWithin(t, 10*time.Second))
		if err == nil || !strings.Contains(err.Error(), "stopped after 5 redirects") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestTraceHidesSecrets(t *testing.T) {
	e := newTestEnv(t)
	var trace bytes.Buffer
	r := redact.New()
	hc := NewHTTPClient(&TraceTransport{Base: e.hc.Transport, W: &trace, Redactor: r}, 0)
	admin := e.z.AdminToken()
	r.Add(admin)
	c, _ := New(e.z.URL(), admin, Options{HTTPClient: hc})
	ctx := ctxWithin(t, 10*time.Second)
	tok, err := c.CreateToken(ctx, "traced", []string{"user:read"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListTokens(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.WithToken(tok.Token).DeleteToken(ctx, Token{Created: tok.Created}); err == nil {
		t.Fatal("a token without user:write deleted a token")
	}
	out := trace.String()
	for _, secret := range []string{admin, tok.Token, tok.Token[9:]} {
		if strings.Contains(out, secret) {
			t.Errorf("trace holds a secret:\n%s", out)
		}
	}
	for _, want := range []string{
		"> POST " + e.z.URL() + "/users/me/api-tokens\n",
		"> Authorization: Token [REDACTED]\n",
		`> {"label":"traced","scope":["user:read"]}`,
		"< HTTP/1.1 200 OK (",
		`"token":"[REDACTED]"`,
		"< Content-Type: application/json",
		"> GET " + e.z.URL() + "/users/me/api-tokens\n",
		"-****-****-****-************", // masked tokens stay readable
		"< HTTP/1.1 403 Forbidden",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
	// A token of an unexpected shape in a create answer is hidden too.
	e2 := newUncheckedEnv(t)
	trace.Reset()
	e2.z.AddFault(emulator.Fault{Method: "POST", Status: 200, Body: `{"apiToken":{"token":"NoDashSecretValue","created":"c","label":"l","scope":[]}}`, Times: 1})
	hc2 := NewHTTPClient(&TraceTransport{Base: e2.hc.Transport, W: &trace, Redactor: redact.New()}, 0)
	c2, _ := New(e2.z.URL(), e2.z.AdminToken(), Options{HTTPClient: hc2})
	got, err := c2.CreateToken(ctx, "l", []string{"user:read"})
	if err != nil || got.Token != "NoDashSecretValue" {
		t.Fatalf("%+v %v", got, err)
	}
	if strings.Contains(trace.String(), "NoDashSecretValue") || strings.Contains(trace.String(), e2.z.AdminToken()) {
		t.Errorf("trace holds a secret:\n%s", trace.String())
	}
}

func TestTraceShowsErrorsAndRedirects(t *testing.T) {
	e := newUncheckedEnv(t)
	var trace bytes.Buffer
	hc := NewHTTPClient(&TraceTransport{Base: e.hc.Transport, W: &trace, Redactor: redact.New()}, 0)
	other := strings.TrimSuffix(e.other.URL(), emulator.BasePath)
	e.z.AddFault(emulator.Fault{RedirectTo: other + "/", Times: 1})
	e.other.AddFault(emulator.Fault{Drop: true})
	c, _ := New(e.z.URL(), e.z.AdminToken(), Options{HTTPClient: hc, Retry: &RetryPolicy{}})
	_, _ = c.Me(ctxWithin(t, 10*time.Second))
	out := trace.String()
	for _, want := range []string{"< HTTP/1.1 307 Temporary Redirect", "< Location: " + other, "> GET " + other, "< error after"} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
	// The request to the other origin carries no Authorization at all.
	i := strings.Index(out, "> GET "+other)
	if j := strings.Index(out[i:], "< "); strings.Contains(out[i:i+j], "Authorization") {
		t.Errorf("redirected request has Authorization:\n%s", out[i:i+j])
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 3, 27, 5, 53, 27, 0, time.UTC)
	cases := map[string]time.Duration{
		"":                                  0,
		"5":                                 5 * time.Second,
		"0":                                 0,
		"-3":                                0,
		"soon":                              0,
		"1.5":                               0,
		"99999":                             MaxRetryAfter,
		"Wed, 27 Mar 2024 05:53:37 GMT":     10 * time.Second,
		"Wed, 27 Mar 2024 05:53:17 GMT":     0,             // in the past
		"Wednesday, 27-Mar-24 05:54:27 GMT": time.Minute,   // RFC 850
		"Thu, 27 Mar 2025 05:53:27 GMT":     MaxRetryAfter, // capped
	}
	for in, want := range cases {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestBackoff(t *testing.T) {
	p := RetryPolicy{Base: time.Second, Max: 30 * time.Second}
	for _, j := range []float64{0, 0.5, 0.999} {
		p.Jitter = func() float64 { return j }
		prev := time.Duration(0)
		for attempt := range 40 {
			d := p.backoff(attempt)
			ceiling := min(time.Second<<min(attempt, 20), 30*time.Second)
			if d < ceiling/2 || d > ceiling {
				t.Fatalf("jitter %v attempt %d: %v outside [%v, %v]", j, attempt, d, ceiling/2, ceiling)
			}
			if d < prev {
				t.Fatalf("attempt %d: %v shorter than %v", attempt, d, prev)
			}
			prev = d
		}
	}
	// The real jitter spreads waits out.
	p.Jitter = nil
	seen := map[time.Duration]bool{}
	for range 20 {
		seen[p.backoff(3)] = true
	}
	if len(seen) < 5 {
		t.Errorf("only %d different waits: no jitter?", len(seen))
	}
}

func TestRetryDecisions(t *testing.T) {
	ctx := context.Background()
	p := DefaultRetry()
	p.Jitter = func() float64 { return 0 }
	errRefused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	refused := &TransportError{Method: "POST", URL: "u", Err: errRefused}
	reset := &TransportError{Method: "POST", URL: "u", Err: errors.New("read: connection reset by peer")}
	// Each outcome, and whether it is tried again after a GET (and a
	// DELETE, which is retried as a GET is) and after a POST.
	cases := []struct {
		status    int
		err       error
		get, post bool
	}{
		{429, &APIError{StatusCode: 429}, true, true},
		{502, &APIError{StatusCode: 502}, true, false},
		{503, &APIError{StatusCode: 503}, true, false},
		{504, &APIError{StatusCode: 504}, true, false},
		{500, &APIError{StatusCode: 500}, false, false},
		{401, &APIError{StatusCode: 401}, false, false},
		{0, reset, true, false},
		{0, refused, true, true},
		{0, errors.New("something else"), false, false},
		{0, &TransportError{Err: context.DeadlineExceeded}, false, false},
	}
	for _, tc := range cases {
		for method, want := range map[string]bool{"GET": tc.get, "DELETE": tc.get, "POST": tc.post} {
			if d := p.next(ctx, method, 0, tc.status, tc.err); d.retry != want {
				t.Errorf("%s %d %v: retry = %v, want %v", method, tc.status, tc.err, d.retry, want)
			}
		}
	}
	// Limits.
	if p.next(ctx, "GET", 3, 503, &APIError{StatusCode: 503}).retry {
		t.Error("a 4th retry of a 503")
	}
	if !p.next(ctx, "GET", 9, 429, &APIError{StatusCode: 429}).retry || p.next(ctx, "GET", 10, 429, &APIError{StatusCode: 429}).retry {
		t.Error("429s get 10 retries")
	}
	// A cancelled context ends everything.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if p.next(cancelled, "GET", 0, 503, &APIError{StatusCode: 503}).retry {
		t.Error("retry after cancel")
	}
}

func TestMatchesPrefixMask(t *testing.T) {
	secret := "3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e"
	cases := []struct {
		listed, secret string
		want           bool
	}{
		{"3f2a9c1d-****-****-****-************", secret, true},
		{"3f2a9c1d-xxxx-xxxx-xxxx-xxxxxxxxxxxx", secret, true},
		{secret, secret, true},
		{"3f2a9c1e-****-****-****-************", secret, false},
		{"3f2a-****", secret, false}, // too short to mean anything
		{"********-****-****-****-************", secret, false},
		{"", secret, false},
		{"3f2a9c1d-****", "", false},
		// Tokens without dashes: the list shows their start.
		{"abcdef012345********************", "abcdef0123456789abcdef0123456789", true},
		{"abcdef01••••••••", "abcdef0123456789", true},
		{"abcdef01********", "abcdef0223456789", false},
		{"abcdef0123456789", "abcdef0123456789", true},
	}
	for _, tc := range cases {
		if got := Matches(tc.listed, tc.secret); got != tc.want {
			t.Errorf("Matches(%q, %q) = %v, want %v", tc.listed, tc.secret, got, tc.want)
		}
	}
	testkit.Answers(t, "Mask", Mask, map[string]string{
		secret:             "3f2a9c1d-****-****-****-************",
		"abcdef0123456789": "abcdef01********",
		"short":            "*****",
		"":                 "",
	})
}

// FuzzParseError checks Make error-body parsing on any answer: no panic,
// and a one-line, bounded message without control characters.
func FuzzParseError(f *testing.F) {
	f.Add(400, `{"detail":"Validation failed.","message":"Invalid input","code":"IM005","suberrors":[{"message":"x"}]}`, "")
	f.Add(429, `{"detail":"Requests limit for organization exceeded, please try again later.","code":"SC429"}`, "7")
	f.Add(502, "<html><head><title>502 Bad Gateway</title></head><body></body></html>", "")
	f.Add(503, "", "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add(401, `{"detail":5,"suberrors":{"message":1}}`, "")
	f.Add(403, "{\"detail\":\"\\u001b]0;pwned\\u0007\"}", "-1")
	f.Fuzz(func(t *testing.T, status int, body, retryAfter string) {
		ans := answer{status: status, data: []byte(body), header: http.Header{"Retry-After": {retryAfter}}}
		e := parseError("GET", "/users/me", ans)
		if e.RetryAfter < 0 || e.RetryAfter > time.Hour {
			t.Fatalf("RetryAfter %v", e.RetryAfter)
		}
		msg := e.Error()
		if len(msg) > 5000 {
			t.Fatalf("message of %d bytes", len(msg))
		}
		for _, r := range msg {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("control character %U in %q", r, msg)
			}
		}
		_ = StatusCode(e)
	})
}

// FuzzDecode feeds arbitrary 2xx answers to every endpoint's decoder: an
// error or a value, never a panic; never a create "success" without a token.
func FuzzDecode(f *testing.F) {
	f.Add(`{"authUser":{"id":1}}`)
	f.Add(`{"apiTokens":[{"token":"a","created":"c"}]}`)
	f.Add(`{"apiToken":{"token":"t","created":"c","scope":["user:read"],"label":"l"}}`)
	f.Add(`{"userApiTokenScopes":[{"name":"a"},{"name":""},{}]}`)
	f.Add(`<!DOCTYPE html><title>x</title>`)
	f.Add(`{"apiToken":{"token":"","created":""}}`)
	f.Fuzz(func(t *testing.T, body string) {
		hc := NewHTTPClient(roundTripFunc(func(req *http.Request) (*http.Response, error) {
			return &http.Response{
				StatusCode: http.StatusOK, Proto: "HTTP/1.1", Request: req,
				Header: http.Header{"Content-Type": {"application/json"}},
				Body:   io.NopCloser(strings.NewReader(body)),
			}, nil
		}), 0)
		c, _ := New("https://eu1.make.com/api/v2", "tok", Options{HTTPClient: hc, Retry: &RetryPolicy{}})
		ctx := context.Background()
		_, _ = c.Me(ctx)
		_, _ = c.CurrentAuthorization(ctx)
		if toks, err := c.ListTokens(ctx); err == nil {
			for _, tok := range toks {
				if tok.Created == "" {
					t.Fatal("a listed token without created")
				}
				_ = Mask(tok.Token)
				_ = Matches(tok.Token, "3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e")
			}
		}
		if _, err := c.Scopes(ctx); err != nil {
			_ = err.Error()
		}
		if tok, err := c.CreateToken(ctx, "l", []string{"s"}); err == nil && (tok.Token == "" || tok.Created == "") {
			t.Fatalf("create succeeded without a token: %+v", tok)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
