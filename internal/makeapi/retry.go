package makeapi

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/maketoken/maketoken/internal/ctxwait"
)

// RetryPolicy decides which failed calls are tried again and when.
//
// GET and DELETE are idempotent: they are retried on connection errors and
// on 429, 502, 503 and 504. A POST (create) is retried only when it provably
// did not reach the server: the connection was refused, or Make answered
// 429. Waits grow exponentially with full jitter, honour Retry-After, and
// never go past the context's deadline.
type RetryPolicy struct {
	MaxRetries          int           // retries of a transient failure
	MaxRateLimitRetries int           // retries of a 429
	Base                time.Duration // first wait
	Max                 time.Duration // longest wait
	// Jitter returns a number in [0,1); nil means math/rand/v2.
	Jitter func() float64
	// Sleep waits for d or until ctx ends; nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultRetry is maketoken's policy: 1 s base, 30 s cap and 3 retries of
// a transient failure, and up to 10 retries of a 429.
//
// Make's own TypeScript SDK retries nothing unless its caller opts in; then
// it uses 3 retries, a 1 s base doubling, ±20 % jitter, a 30 s cap and
// Retry-After capped at 30 s (make-api.md, from its source). maketoken
// retries by default because its callers are a person at a terminal and
// a scheduled CI job, neither of which can opt in per call, and because
// every retry here is safe: GET and DELETE are idempotent, and a create is
// repeated only when Make provably did not carry it out (a 429, a refused
// connection). Rate limits get more patience than the SDK gives because a
// bulk prune meets them by design (Free plans allow 30 requests a minute),
// and no wait ever runs past the command's --timeout.
func DefaultRetry() RetryPolicy {
	return RetryPolicy{MaxRetries: 3, MaxRateLimitRetries: 10, Base: time.Second, Max: 30 * time.Second}
}

// RetryEvent describes one retry, for --debug and progress notes.
type RetryEvent struct {
	Method, Path string
	Status       int // the failed try's answer, 0 if none came
	Attempt      int // the retry's number, from 1
	Wait         time.Duration
	Reason       string
}

func (e RetryEvent) String() string {
	return fmt.Sprintf("%s %s: %s; retry %d in %s", e.Method, e.Path, e.Reason, e.Attempt, e.Wait.Round(10*time.Millisecond))
}

// Why says, for a progress line, why a call to zone waits to be tried
// again: "Make's rate limit", "Make answered 503", "no answer from zone
// eu1".
func (e RetryEvent) Why(zone string) string {
	switch {
	case e.Status == http.StatusTooManyRequests:
		return "Make's rate limit"
	case e.Status != 0:
		return fmt.Sprintf("Make answered %d", e.Status)
	}
	return "no answer from zone " + zone
}

// decision is what the policy says about a failed try.
type decision struct {
	retry bool
	wait  time.Duration
	// tooLate is set when a retry was allowed but its wait would end past
	// the context's deadline.
	tooLate bool
}

// next says whether a call that failed on its attempt-th try (from 0)
// should be retried, and after how long.
func (p RetryPolicy) next(ctx context.Context, method string, attempt, status int, err error) decision {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return decision{}
	}
	limit := p.MaxRetries
	switch {
	case status == http.StatusTooManyRequests:
		// Make refused the call without carrying it out: safe to repeat,
		// even a create.
		limit = p.MaxRateLimitRetries
	case status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout:
		if method == http.MethodPost {
			return decision{} // the server may have created the token
		}
	case status != 0:
		return decision{}
	case isTransportError(err):
		if method == http.MethodPost && !notSent(err) {
			return decision{}
		}
		if _, ok := NoSuchHost(err); ok {
			return decision{} // DNS will not change its mind in a second
		}
	default:
		return decision{}
	}
	if attempt >= limit {
		return decision{}
	}
	wait := p.backoff(attempt)
	var ae *APIError
	if errors.As(err, &ae) && ae.RetryAfter > 0 {
		wait = ae.RetryAfter // capped at MaxRetryAfter
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		return decision{wait: wait, tooLate: true}
	}
	return decision{retry: true, wait: wait}
}

// mayHaveReached reports whether a failed try may nevertheless have been
// carried out by the server: the connection broke after the request was
// sent, a gateway failed after passing it on, or the answer could not be
// read.
func mayHaveReached(status int, err error) bool {
	var pe *ProtocolError
	switch {
	case status >= 500:
		return true
	case status == 0 && isTransportError(err):
		return !notSent(err)
	case errors.As(err, &pe):
		return true
	}
	return false
}

func (p RetryPolicy) backoff(attempt int) time.Duration {
	base := p.Base
	if base <= 0 {
		base = time.Second
	}
	ceiling := base << min(attempt, 20)
	if p.Max > 0 && ceiling > p.Max {
		ceiling = p.Max
	}
	j := rand.Float64
	if p.Jitter != nil {
		j = p.Jitter
	}
	// Half fixed, half random: never a zero wait, still spread out.
	return ceiling/2 + time.Duration(j()*float64(ceiling/2))
}

func (p RetryPolicy) sleep(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	return ctxwait.Sleep(ctx, d)
}

// isTransportError reports whether err is a call that got no answer (a
// refused redirect is not one: the server did answer).
func isTransportError(err error) bool {
	var te *TransportError
	var re *redirectError
	return errors.As(err, &te) && !errors.As(err, &re)
}

// notSent reports whether a transport error proves the request never
// reached the server: the connection could not be made.
func notSent(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// NoSuchHost reports whether err is a call whose host DNS says does not
// exist (a mistyped host), and which host.
func NoSuchHost(err error) (string, bool) {
	var dnsErr *net.DNSError
	if !isTransportError(err) || !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		return "", false
	}
	return dnsErr.Name, true
}

func retryReason(status int, err error) string {
	if status != 0 {
		return fmt.Sprintf("%d %s", status, http.StatusText(status))
	}
	var te *TransportError
	if errors.As(err, &te) {
		return te.Err.Error()
	}
	return err.Error()
}
