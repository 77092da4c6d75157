package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Fault makes a zone misbehave on purpose, for testing how a client copes.
// Faults are checked in the order they were added; the first one that
// matches a request fires (and counts one of its Times).
//
// What a fault does, in this order: wait Delay; then, if Drop, close the
// connection; else if RedirectTo, answer 307; else if Status, HTML or Body is
// set, answer with that error. A fault that does none of those three (only
// Delay, RetryAfter or DropAfterHandling) lets the request through to the
// API, which answers normally; with DropAfterHandling the answer is then
// thrown away and the connection closed. A request answered by a fault
// never reaches the API, so it does not count against the rate limit.
//
// A dropped request has been read in full by the server; the client sees its
// connection closed (Go: an EOF error) where it expects the answer.
type Fault struct {
	// Method to match ("GET"); "" matches any.
	Method string
	// Path to match, relative to /api/v2 and unescaped
	// ("/users/me/api-tokens"); a trailing "*" matches any path starting
	// with what precedes it; "" matches any request, even outside /api/v2.
	Path string
	// Times is how many times the fault fires before it is used up; 0 means
	// it fires on every matching request.
	Times int
	// Status (200-599) to answer with, with Make's error JSON body for it...
	// If Status is 0 but HTML or Body is set, it defaults to 502 (HTML) or
	// 500 (Body).
	Status int
	// HTML answers with a proxy-style HTML page instead of JSON.
	HTML bool
	// Body replaces the answer's body verbatim (sent as application/json if
	// it is valid JSON, text/plain otherwise).
	Body string
	// RetryAfter is sent as the Retry-After header of the fault's answer.
	RetryAfter string
	// Drop closes the connection without answering.
	Drop bool
	// DropAfterHandling lets the API handle the request (a token IS
	// created or deleted) and then closes the connection without sending
	// the answer.
	DropAfterHandling bool
	// Delay is waited before anything else happens.
	Delay time.Duration
	// Finish makes the zone carry the request out after Delay even when
	// the client has gone away meanwhile (interrupted, timed out), as a
	// server finishes a request whose client left: a create then makes
	// the token that nobody receives. Without it a request whose client
	// is gone during Delay is dropped unhandled.
	Finish bool
	// RedirectTo answers 307 Temporary Redirect with Location: RedirectTo.
	// If RedirectTo ends with "/", the request's original path (escaped, with
	// /api/v2, and its query) is appended to it, without doubling the slash:
	// "http://127.0.0.1:18082/" sends /api/v2/users/me to
	// http://127.0.0.1:18082/api/v2/users/me.
	RedirectTo string
}

// faultJSON is the control API's form of a Fault: lowerCamelCase names and
// the delay as a Go duration string ("100ms").
type faultJSON struct {
	Method            string `json:"method,omitempty"`
	Path              string `json:"path,omitempty"`
	Times             int    `json:"times,omitempty"`
	Status            int    `json:"status,omitempty"`
	HTML              bool   `json:"html,omitempty"`
	Body              string `json:"body,omitempty"`
	RetryAfter        string `json:"retryAfter,omitempty"`
	Drop              bool   `json:"drop,omitempty"`
	DropAfterHandling bool   `json:"dropAfterHandling,omitempty"`
	Delay             string `json:"delay,omitempty"`
	Finish            bool   `json:"finish,omitempty"`
	RedirectTo        string `json:"redirectTo,omitempty"`
}

// MarshalJSON writes the fault as the control API takes it.
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{
		Method: f.Method, Path: f.Path, Times: f.Times, Status: f.Status, HTML: f.HTML,
		Body: f.Body, RetryAfter: f.RetryAfter, Drop: f.Drop, DropAfterHandling: f.DropAfterHandling,
		Finish: f.Finish, RedirectTo: f.RedirectTo,
	}
	if f.Delay != 0 {
		j.Delay = f.Delay.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a fault in the control API's form
// ({"path":"/users/me","status":503,"times":1,"delay":"100ms"}). Unknown
// fields are errors, so that a typo does not silently make a different fault.
func (f *Fault) UnmarshalJSON(data []byte) error {
	var j faultJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return fmt.Errorf("fault: %w", err)
	}
	var delay time.Duration
	if j.Delay != "" {
		d, err := time.ParseDuration(j.Delay)
		if err != nil {
			return fmt.Errorf("fault: delay: %w", err)
		}
		delay = d
	}
	*f = Fault{
		Method: j.Method, Path: j.Path, Times: j.Times, Status: j.Status, HTML: j.HTML,
		Body: j.Body, RetryAfter: j.RetryAfter, Drop: j.Drop, DropAfterHandling: j.DropAfterHandling,
		Delay: delay, Finish: j.Finish, RedirectTo: j.RedirectTo,
	}
	return nil
}

// validate reports what makes f unusable.
func (f Fault) validate() error {
	switch {
	case f.Times < 0:
		return errors.New("times must not be negative")
	case f.Status != 0 && (f.Status < 200 || f.Status > 599):
		return errors.New("status must be between 200 and 599")
	case f.Delay < 0:
		return errors.New("delay must not be negative")
	case strings.ContainsAny(f.RetryAfter, "\r\n"), strings.ContainsAny(f.RedirectTo, "\r\n"):
		return errors.New("retryAfter and redirectTo must be single lines")
	}
	return nil
}

// answers reports whether the fault answers the request itself.
func (f Fault) answers() bool { return f.Status != 0 || f.HTML || f.Body != "" }

// status is the status code the fault answers with.
func (f Fault) status() int {
	switch {
	case f.Status >= 200 && f.Status <= 599:
		return f.Status
	case f.HTML:
		return 502
	default:
		return 500
	}
}

// matches reports whether the fault applies to a request. rel is the
// unescaped path relative to /api/v2; isAPI is false for paths outside it.
func (f Fault) matches(method, rel string, isAPI bool) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, method) {
		return false
	}
	switch {
	case f.Path == "":
		return true
	case !isAPI:
		return false
	case strings.HasSuffix(f.Path, "*"):
		return strings.HasPrefix(rel, strings.TrimSuffix(f.Path, "*"))
	default:
		return rel == f.Path
	}
}

type faultState struct {
	Fault
	fired int
}

// AddFault appends a fault to the zone's list. It panics if the fault is
// not valid (negative Times or Delay, Status outside 200-599, a line break in
// a header value): that is a mistake in the test that adds it. The control
// API answers 400 to such faults instead.
func (z *Zone) AddFault(f Fault) {
	if err := f.validate(); err != nil {
		panic("emulator: AddFault: " + err.Error())
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	z.faults = append(z.faults, &faultState{Fault: f})
}

// ClearFaults removes all faults.
func (z *Zone) ClearFaults() {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.faults = nil
}

// Faults returns the faults still in force, in order.
func (z *Zone) Faults() []Fault {
	z.mu.Lock()
	defer z.mu.Unlock()
	out := make([]Fault, len(z.faults))
	for i, f := range z.faults {
		out[i] = f.Fault
	}
	return out
}

// takeFault returns the first fault matching the request and counts it; a
// fault that has fired its Times is removed.
func (z *Zone) takeFault(method, rel string, isAPI bool) (Fault, bool) {
	z.mu.Lock()
	defer z.mu.Unlock()
	for i, f := range z.faults {
		if !f.matches(method, rel, isAPI) {
			continue
		}
		f.fired++
		if f.Times > 0 && f.fired >= f.Times {
			z.faults = append(z.faults[:i:i], z.faults[i+1:]...)
		}
		return f.Fault, true
	}
	return Fault{}, false
}
