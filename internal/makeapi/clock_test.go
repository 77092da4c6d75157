package makeapi

import (
	"context"
	"testing"
	"time"
)

// TestServerClock: the client follows the zone's clock through the Date of
// its answers; its WithToken copies share it; before any answer it knows
// nothing.
func TestServerClock(t *testing.T) {
	e := newTestEnv(t)
	c := e.client(e.z)
	if _, ok := c.ServerNow(); ok {
		t.Fatal("a clock before any answer")
	}
	if _, ok := c.ClockSkew(); ok {
		t.Fatal("a skew before any answer")
	}
	e.z.SetClockOffset(-2 * time.Hour)
	if _, err := c.ListTokens(context.Background()); err != nil {
		t.Fatal(err)
	}
	near := func(what string, got, want time.Duration) {
		t.Helper()
		if d := got - want; d < -1500*time.Millisecond || d > 1500*time.Millisecond {
			t.Errorf("%s = %v, want about %v", what, got, want)
		}
	}
	skew, ok := c.ClockSkew()
	if !ok {
		t.Fatal("no skew after an answer")
	}
	near("skew", skew, -2*time.Hour)
	now, _ := c.ServerNow()
	near("server now - local now", time.Until(now), -2*time.Hour)
	// A copy with another token shares what the zone's answers said...
	cp := c.WithToken("other")
	if s, ok := cp.ClockSkew(); !ok || s != skew {
		t.Errorf("WithToken's skew = %v, %v", s, ok)
	}
	// ...and what it learns: even a refused call has a Date.
	e.z.SetClockOffset(3 * time.Hour)
	_, _ = cp.CurrentAuthorization(context.Background())
	s, _ := c.ClockSkew()
	near("skew after the copy's answer", s, 3*time.Hour)
}
