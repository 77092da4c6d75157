package makeapi

import (
	"errors"
	"net"
	"net/http"
	"time"
)

// NewHTTPClient returns the HTTP client a command shares across all its
// calls and zones. base is the transport to wrap (nil: a tuned clone of the
// default one); timeout bounds each request (0: only the context does).
//
// Redirects keep a credential inside its zone: a redirect to another origin
// is followed without the Authorization header, and a redirect from https
// to http is refused.
func NewHTTPClient(base http.RoundTripper, timeout time.Duration) *http.Client {
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		t.TLSHandshakeTimeout = 10 * time.Second
		t.ResponseHeaderTimeout = 60 * time.Second
		t.MaxIdleConnsPerHost = 8
		base = t
	}
	return &http.Client{Transport: base, Timeout: timeout, CheckRedirect: checkRedirect}
}

// ErrInsecureRedirect is a redirect from https to plain http.
var ErrInsecureRedirect = errors.New("refusing a redirect from https to http")

// errRedirectLoop is a chain of redirects that does not end.
var errRedirectLoop = errors.New("stopped after 5 redirects")

// redirectError is a redirect the client refused to follow. The server
// answered, so the call is not retried.
type redirectError struct{ err error }

func (e *redirectError) Error() string { return e.err.Error() }
func (e *redirectError) Unwrap() error { return e.err }

func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return &redirectError{errRedirectLoop}
	}
	first := via[0].URL
	if first.Scheme == "https" && req.URL.Scheme != "https" {
		return &redirectError{ErrInsecureRedirect}
	}
	if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
		req.Header.Del("Authorization")
	}
	return nil
}
