package makeapi

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/maketoken/maketoken/internal/outcome"
)

// A create whose connection is reset after Make read it (a read error, not
// a dial error) may have been carried out: it is an unknown outcome, sent
// once, never retried. Only a connection that could not be made proves the
// request never arrived.
func TestPOSTResetAfterSendingIsUnknown(t *testing.T) {
	var posts atomic.Int32
	srv := newLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
		}
		io.Copy(io.Discard, r.Body) //nolint:errcheck // the whole request was read: it reached the server
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		// A zero linger makes Close send RST: the client's read fails
		// with "connection reset by peer".
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetLinger(0) //nolint:errcheck // a FIN instead fails the ECONNRESET check below
		}
		conn.Close()
	}))
	e := newTestEnv(t)
	p := e.policy
	c, _ := New(srv+"/api/v2", "tok", Options{HTTPClient: e.hc, Retry: &p})
	_, err := c.CreateToken(ctxWithin(t, time.Minute), "once", []string{"user:read"})
	var op *net.OpError
	if !errors.Is(err, syscall.ECONNRESET) || !errors.As(err, &op) || op.Op == "dial" {
		t.Fatalf("err = %v; the test needs a reset read (the server's RST)", err)
	}
	var unknown *OutcomeUnknownError
	if !errors.As(err, &unknown) || !strings.Contains(err.Error(), "may have been created") {
		t.Errorf("err = %v; want an OutcomeUnknownError", err)
	}
	if n := posts.Load(); n != 1 {
		t.Errorf("POST sent %d times, want once", n)
	}
	if len(e.recordedWaits()) != 0 {
		t.Error("a retry was planned")
	}
}

// A create that Make refused with 429, stopped while it waits to be tried
// again, is known not to have been carried out: Make answered every try,
// and only a refusal lets a create be repeated. It is not an unknown
// outcome, which would send the user to look for a token that cannot exist.
func TestPOSTStoppedAfter429IsKnownNotCreated(t *testing.T) {
	e := newTestEnv(t)
	e.z.AddFault(emulator.Fault{Method: "POST", Status: 429})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e.policy.Sleep = func(context.Context, time.Duration) error {
		cancel()
		return ctx.Err()
	}
	_, err := e.client(e.z).CreateToken(ctx, "stopped", []string{"user:read"})
	var stopped *StoppedError
	if !errors.As(err, &stopped) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want a StoppedError", err)
	}
	if outcome.IsUnknown(err) {
		t.Errorf("err = %v; a create refused with 429 counted as maybe created", err)
	}
	if n := count(requests(e.z), "POST"); n != 1 || len(e.z.Labelled("stopped")) != 0 {
		t.Errorf("requests %q, %d tokens labelled", requests(e.z), len(e.z.Labelled("stopped")))
	}
}
