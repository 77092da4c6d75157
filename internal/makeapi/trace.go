package makeapi

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/redact"
)

// traceBodyBytes is how much of a body a trace shows.
const traceBodyBytes = 4 << 10

// TraceTransport writes every request and answer to W (--debug): method,
// URL, status, timing, headers and bodies, with the Authorization header,
// token fields and every known secret replaced by a redaction mark.
type TraceTransport struct {
	Base     http.RoundTripper
	W        io.Writer
	Redactor *redact.Redactor
	mu       sync.Mutex // keeps the lines of parallel calls together
}

// RoundTrip implements http.RoundTripper.
func (t *TraceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil && req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			reqBody, _ = io.ReadAll(io.LimitReader(rc, traceBodyBytes+1))
			rc.Close()
		}
	}
	start := time.Now()
	resp, err := t.Base.RoundTrip(req)
	elapsed := time.Since(start)

	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", req.Method, req.URL.Redacted())
	writeHeaders(&b, "> ", req.Header)
	writeBody(&b, "> ", t.Redactor.String(string(reqBody)))
	if err != nil {
		fmt.Fprintf(&b, "< error after %s: %v\n", elapsed.Round(time.Millisecond), err)
	} else {
		fmt.Fprintf(&b, "< %s %s (%s)\n", resp.Proto, resp.Status, elapsed.Round(time.Millisecond))
		writeHeaders(&b, "< ", resp.Header)
		data, rerr := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes+1))
		resp.Body.Close()
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), errReader{rerr}))
		writeBody(&b, "< ", t.Redactor.String(string(data)))
		if rerr != nil {
			fmt.Fprintf(&b, "< (the answer was cut off after %d bytes: %v)\n", len(data), rerr)
		}
	}
	t.mu.Lock()
	// The whole trace passes the display family: a header, a status line
	// or an error can carry control characters as well as a body.
	io.WriteString(t.W, output.Lines(t.Redactor.String(b.String()))) //nolint:errcheck // a trace that cannot be written is not worth failing for
	t.mu.Unlock()
	return resp, err
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	return 0, io.EOF
}

func writeHeaders(b *strings.Builder, prefix string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			switch {
			case strings.EqualFold(k, "Authorization"):
				// The scheme ("Token") is shown; a value without one is
				// all secret.
				if scheme, _, ok := strings.Cut(v, " "); ok {
					v = scheme + " " + redact.Mark
				} else {
					v = redact.Mark
				}
			case strings.EqualFold(k, "Cookie") || strings.EqualFold(k, "Set-Cookie"):
				// A cookie's value comes first: nothing of it is shown.
				v = redact.Mark
			}
			fmt.Fprintf(b, "%s%s: %s\n", prefix, k, v)
		}
	}
}

// writeBody writes a body that was already redacted whole, so clipping it
// can never leave part of a secret behind.
func writeBody(b *strings.Builder, prefix string, s string) {
	if s == "" {
		return
	}
	more := ""
	if len(s) > traceBodyBytes {
		s, more = s[:traceBodyBytes], fmt.Sprintf(" … (%d bytes shown)", traceBodyBytes)
	}
	s = output.Lines(s)
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		fmt.Fprintf(b, "%s%s\n", prefix, line)
	}
	if more != "" {
		fmt.Fprintf(b, "%s%s\n", prefix, more)
	}
}
