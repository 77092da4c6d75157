package emulator

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/maketoken/maketoken/internal/testkit"
)

func TestMask(t *testing.T) {
	testkit.Answers(t, "mask", mask, map[string]string{
		"3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e": "3f2a9c1d-****-****-****-************",
		"nodashes":                             "********",
		"":                                     "",
		"a-":                                   "a-",
	})
}

func TestRedactTokens(t *testing.T) {
	in := "/api/v2/x/3F2A9C1D-7B4E-4C1A-9D2E-5F6A7B8C9D0E?t=3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e"
	want := "/api/v2/x/3F2A9C1D-****-****-****-************?t=3f2a9c1d-****-****-****-************"
	if got := redactTokens(in); got != want {
		t.Errorf("redactTokens = %q", got)
	}
}

func TestRedirectLocation(t *testing.T) {
	for _, tc := range []struct{ to, raw, query, want string }{
		{"http://h:1/", "/api/v2/users/me", "", "http://h:1/api/v2/users/me"},
		{"http://h:1/", "/api/v2/users/me", "a=b", "http://h:1/api/v2/users/me?a=b"},
		{"http://h:1/x", "/api/v2/users/me", "a=b", "http://h:1/x"},
	} {
		if got := redirectLocation(tc.to, tc.raw, tc.query); got != tc.want {
			t.Errorf("redirectLocation(%q, %q, %q) = %q, want %q", tc.to, tc.raw, tc.query, got, tc.want)
		}
	}
}

// TestHandlerWithHTTPTest uses a zone's handler without Start, as tests of
// other packages may, including the hijacking faults.
func TestHandlerWithHTTPTest(t *testing.T) {
	s := New(Options{Zones: []string{"eu1"}})
	z := s.Zone("eu1")
	ts := httptest.NewServer(z.Handler())
	defer ts.Close()
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/v2/users/me", nil)
	req.Header.Set("Authorization", "Token "+z.AdminToken())
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	z.AddFault(Fault{Drop: true, Times: 1})
	if _, err := ts.Client().Do(req); err == nil {
		t.Error("Drop: no error")
	}
	// A recorder cannot be hijacked: the handler aborts the way net/http expects.
	z.AddFault(Fault{Drop: true, Times: 1})
	rec := httptest.NewRecorder()
	func() {
		defer func() {
			if r, _ := recover().(error); !errors.Is(r, http.ErrAbortHandler) {
				t.Errorf("recovered %v, want http.ErrAbortHandler", r)
			}
		}()
		z.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v2/users/me", nil))
	}()
	// A plain recorder works for everything else.
	rec = httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/api/v2/users/me", nil)
	r.Header.Set("Authorization", "Token "+z.AdminToken())
	z.Handler().ServeHTTP(rec, r)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("recorder: %d %v", rec.Code, rec.Header())
	}
}

func TestLoopbackHost(t *testing.T) {
	testkit.Answers(t, "loopbackHost", loopbackHost, map[string]bool{
		"": true, "127.0.0.1": true, "127.0.0.1:18081": true, "127.3.4.5:1": true,
		"localhost": true, "LocalHost:18081": true, "[::1]:18081": true, "[::1]": true, "::1": true,
		"evil.example": false, "evil.example:18081": false, "127.0.0.1.evil.example": false,
		"localhost.": false, "localhost.evil.example:1": false, "10.0.0.1:18081": false,
		"[::ffff:10.0.0.1]:1": false, "0.0.0.0:18081": false, "2130706433": false,
	})
}

func TestShareableRequest(t *testing.T) {
	s := New(Options{Zones: []string{"eu1", "us1"}})
	own := s.Zone("us1").AdminToken()
	for sent, want := range map[string]string{
		own:                                    own,
		"3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e": "3f2a9c1d-****-****-****-************",
		"no-dashes":                            "no-******",
		"nodashes":                             "********",
		"Bearer 3f2a9c1d-7b4e":                 "Bearer 3f2a9c1d-****",
		"":                                     "",
	} {
		r := s.shareable(Request{Token: sent, Path: "/api/v2/users/me/api-tokens/3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e"})
		if r.Token != want || r.Path != "/api/v2/users/me/api-tokens/3f2a9c1d-****-****-****-************" {
			t.Errorf("%q: token %q, path %q; want %q", sent, r.Token, r.Path, want)
		}
	}
}
