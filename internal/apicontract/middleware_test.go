package apicontract

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMiddlewareReportsBothSides(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, method, path, reqBody, respBody string
		want                                  int // violations
	}{
		{"good list", http.MethodGet, "/api/v2/users/me/api-tokens", "", `{"apiTokens":[{"token":"a-*","scope":["user:read"],"created":"2024-03-27T05:53:27.360Z","label":"x"}]}`, 0},
		{"list of the wrong shape", http.MethodGet, "/api/v2/users/me/api-tokens", "", `{"apiTokens":{"token":"x"}}`, 1},
		{"create without a label", http.MethodPost, "/api/v2/users/me/api-tokens", `{"scope":["user:read"]}`, `{"apiToken":{"token":"t","scope":["user:read"],"created":"2024-03-27T05:53:27.360Z","label":"x"}}`, 1},
		{"control API is not checked", http.MethodGet, "/_emulator/state", "", `not json`, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []error
			h := Middleware(c, func(err error) { got = append(got, err) })(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(tc.respBody))
			}))
			req := httptest.NewRequest(tc.method, "http://127.0.0.1:1"+tc.path, strings.NewReader(tc.reqBody))
			req.Header.Set("Authorization", "Token x")
			if tc.reqBody != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if len(got) != tc.want {
				t.Fatalf("violations = %v, want %d", got, tc.want)
			}
			if rec.Body.String() != tc.respBody {
				t.Fatalf("the response was changed: %q", rec.Body.String())
			}
		})
	}
}
