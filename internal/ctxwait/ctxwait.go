// Package ctxwait holds the waits a context can cut short: a pause
// (Sleep: the API client's retries and rate gate, the rotation locks, the
// emulator's latency and delayed faults) and a call that may block
// (Call: the keyring's calls, a terminal's line).
package ctxwait

import (
	"context"
	"time"
)

// Sleep waits d, or until ctx ends: then it returns ctx's error. A d of
// zero or less does not wait; it returns ctx's error, if any.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
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

// Call runs f in a goroutine until it returns or ctx ends, whichever comes
// first. ended says ctx ended first: f, which may still be running, is
// left behind (its result is dropped).
func Call[T any](ctx context.Context, f func() (T, error)) (v T, err error, ended bool) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err, false
	case <-ctx.Done():
		return v, nil, true
	}
}
