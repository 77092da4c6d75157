package makeapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/redact"
	"github.com/maketoken/maketoken/internal/testkit"
)

// These tests state rules that mutation testing (docs/mutation-testing.md)
// found no test of: each fails with a mutant that the other tests let
// through.

// stubTransport answers every request with status and body, records the
// requests, and notes whether each answer's body was closed.
type stubTransport struct {
	status int
	header http.Header
	body   string
	mu     sync.Mutex
	reqs   []*http.Request
	bodies []*closeNote
}

type closeNote struct {
	io.Reader
	closed atomic.Bool
}

func (c *closeNote) Close() error { c.closed.Store(true); return nil }

func (s *stubTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, req)
	b := &closeNote{Reader: strings.NewReader(s.body)}
	s.bodies = append(s.bodies, b)
	h := http.Header{"Content-Type": {"application/json"}}
	for k, v := range s.header {
		h[k] = v
	}
	return &http.Response{StatusCode: s.status, Status: http.StatusText(s.status), Proto: "HTTP/1.1",
		Header: h, Body: b, Request: req}, nil
}

func stubClient(t *testing.T, s *stubTransport, opts Options) *Client {
	t.Helper()
	opts.HTTPClient = &http.Client{Transport: s}
	if opts.Retry == nil {
		opts.Retry = &RetryPolicy{}
	}
	c, err := New("https://eu1.make.example/api/v2", "tok-secret", opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const meAnswer = `{"authUser":{"id":7,"name":"N","email":"e@x"}}`

// A token with no created timestamp cannot be revoked: the client says so
// and sends nothing, rather than report a revoke that did not happen.
func TestDeleteWithoutTimestampSendsNothing(t *testing.T) {
	s := &stubTransport{status: 204}
	err := stubClient(t, s, Options{}).DeleteToken(context.Background(), Token{Token: "3f2a9c1d-****"})
	if err == nil || len(s.reqs) != 0 {
		t.Errorf("err %v after %d requests; want an error and none", err, len(s.reqs))
	}
}

// Every call has a time limit: one whose context has none gets
// DefaultCallTimeout (30 s), one whose context has one keeps it.
func TestEveryCallHasATimeLimit(t *testing.T) {
	s := &stubTransport{status: 200, body: meAnswer}
	c := stubClient(t, s, Options{})
	start := time.Now()
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	dl, ok := s.reqs[0].Context().Deadline()
	if want := start.Add(30 * time.Second); !ok || dl.Before(want) || dl.After(want.Add(500*time.Millisecond)) {
		t.Errorf("a call without a deadline was sent with deadline %v (%v); want about %v", dl, ok, want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	mine, _ := ctx.Deadline()
	if _, err := c.Me(ctx); err != nil {
		t.Fatal(err)
	}
	if dl, _ := s.reqs[1].Context().Deadline(); !dl.Equal(mine) {
		t.Errorf("a call with a deadline in a minute was sent with deadline %v, want %v", dl, mine)
	}
}

// The request carries the client's name and asks for JSON; the answer's
// body is closed once read.
func TestRequestHeadersAndClosedBodies(t *testing.T) {
	for _, tc := range []struct{ ua, want string }{{"", "maketoken"}, {"maketoken/1.2", "maketoken/1.2"}} {
		s := &stubTransport{status: 200, body: meAnswer}
		if _, err := stubClient(t, s, Options{UserAgent: tc.ua}).Me(context.Background()); err != nil {
			t.Fatal(err)
		}
		h := s.reqs[0].Header
		if h.Get("User-Agent") != tc.want || h.Get("Accept") != "application/json" || h.Get("Authorization") != "Token tok-secret" {
			t.Errorf("UserAgent %q: headers %v", tc.ua, h)
		}
		if !s.bodies[0].closed.Load() {
			t.Error("the answer's body was left open")
		}
	}
}

// Any 2xx is success, 300 is not (Go's client does not follow a 300).
func TestSuccessIsTwoHundreds(t *testing.T) {
	for status, ok := range map[int]bool{200: true, 299: true, 300: false, 304: false} {
		s := &stubTransport{status: status, body: `{"authUser":{"id":7,"name":"N","email":"e@x"},"authorization":{"authUsed":"token","scope":["user:read"]}}`}
		_, err := stubClient(t, s, Options{}).Me(context.Background())
		if (err == nil) != ok {
			t.Errorf("Me answered %d: err %v, want success %v", status, err, ok)
		}
		_, err = stubClient(t, s, Options{}).ProbeAuthorization(context.Background())
		if (err == nil) != ok {
			t.Errorf("ProbeAuthorization answered %d: err %v, want success %v", status, err, ok)
		}
	}
}

// doctor's probe reports every failure as one, with the time it took and
// the server's clock whenever an answer came.
func TestProbeAuthorizationFailures(t *testing.T) {
	date := time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)
	hdr := http.Header{"Date": {date.Format(http.TimeFormat)}}
	good := `{"authorization":{"authUsed":"token","scope":["user:read"]}}`
	for _, tc := range []struct {
		name   string
		status int
		body   string
		ok     bool
	}{
		{"ok", 200, good, true},
		{"refused", 401, `{"message":"Invalid token","code":"IM001"}`, false},
		{"not JSON", 200, `<html>`, false},
		{"no authorization", 200, `{}`, false},
	} {
		s := &stubTransport{status: tc.status, body: tc.body, header: hdr}
		p, err := stubClient(t, s, Options{}).ProbeAuthorization(context.Background())
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v", tc.name, err)
		}
		if !p.ServerTime.Equal(date) || p.RoundTrip <= 0 {
			t.Errorf("%s: server time %v (want %v), round trip %v", tc.name, p.ServerTime, date, p.RoundTrip)
		}
		if tc.ok && len(p.Authorization.Scopes) != 1 {
			t.Errorf("%s: %+v", tc.name, p.Authorization)
		}
	}
	// No answer at all.
	c, _ := New("http://"+freeAddr(t)+"/api/v2", "t", Options{Retry: &RetryPolicy{}})
	if _, err := c.ProbeAuthorization(ctxWithin(t, 10*time.Second)); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("probe of a closed port: %v", err)
	}
}

func TestNewRefusesABadBaseURL(t *testing.T) {
	for _, bad := range []string{"eu1.make.com/api/v2", "https:///api/v2", "://x"} {
		if c, err := New(bad, "t", Options{}); err == nil || c != nil {
			t.Errorf("New(%q) = %v, %v", bad, c, err)
		}
	}
	// The rate gate over an HTTP client with no transport of its own uses
	// the default one.
	c, err := New(newLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, meAnswer)
	}))+"/api/v2", "t", Options{HTTPClient: &http.Client{}, RateGate: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Me(ctxWithin(t, 10*time.Second)); err != nil {
		t.Error(err)
	}
}

// A failure that is no *url.Error is handed on as it is; the outcome of an
// unknown create still unwraps to its cause.
func TestErrorsKeepTheirCause(t *testing.T) {
	if err := sanitizeURLError(io.ErrUnexpectedEOF, "/users/me"); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("sanitizeURLError = %v", err)
	}
	if err := (&OutcomeUnknownError{Err: io.ErrUnexpectedEOF}); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("%v does not unwrap to its cause", err)
	}
	// A refusal below 500 proves the create was not carried out; 500 and
	// above may have been.
	if mayHaveReached(499, &APIError{StatusCode: 499}) || !mayHaveReached(500, &APIError{StatusCode: 500}) {
		t.Error("4xx counted as maybe carried out, or 5xx not")
	}
}

// The rate gate holds every request back for the Retry-After of a 429
// (2 s when it gives none: a pause of nothing would only meet the next
// 429), and hands a transport error, or the end of the context while it
// waits, on as it got it.
func TestRateGate(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	retryAfter := ""
	srv := newLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		if r.URL.Path == "/429" {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, meAnswer)
	}))
	g := &rateGate{base: &http.Transport{DisableKeepAlives: true}}
	hc := &http.Client{Transport: g}
	get := func(ctx context.Context, path string) (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv+path, nil)
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return resp, err
	}
	for _, tc := range []struct {
		retryAfter string
		want       time.Duration
	}{{"5", 5 * time.Second}, {"", 2 * time.Second}} {
		g.until = time.Time{}
		retryAfter = tc.retryAfter
		before := time.Now()
		if resp, err := get(ctxWithin(t, 10*time.Second), "/429"); err != nil || resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("%v, %v", resp, err)
		}
		g.mu.Lock()
		until := g.until
		g.mu.Unlock()
		if until.Before(before.Add(tc.want)) || until.After(time.Now().Add(tc.want)) {
			t.Errorf("Retry-After %q: requests held back until %v, want %v from now", tc.retryAfter, time.Until(until), tc.want)
		}
	}
	// The pause in force is waited out; a later, shorter pause does not
	// shorten it.
	g.until = time.Time{}
	g.pause(400 * time.Millisecond)
	g.pause(time.Millisecond)
	start := time.Now()
	if resp, err := get(ctxWithin(t, 10*time.Second), "/"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%v, %v", resp, err)
	}
	mu.Lock()
	waited := times[len(times)-1].Sub(start)
	mu.Unlock()
	if waited < 390*time.Millisecond {
		t.Errorf("the request went out after %v, inside a pause of 400ms", waited)
	}
	// A wait cut short by the context ends with the context's error.
	g.pause(time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := get(ctx, "/"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a wait cut short by the context: %v", err)
	}
	// No answer: the transport's error, not a nil answer.
	refuse := &refuseFirst{}
	refuse.n.Store(1)
	g = &rateGate{base: refuse}
	req, _ := http.NewRequest(http.MethodGet, srv, nil)
	if resp, err := g.RoundTrip(req); resp != nil || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("refused connection through the gate: %v, %v", resp, err)
	}
}

// Mask shows a token's first group, or the first 8 characters of one
// without dashes, and nothing of one of 8 or fewer; Matches needs a
// visible group of 6 or more.
func TestMaskAndMatchesAtTheirLimits(t *testing.T) {
	testkit.Answers(t, "Mask", Mask, map[string]string{
		"abcdefgh":  "********",
		"abcdefghi": "abcdefgh*",
	})
	if !Matches("3f2a9c-****", "3f2a9c-1234") || Matches("3f2a9-****", "3f2a9-1234") {
		t.Error("Matches does not start at a visible group of 6")
	}
}

// A body the trace cuts short says so, with how much it shows.
func TestTraceCutsLongBodies(t *testing.T) {
	long := `{"authUser":{"id":7,"name":"` + strings.Repeat("n", 5000) + `","email":"e@x"}}`
	s := &stubTransport{status: 200, body: long}
	var trace bytes.Buffer
	tt := &TraceTransport{Base: s, W: &trace, Redactor: redact.New()}
	c, err := New("https://eu1.make.example/api/v2", "t", Options{HTTPClient: &http.Client{Transport: tt}, Retry: &RetryPolicy{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(trace.String(), "\n<  … (4096 bytes shown)\n") {
		t.Errorf("trace ends:\n%s", trace.String()[max(0, trace.Len()-200):])
	}
	if !s.bodies[0].closed.Load() {
		t.Error("the traced answer's body was left open")
	}
}

// A call given up after retries says how often it was tried.
func TestGiveUpSaysHowOftenItTried(t *testing.T) {
	for retries, want := range map[int]string{0: "", 1: " (tried 2 times)", 2: " (tried 3 times)"} {
		s := &stubTransport{status: http.StatusServiceUnavailable, body: `{"message":"down","code":"X"}`}
		p := RetryPolicy{MaxRetries: retries, Sleep: func(context.Context, time.Duration) error { return nil }}
		_, err := stubClient(t, s, Options{Retry: &p}).Me(context.Background())
		if err == nil || len(s.reqs) != retries+1 || !strings.HasSuffix(err.Error(), want) || strings.Contains(err.Error(), "tried once") {
			t.Errorf("%d retries: %d requests, err %v", retries, len(s.reqs), err)
		}
	}
}

// The first wait is about Base (1 s when Base is not set).
func TestBackoffBase(t *testing.T) {
	half := func() float64 { return 0.5 }
	for base, want := range map[time.Duration]time.Duration{0: 750 * time.Millisecond, 20 * time.Millisecond: 15 * time.Millisecond} {
		if got := (RetryPolicy{Base: base, Jitter: half}).backoff(0); got != want {
			t.Errorf("Base %v: first wait %v, want %v", base, got, want)
		}
	}
}

// The trace hides the credential in the Authorization header, and cookies
// whole, even when the redactor does not know them and they do not look
// like a Make token.
func TestTraceHidesHeaderSecretsItWasNotTold(t *testing.T) {
	s := &stubTransport{status: 200, body: meAnswer, header: http.Header{"Set-Cookie": {"session=cookiesecret1; Path=/; HttpOnly"}}}
	var trace bytes.Buffer
	tt := &TraceTransport{Base: s, W: &trace, Redactor: redact.New()}
	c, err := New("https://eu1.make.example/api/v2", "plainsecret0123", Options{HTTPClient: &http.Client{Transport: tt}, Retry: &RetryPolicy{}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "https://eu1.make.example/api/v2/users/me", nil)
	req.Header.Set("Authorization", "plainsecret0123") // no scheme
	req.Header.Set("Cookie", "a=cookiesecret2; b=cookiesecret3")
	if _, err := tt.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := trace.String()
	for _, secret := range []string{"plainsecret0123", "cookiesecret1", "cookiesecret2", "cookiesecret3"} {
		if strings.Contains(out, secret) {
			t.Errorf("the trace shows %s:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "> Authorization: Token "+redact.Mark+"\n") {
		t.Errorf("the trace does not show the scheme:\n%s", out)
	}
}
