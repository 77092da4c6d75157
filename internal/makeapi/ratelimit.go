package makeapi

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/maketoken/maketoken/internal/ctxwait"
)

// Make's rate limit, and the one reading of its Retry-After header.

const (
	// MaxRetryAfter caps any wait a Retry-After header asks for: the retry
	// policy's and the rate gate's alike.
	MaxRetryAfter = 2 * time.Minute
	// DefaultRatePause is how long the rate gate holds requests back after
	// a 429 that does not say (with Retry-After) how long to wait.
	DefaultRatePause = 2 * time.Second
)

// parseRetryAfter reads a Retry-After header, seconds or an HTTP date,
// capped at MaxRetryAfter; 0 if there is none or it cannot be read.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(min(s, int(MaxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, MaxRetryAfter)
		}
	}
	return 0
}

// rateGate holds back all of a client's requests while Make's rate limit
// is in force (see Options.RateGate): once one answer is 429, every
// request waits out the Retry-After it gave (or DefaultRatePause) before
// it is sent, rather than each meeting a 429 of its own. The retry policy
// then repeats the refused call.
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
		d := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		if d == 0 {
			d = DefaultRatePause
		}
		g.pause(d)
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
	return ctxwait.Sleep(ctx, d)
}

func (g *rateGate) pause(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if until := time.Now().Add(d); until.After(g.until) {
		g.until = until
	}
}
