package apicontract

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"testing"
)

// Transport returns a RoundTripper for tests that sends requests through base
// (http.DefaultTransport if nil) and checks each request and each response
// against c, reporting every violation with t.Errorf. The test goes on; the
// request and response are passed through unchanged.
//
// What is checked and what is skipped:
//
//   - A request whose path does not contain [BasePath] (e.g. the emulator's
//     /_emulator/ control API) is not a Make API call: neither it nor its
//     response is checked.
//   - Every other request is checked with [Contract.ValidateRequest]. A path
//     or method the contract does not know is a violation.
//   - A response is checked with [Contract.ValidateResponse] only when the
//     contract lists its status code for the operation. Other status codes
//     (500, 502, 413, a 307 redirect, ...) are what tests inject on purpose to
//     exercise a client's error handling, and the contract has nothing to say
//     about them, so they are skipped silently.
//   - A non-2xx response whose body is not JSON (a proxy's HTML error page,
//     injected on purpose) is skipped too, even if its status is listed: Make's
//     documentation warns that proxies answer that way. A 2xx response must be
//     JSON as the contract says.
//   - Transport errors (a dropped connection) are returned as they are.
//
// Bodies are read fully into memory to be checked, and handed on as new readers.
// Violation messages name the method, the path and what is wrong, but never
// include header values or body values, so a token does not end up in the
// test log.
func Transport(t testing.TB, c *Contract, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{t: t, c: c, base: base}
}

type transport struct {
	t    testing.TB
	c    *Contract
	base http.RoundTripper
}

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	// A RoundTripper must not change the caller's request, so the body is
	// read and the request cloned with a replayable copy of it.
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
	}
	out := req.Clone(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		out.Body = io.NopCloser(bytes.NewReader(reqBody))
		out.GetBody = func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(reqBody)), nil
		}
	}

	api := true
	if err := tr.c.ValidateRequest(req, reqBody); err != nil {
		if errors.Is(err, ErrNotAPIPath) {
			api = false
		} else {
			tr.t.Errorf("apicontract: %v", err)
		}
	}

	resp, err := tr.base.RoundTrip(out)
	if err != nil || !api {
		return resp, err
	}
	if !tr.c.DefinesStatus(req, resp.StatusCode) {
		return resp, nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if resp.StatusCode >= 300 && !isJSON(resp.Header.Get("Content-Type")) {
		return resp, nil
	}
	if err := tr.c.ValidateResponse(req, reqBody, resp.StatusCode, resp.Header, body); err != nil {
		tr.t.Errorf("apicontract: %v", err)
	}
	return resp, nil
}

// isJSON reports whether a Content-Type names JSON (application/json or a
// +json type).
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || (len(mt) > 5 && mt[len(mt)-5:] == "+json")
}
