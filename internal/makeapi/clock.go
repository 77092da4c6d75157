package makeapi

import (
	"net/http"
	"sync"
	"time"
)

// serverClock follows a zone's clock through the Date headers of its
// answers, for lifetimes that count on Make's clock (see package tokens).
// A client and its WithToken copies share one.
type serverClock struct {
	mu   sync.Mutex
	date time.Time // the last answer's Date (whole seconds)
	at   time.Time // when it arrived, on this machine's clock
}

// observe records the Date of an answer that arrived at at.
func (s *serverClock) observe(h http.Header, at time.Time) {
	d, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.date, s.at = d, at
}

// ServerNow estimates the zone's clock now from the Date of its last
// answer and the time since it arrived; false if no answer had one. A Date
// has whole seconds, cut off: the estimate is up to a second behind.
func (c *Client) ServerNow() (time.Time, bool) {
	c.clock.mu.Lock()
	defer c.clock.mu.Unlock()
	if c.clock.date.IsZero() {
		return time.Time{}, false
	}
	return c.clock.date.Add(time.Since(c.clock.at)), true
}

// ClockSkew is how far the zone's clock is ahead of this machine's
// (negative: behind), as the Date of its last answer shows it, to about a
// second; false if no answer had a Date.
func (c *Client) ClockSkew() (time.Duration, bool) {
	c.clock.mu.Lock()
	defer c.clock.mu.Unlock()
	if c.clock.date.IsZero() {
		return 0, false
	}
	// The Date was cut to the second: its middle is the best guess.
	return c.clock.date.Add(500 * time.Millisecond).Sub(c.clock.at), true
}
