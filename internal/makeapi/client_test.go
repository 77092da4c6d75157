package makeapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/apicontract"
	"github.com/maketoken/maketoken/internal/emulator"
)

// testEnv is an emulator with two zones and a client for the first one.
// Every request and answer goes through apicontract.Transport, which
// checks them against Make's API contract. Retry waits are recorded, not
// slept, so that storms of errors cost no time.
type testEnv struct {
	t      *testing.T
	srv    *emulator.Server
	z      *emulator.Zone // the zone the client talks to
	other  *emulator.Zone // another zone, for redirects
	hc     *http.Client
	policy RetryPolicy
	mu     sync.Mutex
	waits  []time.Duration
	events []RetryEvent
}

func newTestEnv(t *testing.T) *testEnv { return newEnvChecked(t, true) }

// newUncheckedEnv is a testEnv without the contract check, for tests that
// make the emulator answer in ways the contract does not allow.
func newUncheckedEnv(t *testing.T) *testEnv { return newEnvChecked(t, false) }

func newEnvChecked(t *testing.T, checked bool) *testEnv {
	t.Helper()
	srv := emulator.New(emulator.Options{Zones: []string{"eu1", "us1"}})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	e := &testEnv{t: t, srv: srv, z: srv.Zone("eu1"), other: srv.Zone("us1")}
	// No keep-alives: every try is its own connection, so that Go's
	// transport never retries a dropped request behind the client's back.
	base := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(base.CloseIdleConnections)
	var rt http.RoundTripper = base
	if checked {
		contract, err := apicontract.Load()
		if err != nil {
			t.Fatal(err)
		}
		rt = apicontract.Transport(t, contract, base)
	}
	e.hc = NewHTTPClient(rt, 0)
	e.policy = DefaultRetry()
	e.policy.Jitter = func() float64 { return 0.5 }
	e.policy.Sleep = func(ctx context.Context, d time.Duration) error {
		e.mu.Lock()
		e.waits = append(e.waits, d)
		e.mu.Unlock()
		return ctx.Err()
	}
	return e
}

// client returns a client for zone z with the admin token.
func (e *testEnv) client(z *emulator.Zone) *Client {
	e.t.Helper()
	p := e.policy
	c, err := New(z.URL(), z.AdminToken(), Options{
		HTTPClient: e.hc,
		Retry:      &p,
		OnRetry: func(ev RetryEvent) {
			e.mu.Lock()
			e.events = append(e.events, ev)
			e.mu.Unlock()
		},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *testEnv) recordedWaits() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Duration(nil), e.waits...)
}

// requests returns "METHOD STATUS" for every request z received.
func requests(z *emulator.Zone) []string {
	var out []string
	for _, r := range z.Requests() {
		s := r.Method + " " + http.StatusText(r.Status)
		if r.Status == 0 {
			s = r.Method + " -"
		}
		if r.Dropped {
			s += " dropped"
		}
		out = append(out, s)
	}
	return out
}

func count(reqs []string, method string) int {
	n := 0
	for _, r := range reqs {
		if strings.HasPrefix(r, method+" ") {
			n++
		}
	}
	return n
}

func ctxWithin(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestGETRetriedOn429StormWithoutRetryAfter(t *testing.T) {
	e := newTestEnv(t)
	e.z.AddFault(emulator.Fault{Method: "GET", Path: "/users/me", Status: 429, Times: 4})
	u, err := e.client(e.z).Me(ctxWithin(t, 30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != e.z.User().ID {
		t.Errorf("user %+v", u)
	}
	// Exponential backoff, half fixed and half jitter (0.5 here).
	want := []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 6 * time.Second}
	if got := e.recordedWaits(); !equalDurations(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}
	reqs := requests(e.z)
	if len(reqs) != 5 || reqs[4] != "GET OK" {
		t.Errorf("requests %q", reqs)
	}
	if len(e.events) != 4 || e.events[0].Attempt != 1 || !strings.Contains(e.events[0].String(), "429 Too Many Requests; retry 1 in 750ms") {
		t.Errorf("events %v", e.events)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	t.Run("seconds", func(t *testing.T) {
		e := newTestEnv(t)
		e.z.AddFault(emulator.Fault{Path: "/users/me/api-tokens", Status: 429, RetryAfter: "7", Times: 2})
		if _, err := e.client(e.z).ListTokens(ctxWithin(t, time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got := e.recordedWaits(); !equalDurations(got, []time.Duration{7 * time.Second, 7 * time.Second}) {
			t.Errorf("waits %v", got)
		}
	})
	t.Run("HTTP date", func(t *testing.T) {
		e := newTestEnv(t)
		at := time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat)
		e.z.AddFault(emulator.Fault{Path: "/users/me", Status: 503, RetryAfter: at, Times: 1})
		if _, err := e.client(e.z).Me(ctxWithin(t, time.Minute)); err != nil {
			t.Fatal(err)
		}
		got := e.recordedWaits()
		if len(got) != 1 || got[0] < 3*time.Second || got[0] > 5*time.Second {
			t.Errorf("waits %v, want about 5s", got)
		}
	})
	t.Run("longer than the deadline: give up at once", func(t *testing.T) {
		e := newTestEnv(t)
		e.z.AddFault(emulator.Fault{Path: "/users/me", Status: 429, RetryAfter: "20", Times: 1})
		start := time.Now()
		_, err := e.client(e.z).Me(ctxWithin(t, 3*time.Second))
		if StatusCode(err) != 429 || !strings.Contains(err.Error(), "past the command's time limit") {
			t.Fatalf("err = %v", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("took %v; it should not wait for a retry it cannot make", d)
		}
		if got := e.recordedWaits(); len(got) != 0 {
			t.Errorf("waited %v", got)
		}
	})
}

func TestRateLimitRetriesAreBounded(t *testing.T) {
	e := newTestEnv(t)
	e.z.AddFault(emulator.Fault{Path: "/users/me", Status: 429}) // for ever
	_, err := e.client(e.z).Me(ctxWithin(t, time.Hour))
	if StatusCode(err) != 429 || !strings.Contains(err.Error(), "tried 11 times") {
		t.Fatalf("err = %v", err)
	}
	if n := len(e.z.Requests()); n != 11 {
		t.Errorf("%d requests, want 11", n)
	}
	// The waits grow, then stay at the cap.
	waits := e.recordedWaits()
	if waits[len(waits)-1] != e.policy.Max*3/4 {
		t.Errorf("last wait %v, want the cap", waits[len(waits)-1])
	}
}

func TestIdempotentCallsRetriedOnGatewayErrors(t *testing.T) {
	for _, status := range []int{502, 503, 504} {
		e := newTestEnv(t)
		e.z.AddFault(emulator.Fault{Status: status, Times: 2})
		if _, err := e.client(e.z).Scopes(ctxWithin(t, time.Minute)); err != nil {
			t.Errorf("%d: %v", status, err)
		}
		if n := len(e.z.Requests()); n != 3 {
			t.Errorf("%d: %d requests, want 3", status, n)
		}
	}
	// HTML pages from a proxy too.
	e := newTestEnv(t)
	e.z.AddFault(emulator.Fault{HTML: true, Status: 502, Times: 1})
	if _, err := e.client(e.z).ListTokens(ctxWithin(t, time.Minute)); err != nil {
		t.Error(err)
	}
}

func TestOtherErrorsAreNotRetried(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 405, 413, 500} {
		e := newTestEnv(t)
		e.z.AddFault(emulator.Fault{Status: status, Times: 1})
		_, err := e.client(e.z).Me(ctxWithin(t, time.Minute))
		if StatusCode(err) != status {
			t.Errorf("%d: err = %v", status, err)
		}
		want := 1
		if status == 401 {
			want = 2 // the cross-check with current-authorization
		}
		if n := len(e.z.Requests()); n != want {
			t.Errorf("%d: %d requests, want %d", status, n, want)
		}
	}
}

// A 401 on one call is checked against current-authorization once: a
// credential Make still accepts is marked so, and nobody is sent to log in
// again for it. A credential Make rejects everywhere is not marked.
func TestUnauthorizedIsCrossChecked(t *testing.T) {
	e := newTestEnv(t)
	e.z.AddFault(emulator.Fault{Path: "/users/me/api-tokens", Status: 401, Times: 1})
	_, err := e.client(e.z).ListTokens(ctxWithin(t, time.Minute))
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusUnauthorized || !ae.CredentialAccepted {
		t.Errorf("endpoint 401: %#v", err)
	}
	if got := requests(e.z); strings.Join(got, ",") != "GET Unauthorized,GET OK" || !strings.HasSuffix(e.z.Requests()[1].Path, "/current-authorization") {
		t.Errorf("requests %q", got)
	}
	for _, body := range []string{emulator.UnauthorizedJSON, emulator.UnauthorizedEmpty, emulator.UnauthorizedText} {
		e.z.SetUnauthorizedBody(body)
		_, err = e.client(e.z).WithToken("00000000-0000-4000-8000-000000000000").ListTokens(ctxWithin(t, time.Minute))
		if !errors.As(err, &ae) || ae.StatusCode != http.StatusUnauthorized || ae.CredentialAccepted {
			t.Errorf("%s: rejected credential: %#v", body, err)
		}
	}
}

// Make's 429 comes as plain text (observed); Cloudflare's 403 too. Both
// are quoted, escaped, and marked as not Make's JSON.
func TestPlainTextErrors(t *testing.T) {
	e := newTestEnv(t)
	e.z.AddFault(emulator.Fault{Status: 403, Body: "error code: 1010\x1b[31m", Times: 1})
	_, err := e.client(e.z).ListTokens(ctxWithin(t, time.Minute))
	var ae *APIError
	if !errors.As(err, &ae) || !ae.NotJSON || ae.Detail != `error code: 1010\x1b[31m` {
		t.Fatalf("403: %#v", err)
	}
	if !strings.Contains(err.Error(), "not Make's JSON error body") {
		t.Errorf("403 message %q", err)
	}
	e.z.AddFault(emulator.Fault{Status: 429, Times: 1})
	fast := RetryPolicy{MaxRateLimitRetries: 0}
	c, _ := New(e.z.URL(), e.z.AdminToken(), Options{Retry: &fast})
	_, err = c.ListTokens(ctxWithin(t, time.Minute))
	if !errors.As(err, &ae) || !ae.NotJSON || !strings.HasSuffix(err.Error(), "429 Too Many Requests: Requests limit for organization exceeded, please try again later.") {
		t.Errorf("429: %v", err)
	}
}

func TestGETRetriedOnDroppedConnection(t *testing.T) {
	e := newTestEnv(t)
	e.z.AddFault(emulator.Fault{Method: "GET", Drop: true, Times: 2})
	if _, err := e.client(e.z).ListTokens(ctxWithin(t, time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := requests(e.z); strings.Join(got, ",") != "GET - dropped,GET - dropped,GET OK" {
		t.Errorf("requests %q", got)
	}
	if len(e.events) != 2 || !strings.Contains(e.events[0].Reason, "EOF") {
		t.Errorf("events %v", e.events)
	}
}

func TestGETRetriedWhenTheAnswerIsCutOff(t *testing.T) {
	// A server that promises a longer body than it sends.
	var mu sync.Mutex
	tries := 0
	srv := newLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		tries++
		n := tries
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if n == 1 {
			w.Header().Set("Content-Length", "100")
			w.Write([]byte(`{"authUser":{`))
			return
		}
		w.Write([]byte(`{"authUser":{"id":7,"name":"n","email":"e@x"}}`))
	}))
	e := newTestEnv(t)
	p := e.policy
	c, _ := New(srv+"/api/v2", "tok", Options{HTTPClient: e.hc, Retry: &p})
	u, err := c.Me(ctxWithin(t, time.Minute))
	if err != nil || u.ID != 7 || tries != 2 {
		t.Fatalf("user %+v, err %v, tries %d", u, err, tries)
	}
}

func TestSlowAnswerPastTheDeadline(t *testing.T) {
	e := newTestEnv(t)
	e.z.SetLatency(5 * time.Second)
	start := time.Now()
	_, err := e.client(e.z).Me(ctxWithin(t, 300*time.Millisecond))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	if len(e.recordedWaits()) != 0 {
		t.Error("retried past the deadline")
	}
}

func TestWaitingForARetryEndsWithTheContext(t *testing.T) {
	e := newTestEnv(t)
	e.policy.Sleep = nil // really sleep
	e.z.AddFault(emulator.Fault{Status: 503, RetryAfter: "1"})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := e.client(e.z).Me(ctx)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "while waiting to retry") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("took %v", d)
	}
}

func TestRealBackoffRidesOutAStorm(t *testing.T) {
	e := newTestEnv(t)
	e.policy = RetryPolicy{MaxRetries: 3, MaxRateLimitRetries: 10, Base: 20 * time.Millisecond, Max: 100 * time.Millisecond}
	e.z.AddFault(emulator.Fault{Method: "POST", Status: 429, Times: 5})
	start := time.Now()
	tok, err := e.client(e.z).CreateToken(ctxWithin(t, 10*time.Second), "storm", []string{"user:read"})
	if err != nil {
		t.Fatal(err)
	}
	// Waits of at least 10+20+40+50+50 ms (half of each ceiling).
	if d := time.Since(start); d < 170*time.Millisecond {
		t.Errorf("took only %v: the backoff did not wait", d)
	}
	if !e.z.HasToken(tok.Token) || len(e.z.Labelled("storm")) != 1 {
		t.Error("want exactly one token created")
	}
	assertOnePOSTCarriedOut(t, e.z)
}

// assertOnePOSTCarriedOut checks from the request log that at most one
// create reached the API's handler: every other POST was refused (429)
// before anything was done.
func assertOnePOSTCarriedOut(t *testing.T, z *emulator.Zone) {
	t.Helper()
	handled := 0
	for _, r := range z.Requests() {
		if r.Method == http.MethodPost && r.Status != http.StatusTooManyRequests && r.Status != 0 {
			handled++
		}
	}
	if handled > 1 {
		t.Errorf("%d POSTs were carried out: %q", handled, requests(z))
	}
}

func TestPOSTIsNeverRepeatedOnceItMayHaveArrived(t *testing.T) {
	cases := []struct {
		name    string
		fault   emulator.Fault
		created bool // the emulator did create the token
	}{
		{"503", emulator.Fault{Status: 503, RetryAfter: "1"}, false},
		{"502 html", emulator.Fault{Status: 502, HTML: true}, false},
		{"504", emulator.Fault{Status: 504}, false},
		{"500", emulator.Fault{Status: 500}, false},
		{"dropped before handling", emulator.Fault{Drop: true}, false},
		{"dropped after handling", emulator.Fault{DropAfterHandling: true}, true},
		{"200 with a body that is cut", emulator.Fault{Status: 200, Body: `{"apiToken": {"token": "abc`}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newUncheckedEnv(t)
			f := tc.fault
			f.Method, f.Path, f.Times = "POST", "/users/me/api-tokens", 1
			e.z.AddFault(f)
			before := len(e.z.Tokens())
			_, err := e.client(e.z).CreateToken(ctxWithin(t, time.Minute), "once", []string{"user:read"})
			var unknown *OutcomeUnknownError
			if !errors.As(err, &unknown) || !strings.Contains(err.Error(), "may have been created") {
				t.Fatalf("err = %v; want an OutcomeUnknownError", err)
			}
			if n := count(requests(e.z), "POST"); n != 1 {
				t.Errorf("POST sent %d times: %q", n, requests(e.z))
			}
			if got, want := len(e.z.Tokens())-before, map[bool]int{true: 1, false: 0}[tc.created]; got != want {
				t.Errorf("%d tokens created, want %d", got, want)
			}
			if len(e.recordedWaits()) != 0 {
				t.Error("a retry was planned")
			}
		})
	}
}

func TestPOSTRetriedOnlyWhenItProvablyDidNotArrive(t *testing.T) {
	t.Run("429", func(t *testing.T) {
		e := newTestEnv(t)
		e.z.AddFault(emulator.Fault{Method: "POST", Status: 429, Times: 3})
		tok, err := e.client(e.z).CreateToken(ctxWithin(t, time.Minute), "ci", []string{"user:read"})
		if err != nil {
			t.Fatal(err)
		}
		if n := count(requests(e.z), "POST"); n != 4 {
			t.Errorf("%d POSTs, want 4 (3 refused, 1 carried out)", n)
		}
		assertOnePOSTCarriedOut(t, e.z)
		if len(e.z.Labelled("ci")) != 1 || !e.z.HasToken(tok.Token) {
			t.Error("want exactly one token")
		}
	})
	t.Run("connection refused, then the server comes up", func(t *testing.T) {
		e := newTestEnv(t)
		addr := freeAddr(t) // nothing listens there: connections are refused
		srv := emulator.New(emulator.Options{Zones: []string{"eu1"}})
		t.Cleanup(srv.Close)
		z := srv.Zone("eu1")
		started := false
		e.policy.Sleep = func(ctx context.Context, d time.Duration) error {
			if !started {
				started = true
				if err := srv.StartOn(map[string]string{"eu1": addr}); err != nil {
					t.Fatal(err)
				}
			}
			return nil
		}
		p := e.policy
		c, _ := New("http://"+addr+emulator.BasePath, z.AdminToken(), Options{HTTPClient: e.hc, Retry: &p})
		tok, err := c.CreateToken(ctxWithin(t, time.Minute), "late", []string{"user:read"})
		if err != nil {
			t.Fatal(err)
		}
		if !z.HasToken(tok.Token) || len(z.Labelled("late")) != 1 || count(requests(z), "POST") != 1 {
			t.Errorf("want one POST and one token: %q", requests(z))
		}
	})
	t.Run("connection refused for good", func(t *testing.T) {
		e := newTestEnv(t)
		addr := freeAddr(t)
		p := e.policy
		c, _ := New("http://"+addr+"/api/v2", "tok", Options{HTTPClient: e.hc, Retry: &p})
		_, err := c.CreateToken(ctxWithin(t, time.Minute), "x", []string{"user:read"})
		var unknown *OutcomeUnknownError
		if err == nil || errors.As(err, &unknown) || !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), "tried 4 times") {
			t.Fatalf("err = %v; want a plain refusal after 4 tries", err)
		}
	})
}

func TestDeleteAnswered404AfterARetryIsDone(t *testing.T) {
	t.Run("answer lost, then 404", func(t *testing.T) {
		e := newTestEnv(t)
		tok := e.z.AddToken("old", []string{"user:read"}, time.Time{})
		e.z.AddFault(emulator.Fault{Method: "DELETE", DropAfterHandling: true, Times: 1})
		if err := e.client(e.z).DeleteToken(ctxWithin(t, time.Minute), Token{Created: tok.Created}); err != nil {
			t.Fatal(err)
		}
		if e.z.HasToken(tok.Token) {
			t.Error("token still there")
		}
		if got := strings.Join(requests(e.z), ","); got != "DELETE OK dropped,DELETE Not Found" {
			t.Errorf("requests %s", got)
		}
	})
	t.Run("404 at the first try is an error", func(t *testing.T) {
		e := newTestEnv(t)
		err := e.client(e.z).DeleteToken(ctxWithin(t, time.Minute), Token{Created: "2001-01-01T00:00:00.000Z"})
		if StatusCode(err) != 404 {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("404 after a 429 is an error: the 429 did nothing", func(t *testing.T) {
		e := newTestEnv(t)
		e.z.AddFault(emulator.Fault{Method: "DELETE", Status: 429, Times: 1})
		err := e.client(e.z).DeleteToken(ctxWithin(t, time.Minute), Token{Created: "2001-01-01T00:00:00.000Z"})
		if StatusCode(err) != 404 {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("another refusal after a try that may have reached is an error", func(t *testing.T) {
		// Only a 404 says the token is gone: a gateway's 502 may have
		// passed the first try on, but a 403 after it proves nothing, and
		// the token, still at Make, must not be called revoked.
		e := newTestEnv(t)
		tok := e.z.AddToken("old", []string{"user:read"}, time.Time{})
		e.z.AddFault(emulator.Fault{Method: "DELETE", Status: 502, Times: 1})
		e.z.AddFault(emulator.Fault{Method: "DELETE", Status: 403, Times: 1})
		err := e.client(e.z).DeleteToken(ctxWithin(t, time.Minute), Token{Created: tok.Created})
		if StatusCode(err) != 403 || !e.z.HasToken(tok.Token) {
			t.Fatalf("err = %v, token still there: %v; want the 403 and the token kept", err, e.z.HasToken(tok.Token))
		}
		if got := strings.Join(requests(e.z), ","); got != "DELETE Bad Gateway,DELETE Forbidden" {
			t.Errorf("requests %s", got)
		}
	})
	t.Run("created is sent byte for byte", func(t *testing.T) {
		e := newTestEnv(t)
		tok := e.z.AddToken("x", []string{"user:read"}, time.Date(2024, 3, 27, 5, 53, 27, 360_000_000, time.UTC))
		if err := e.client(e.z).DeleteToken(ctxWithin(t, time.Minute), Token{Created: tok.Created}); err != nil {
			t.Fatal(err)
		}
		if p := e.z.Requests()[0].Path; p != "/api/v2/users/me/api-tokens/2024-03-27T05:53:27.360Z" {
			t.Errorf("path %s", p)
		}
	})
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// newLocalServer serves h on a loopback port and returns its URL.
func newLocalServer(t *testing.T, h http.Handler) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

// freeAddr returns a loopback address that nothing listens on (for now).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// A host DNS says does not exist (a typo in MAKE_ZONE) is not tried again:
// DNS will not change its mind in a second.
func TestNoSuchHostIsNotRetried(t *testing.T) {
	dials := 0
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials++
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "eu1.mkae.com", IsNotFound: true}}
	}}
	p := DefaultRetry()
	p.Sleep = func(context.Context, time.Duration) error { return nil }
	c, err := New("https://eu1.mkae.com/api/v2", "t", Options{HTTPClient: NewHTTPClient(tr, 0), Retry: &p})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListTokens(ctxWithin(t, time.Minute))
	if host, ok := NoSuchHost(err); !ok || host != "eu1.mkae.com" || dials != 1 {
		t.Errorf("err %v (host %q, %v), %d dials, want one", err, host, ok, dials)
	}
	// A DNS that does not answer may answer the next time.
	if _, ok := NoSuchHost(&TransportError{Err: &net.DNSError{Err: "i/o timeout", IsTimeout: true}}); ok {
		t.Error("a DNS time-out taken for a host that does not exist")
	}
}
