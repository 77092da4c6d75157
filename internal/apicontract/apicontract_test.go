package apicontract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
)

const (
	testToken = "3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e"
	base      = "http://127.0.0.1:18081/api/v2"
)

func load(t *testing.T) *Contract {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newRequest(t *testing.T, method, url, body string) *http.Request {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Token "+testToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func jsonHeader() http.Header {
	return http.Header{"Content-Type": []string{"application/json"}}
}

func TestEmbeddedSpecIsTheSharedSpec(t *testing.T) {
	shared, err := os.ReadFile("../../../shared/spec/make-openapi.json")
	if err != nil {
		t.Skipf("shared spec not available: %v", err)
	}
	if !bytes.Equal(shared, Spec()) {
		t.Fatal("internal/apicontract/make-openapi.json differs from shared/spec/make-openapi.json: copy it again, unchanged")
	}
}

func TestValidExchangesPass(t *testing.T) {
	c := load(t)
	tests := []struct {
		name, method, url, reqBody string
		status                     int
		respBody                   string
	}{
		{"create", "POST", base + "/users/me/api-tokens", `{"label":"ci","scope":["scenarios:read","custom-property-structures:read"]}`,
			200, `{"apiToken":{"token":"` + testToken + `","scope":["scenarios:read","custom-property-structures:read"],"created":"2024-03-27T05:53:27.360Z","label":"ci"}}`},
		{"list", "GET", base + "/users/me/api-tokens", "",
			200, `{"apiTokens":[{"token":"3f2a9c1d-****-****-****-************","scope":["scenarios:read","user:write"],"created":"2024-03-27T05:53:27.360Z","label":"ci"}]}`},
		{"list empty", "GET", "https://eu1.make.com/api/v2/users/me/api-tokens", "", 200, `{"apiTokens":[]}`},
		{"delete raw colon", "DELETE", base + "/users/me/api-tokens/2024-03-27T05:53:27.360Z", "", 200, `{"apiToken":"2024-03-27T05:53:27.360Z"}`},
		{"delete escaped colon", "DELETE", base + "/users/me/api-tokens/2024-03-27T05%3A53%3A27.360Z", "", 200, `{"apiToken":"2024-03-27T05:53:27.360Z"}`},
		{"delete unknown", "DELETE", base + "/users/me/api-tokens/2024-03-27T05:53:27.000Z", "", 404, `{"detail":"Not found.","message":"Not found","code":"SC404"}`},
		{"me", "GET", base + "/users/me", "", 200, `{"authUser":{"id":1,"name":"Ada","email":"ada@example.com"}}`},
		{"authorization", "GET", base + "/users/me/current-authorization", "", 200, `{"authorization":{"authUsed":"token","scope":["user:read"]}}`},
		{"scopes", "GET", base + "/enums/user-api-token-scopes", "", 200, `{"userApiTokenScopes":[{"name":"scenarios:read"}]}`},
		{"invalid input", "POST", base + "/users/me/api-tokens", `{"label":"x","scope":["user:read"]}`,
			400, `{"detail":"Invalid.","message":"Invalid input parameters","code":"IM005","suberrors":[{"message":"bad scope"}]}`},
		{"rate limited", "GET", base + "/users/me", "", 429, `{"detail":"Requests limit for organization exceeded, please try again later.","message":"Requests limit for organization exceeded, please try again later.","code":"SC429"}`},
		{"private instance under a prefix", "GET", "https://make.acme.example/proxy/api/v2/users/me", "", 401, `{"detail":"Invalid credentials.","message":"Invalid credentials.","code":"IM015"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest(t, tt.method, tt.url, tt.reqBody)
			if err := c.ValidateRequest(req, []byte(tt.reqBody)); err != nil {
				t.Errorf("request: %v", err)
			}
			if !c.DefinesStatus(req, tt.status) {
				t.Errorf("DefinesStatus(%d) = false", tt.status)
			}
			if err := c.ValidateResponse(req, []byte(tt.reqBody), tt.status, jsonHeader(), []byte(tt.respBody)); err != nil {
				t.Errorf("response: %v", err)
			}
		})
	}
}

func TestInvalidRequestsFail(t *testing.T) {
	c := load(t)
	tests := []struct {
		name, method, url, body string
		auth                    string
	}{
		{"create without label", "POST", base + "/users/me/api-tokens", `{"scope":["user:read"]}`, "Token " + testToken},
		{"create without scope", "POST", base + "/users/me/api-tokens", `{"label":"x"}`, "Token " + testToken},
		{"scope not a list", "POST", base + "/users/me/api-tokens", `{"label":"x","scope":"user:read"}`, "Token " + testToken},
		{"scope not a name", "POST", base + "/users/me/api-tokens", `{"label":"x","scope":["user read"]}`, "Token " + testToken},
		{"no authorization", "GET", base + "/users/me/api-tokens", "", ""},
		{"bearer authorization", "GET", base + "/users/me/api-tokens", "", "Bearer " + testToken},
		{"empty token", "GET", base + "/users/me/api-tokens", "", "Token "},
		{"delete by something else", "DELETE", base + "/users/me/api-tokens/1711518807360", "", "Token " + testToken},
		{"unknown path", "GET", base + "/users/me/tokens", "", "Token " + testToken},
		{"unknown method", "PATCH", base + "/users/me/api-tokens", "", "Token " + testToken},
		{"outside the API", "GET", "http://127.0.0.1:18081/_emulator/state", "", "Token " + testToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest(t, tt.method, tt.url, tt.body)
			req.Header.Del("Authorization")
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			err := c.ValidateRequest(req, []byte(tt.body))
			if err == nil {
				t.Fatal("ValidateRequest accepted an invalid request")
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error message contains the token: %v", err)
			}
		})
	}
}

func TestInvalidResponsesFail(t *testing.T) {
	c := load(t)
	list := newRequest(t, "GET", base+"/users/me/api-tokens", "")
	create := newRequest(t, "POST", base+"/users/me/api-tokens", `{"label":"x","scope":["user:read"]}`)
	tests := []struct {
		name   string
		req    *http.Request
		status int
		header http.Header
		body   string
	}{
		{"apiTokens is an object", list, 200, jsonHeader(), `{"apiTokens":{"token":"x"}}`},
		{"created not a date-time", list, 200, jsonHeader(), `{"apiTokens":[{"token":"x","scope":[],"created":"yesterday","label":"x"}]}`},
		{"created impossible date", list, 200, jsonHeader(), `{"apiTokens":[{"token":"x","scope":[],"created":"2024-02-30T05:53:27.360Z","label":"x"}]}`},
		{"scope not strings", list, 200, jsonHeader(), `{"apiTokens":[{"token":"x","scope":[1],"created":"2024-03-27T05:53:27.360Z","label":"x"}]}`},
		{"not JSON", list, 200, http.Header{"Content-Type": []string{"text/html"}}, `<html></html>`},
		{"broken JSON", list, 200, jsonHeader(), `{"apiTokens":[`},
		{"unlisted status", list, 500, jsonHeader(), `{}`},
		{"400 not listed for list", list, 400, jsonHeader(), `{}`},
		{"apiToken is a string", create, 200, jsonHeader(), `{"apiToken":"` + testToken + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.ValidateResponse(tt.req, nil, tt.status, tt.header, []byte(tt.body))
			if err == nil {
				t.Fatal("ValidateResponse accepted an invalid response")
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error message contains the token: %v", err)
			}
		})
	}
}

func TestRealValuesPassFormats(t *testing.T) {
	for _, s := range []string{"scenarios:read", "custom-property-structures:read", "organization-variables:write", "imt-forms:read", "sdk-apps:write"} {
		if err := validateURI(s); err != nil {
			t.Errorf("validateURI(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "user read", "read", ":read"} {
		if validateURI(s) == nil {
			t.Errorf("validateURI(%q) accepted it", s)
		}
	}
	for _, s := range []string{"2024-03-27T05:53:27.360Z", "2024-03-27T05:53:27.368Z", "2024-03-27T05:53:27Z", "2024-03-27T05:53:27.000+02:00"} {
		if err := validateDateTime(s); err != nil {
			t.Errorf("validateDateTime(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "2024-03-27", "2024-03-27 05:53:27.360Z", "2024-02-30T05:53:27.360Z", "1711518807360"} {
		if validateDateTime(s) == nil {
			t.Errorf("validateDateTime(%q) accepted it", s)
		}
	}
}

// fakeT records what Transport reports.
type fakeT struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (f *fakeT) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *fakeT) reported() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errors...)
}

func TestTransport(t *testing.T) {
	c := load(t)
	var answer struct {
		sync.Mutex
		status int
		ctype  string
		body   string
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The handler sees the full request body: Transport must pass it on.
		b, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodPost && !json.Valid(b) {
			w.WriteHeader(599)
			return
		}
		answer.Lock()
		defer answer.Unlock()
		w.Header().Set("Content-Type", answer.ctype)
		w.WriteHeader(answer.status)
		io.WriteString(w, answer.body)
	}))
	defer srv.Close()

	tests := []struct {
		name, method, path, reqBody string
		status                      int
		ctype, body                 string
		wantReports                 int
	}{
		{"valid", "GET", "/api/v2/users/me/api-tokens", "", 200, "application/json", `{"apiTokens":[]}`, 0},
		{"valid post", "POST", "/api/v2/users/me/api-tokens", `{"label":"a","scope":["user:read"]}`, 200, "application/json",
			`{"apiToken":{"token":"` + testToken + `","scope":["user:read"],"created":"2024-03-27T05:53:27.360Z","label":"a"}}`, 0},
		{"bad response", "GET", "/api/v2/users/me/api-tokens", "", 200, "application/json", `{"apiTokens":{}}`, 1},
		{"bad request", "POST", "/api/v2/users/me/api-tokens", `{"scope":["user:read"]}`, 400, "application/json", `{"code":"IM005"}`, 1},
		{"bad request and response", "POST", "/api/v2/users/me/api-tokens", `{"scope":["user:read"]}`, 400, "application/json", `[]`, 2},
		{"unlisted 500 skipped", "GET", "/api/v2/users/me/api-tokens", "", 500, "application/json", `not json`, 0},
		{"html 429 skipped", "GET", "/api/v2/users/me/api-tokens", "", 429, "text/html", `<html>slow down</html>`, 0},
		{"html 200 reported", "GET", "/api/v2/users/me/api-tokens", "", 200, "text/html", `<html></html>`, 1},
		{"control API skipped", "GET", "/_emulator/state", "", 200, "application/json", `{}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answer.Lock()
			answer.status, answer.ctype, answer.body = tt.status, tt.ctype, tt.body
			answer.Unlock()
			ft := &fakeT{TB: t}
			client := &http.Client{Transport: Transport(ft, c, nil)}
			req := newRequest(t, tt.method, srv.URL+tt.path, tt.reqBody)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || string(got) != tt.body {
				t.Errorf("response changed on the way: %d %q", resp.StatusCode, got)
			}
			reports := ft.reported()
			if len(reports) != tt.wantReports {
				t.Errorf("reported %d violations, want %d: %q", len(reports), tt.wantReports, reports)
			}
			for _, r := range reports {
				if strings.Contains(r, testToken) {
					t.Errorf("report contains the token: %s", r)
				}
			}
		})
	}
}

func TestTransportPassesErrorsThrough(t *testing.T) {
	c := load(t)
	boom := errors.New("boom")
	ft := &fakeT{TB: t}
	client := &http.Client{Transport: Transport(ft, c, roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, boom }))}
	_, err := client.Do(newRequest(t, "GET", base+"/users/me", ""))
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if r := ft.reported(); len(r) != 0 {
		t.Errorf("reported %q", r)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
