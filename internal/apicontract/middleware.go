package apicontract

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
)

// Middleware checks, on the server side, every request a client sends and
// every response the handler gives, and passes violations to report. It is
// how end-to-end tests hold both maketoken and the emulator to the
// contract at once. The same rules as Transport apply: paths outside
// BasePath, status codes the contract does not list and non-JSON error
// pages are not checked, and a hijacked (dropped) connection has no
// response to check.
func Middleware(c *Contract, report func(error)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var body []byte
			if r.Body != nil {
				b, err := io.ReadAll(io.LimitReader(r.Body, 2<<20))
				if err != nil {
					http.Error(w, "reading the request", http.StatusBadRequest)
					return
				}
				body = b
				r.Body = io.NopCloser(bytes.NewReader(body))
			}
			if err := c.ValidateRequest(r, body); err != nil {
				if errors.Is(err, ErrNotAPIPath) {
					next.ServeHTTP(w, r)
					return
				}
				report(err)
			}
			rec := &recorder{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(rec, r)
			// A client that went away (a timeout, a cancelled command) got
			// no answer, so there is none to check.
			if rec.hijacked || r.Context().Err() != nil || !c.DefinesStatus(r, rec.status) {
				return
			}
			if rec.status >= 300 && !isJSON(rec.Header().Get("Content-Type")) {
				return
			}
			// The request body was consumed by the handler: give the
			// validator a fresh copy.
			r.Body = io.NopCloser(bytes.NewReader(body))
			if err := c.ValidateResponse(r, body, rec.status, rec.Header(), rec.body.Bytes()); err != nil {
				report(err)
			}
		})
	}
}

// recorder passes a response through and keeps a copy of it.
type recorder struct {
	http.ResponseWriter
	status   int
	wrote    bool
	hijacked bool
	body     bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	r.body.Write(p)
	return r.ResponseWriter.Write(p)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("apicontract: the response writer cannot be hijacked")
	}
	r.hijacked = true
	return h.Hijack()
}
