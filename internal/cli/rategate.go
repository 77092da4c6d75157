package cli

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The rate gate that holds a zone's requests back while Make's rate limit
// is in force.

// defaultRatePause is how long a zone's deletes pause after a 429
// that does not say (with Retry-After) how long to wait.
const defaultRatePause = 2 * time.Second

// rateGate holds back all of a zone's requests while Make's rate limit is
// in force: once one answer is 429, every worker waits out the Retry-After
// it gave (or defaultRatePause) before its next request, rather than each
// meeting a 429 of its own. The client's retry policy then repeats the
// refused call.
type rateGate struct {
	base  http.RoundTripper
	mu    sync.Mutex
	until time.Time
}

// RoundTrip implements http.RoundTripper.
func (g *rateGate) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := g.wait(req.Context()); err != nil {
		return nil, err
	}
	resp, err := g.base.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		g.pause(retryAfter(resp.Header.Get("Retry-After"), time.Now()))
	}
	return resp, err
}

func (g *rateGate) wait(ctx context.Context) error {
	g.mu.Lock()
	d := time.Until(g.until)
	g.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *rateGate) pause(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if until := time.Now().Add(d); until.After(g.until) {
		g.until = until
	}
}

// retryAfter reads a Retry-After header (seconds or an HTTP date), capped
// at a minute; defaultRatePause if there is none.
func retryAfter(v string, now time.Time) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return min(time.Duration(s)*time.Second, time.Minute)
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), time.Minute)
	}
	return defaultRatePause
}
