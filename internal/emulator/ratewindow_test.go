package emulator_test

import (
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
)

// A shorter rate-limit window lets tests wait a limit out in seconds.
func TestRateWindow(t *testing.T) {
	clock := newFakeClock(time.Date(2024, 3, 27, 12, 0, 10, 0, time.UTC))
	e := newEnv(t, emulator.Options{Now: clock.Now, RateLimit: 2, RetryAfter: true})
	e.z.SetRateWindow(5 * time.Second)
	admin := e.z.AdminToken()
	for i := range 2 {
		if r := e.do(e.z, "GET", "/users/me", admin, ""); r.status != 200 {
			t.Fatalf("request %d: %d", i, r.status)
		}
	}
	clock.Add(1500 * time.Millisecond) // 12:00:11.5, same 5s window
	r := e.do(e.z, "GET", "/users/me", admin, "")
	if r.status != 429 {
		t.Fatalf("3rd request: %d", r.status)
	}
	if ra := r.header.Get("Retry-After"); ra != "4" {
		t.Errorf("Retry-After = %q, want 4 (to 12:00:15)", ra)
	}
	clock.Set(time.Date(2024, 3, 27, 12, 0, 15, 0, time.UTC)) // next window
	if r := e.do(e.z, "GET", "/users/me", admin, ""); r.status != 200 {
		t.Errorf("in the next window: %d", r.status)
	}
	e.z.SetRateWindow(0) // back to a minute: another window, counted afresh
	if r := e.do(e.z, "GET", "/users/me", admin, ""); r.status != 200 {
		t.Errorf("first request of the minute window: %d", r.status)
	}
}
