package makeapi

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/outcome"
	"github.com/maketoken/maketoken/internal/redact"
)

// refuseFirst refuses its first n connections, as a server that is not
// listening yet does, then lets the calls through.
type refuseFirst struct {
	n    atomic.Int32
	next http.RoundTripper
}

func (r *refuseFirst) RoundTrip(req *http.Request) (*http.Response, error) {
	if r.n.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	return r.next.RoundTrip(req)
}

// --debug changes nothing but what stderr shows: the trace hands a
// transport error on as it got it, so a create refused at connect is
// still known not to have reached Make, and is tried again (a trace that
// swallowed the error made it an unknown outcome: no token, exit 1).
func TestTraceHandsOnTransportErrors(t *testing.T) {
	e := newTestEnv(t)
	var trace bytes.Buffer
	refuse := &refuseFirst{next: e.hc.Transport}
	refuse.n.Store(1)
	e.hc = NewHTTPClient(&TraceTransport{Base: refuse, W: &trace, Redactor: redact.New()}, 0)
	tok, err := e.client(e.z).CreateToken(ctxWithin(t, time.Minute), "traced", []string{"user:read"})
	if err != nil {
		t.Fatalf("create after a refused connection, under the trace: %v", err)
	}
	if !e.z.HasToken(tok.Token) || count(requests(e.z), "POST") != 1 {
		t.Errorf("token %q held: %v; POSTs: %d, want 1", tok.Token, e.z.HasToken(tok.Token), count(requests(e.z), "POST"))
	}
	if !strings.Contains(trace.String(), "< error after ") || !strings.Contains(trace.String(), "connection refused") {
		t.Errorf("the trace does not show the refused try:\n%s", trace.String())
	}

	// Refused every time: the error names the cause, and is no unknown
	// outcome.
	refuse.n.Store(100)
	e.policy.MaxRetries = 1
	_, err = e.client(e.z).CreateToken(ctxWithin(t, time.Minute), "never", []string{"user:read"})
	if !errors.Is(err, syscall.ECONNREFUSED) || outcome.IsUnknown(err) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("err = %v (unknown outcome: %v); want connection refused, known not created", err, outcome.IsUnknown(err))
	}
}

// An answer cut off in its body is a transport error under the trace too
// (retried, for a GET), never a shorter body that looks like bad JSON.
func TestTraceHandsOnACutOffBody(t *testing.T) {
	var calls atomic.Int32
	base := newLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"authUser\":")
			buf.Flush()
			conn.Close()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"authUser":{"id":7,"name":"N","email":"e@x"}}`))
	}))
	var trace bytes.Buffer
	fast := DefaultRetry()
	fast.Sleep = func(context.Context, time.Duration) error { return nil }
	c, _ := New(base+"/api/v2", "tok", Options{
		HTTPClient: NewHTTPClient(&TraceTransport{Base: &http.Transport{DisableKeepAlives: true}, W: &trace, Redactor: redact.New()}, 0),
		Retry:      &fast,
	})
	u, err := c.Me(ctxWithin(t, 10*time.Second))
	if err != nil || u.ID != 7 || calls.Load() != 2 {
		t.Fatalf("Me = %+v, %v after %d calls; want the second answer", u, err, calls.Load())
	}
	if !strings.Contains(trace.String(), "< (the answer was cut off after 12 bytes") {
		t.Errorf("the trace does not say the answer was cut off:\n%s", trace.String())
	}
}
