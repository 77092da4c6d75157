package makeapi

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/outcome"
	"github.com/maketoken/maketoken/internal/output"
)

// hostile is what a broken or hostile server could put in any text: a
// carriage return and an erase-line sequence (which rewrite the line shown
// before a question), a C1 CSI, a bidi override and invalid UTF-8.
const hostile = "\r\x1b[2K\u009b31m\u202e\xff"

// hostileEscaped is hostile as the client returns it.
const hostileEscaped = `\r\x1b[2K\u009b31m\u202e\xff`

// A hostile server: every text field of every answer carries hostile.
func hostileServer(t *testing.T, deleted *[]string) string {
	t.Helper()
	var mu sync.Mutex
	return newLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		q := func(s string) string {
			return `"` + strings.NewReplacer("\r", `\r`, "\x1b", `\u001b`, "\u009b", `\u009b`).Replace(s) + `"`
		}
		h := hostile[:len(hostile)-1] // JSON strings hold valid UTF-8 only
		switch {
		case r.URL.Path == "/api/v2/users/me":
			w.Write([]byte(`{"authUser":{"id":1,"name":` + q("Eve"+h) + `,"email":` + q("eve@x"+h) + `}}`))
		case r.URL.Path == "/api/v2/users/me/current-authorization":
			w.Write([]byte(`{"authorization":{"authUsed":` + q("token"+h) + `,"scope":[` + q("user:read"+h) + `]}}`))
		case r.URL.Path == "/api/v2/enums/user-api-token-scopes":
			w.Write([]byte(`{"userApiTokenScopes":[{"name":` + q("user:read"+h) + `}]}`))
		case r.URL.Path == "/api/v2/users/me/api-tokens" && r.Method == http.MethodGet:
			w.Write([]byte(`{"apiTokens":[{"token":` + q("3f2a9c1d"+h+"-****") + `,"scope":[` + q("user:read"+h) + `],"created":` + q("2024-03-27T05:53:27.360Z"+h) + `,"label":` + q("ci"+h) + `}]}`))
		case r.URL.Path == "/api/v2/users/me/api-tokens" && r.Method == http.MethodPost:
			w.Write([]byte(`{"apiToken":{"token":"3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e","scope":["user:read"],"created":` + q("2024-03-27T05:53:27.361Z"+h) + `,"label":` + q("new"+h) + `}}`))
		case r.Method == http.MethodDelete:
			mu.Lock()
			*deleted = append(*deleted, r.URL.EscapedPath())
			mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		default:
			w.WriteHeader(http.StatusTeapot)
			w.Write([]byte(`{"detail":` + q("no"+h) + `,"message":` + q("m"+h) + `,"code":` + q("IM"+h) + `,"suberrors":[{"message":` + q("s"+h) + `}]}`))
		}
	}))
}

// Every text a server sends comes out of the client escaped, whichever
// call returned it; a created timestamp still goes back byte for byte.
func TestServerTextComesOutEscaped(t *testing.T) {
	var deleted []string
	base := hostileServer(t, &deleted)
	c, err := New(base+"/api/v2", "tok", Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxWithin(t, 10*time.Second)
	esc := hostileEscaped[:len(hostileEscaped)-len(`\xff`)]
	check := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}

	u, err := c.Me(ctx)
	check("Me", [2]any{u, err}, [2]any{User{ID: 1, Name: "Eve" + esc, Email: "eve@x" + esc}, nil})
	a, err := c.CurrentAuthorization(ctx)
	check("CurrentAuthorization", [2]any{a, err}, [2]any{Authorization{AuthUsed: "token" + esc, Scopes: []string{"user:read" + esc}}, nil})
	p, err := c.ProbeAuthorization(ctx)
	check("ProbeAuthorization", [2]any{p.Authorization, err}, [2]any{a, nil})
	s, err := c.Scopes(ctx)
	check("Scopes", [2]any{s, err}, [2]any{[]string{"user:read" + esc}, nil})

	list, err := c.ListTokens(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListTokens: %v %v", list, err)
	}
	tok := list[0]
	check("listed token", [4]any{tok.Token, tok.Label, tok.Created, tok.Scopes},
		[4]any{"3f2a9c1d" + esc + "-****", "ci" + esc, "2024-03-27T05:53:27.360Z" + esc, []string{"user:read" + esc}})
	created, err := c.CreateToken(ctx, "new", []string{"user:read"})
	if err != nil {
		t.Fatal(err)
	}
	check("created token", [3]any{created.Token, created.Label, created.Created},
		[3]any{"3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e", "new" + esc, "2024-03-27T05:53:27.361Z" + esc})

	// DELETE sends the created bytes Make sent, not the escaped form.
	for _, tk := range []Token{tok, created} {
		if err := c.DeleteToken(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	check("DELETE paths", deleted, []string{
		"/api/v2/users/me/api-tokens/2024-03-27T05:53:27.360Z%0D%1B%5B2K%C2%9B31m%E2%80%AE",
		"/api/v2/users/me/api-tokens/2024-03-27T05:53:27.361Z%0D%1B%5B2K%C2%9B31m%E2%80%AE",
	})

	// Make's error body, every part of it.
	err = c.do(ctx, http.MethodGet, "/teapot", nil, new(any))
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v", err)
	}
	check("APIError parts", [4]any{ae.Detail, ae.Message, ae.Code, ae.Suberrors},
		[4]any{"no" + esc, "m" + esc, "IM" + esc, []string{"s" + esc}})
	for _, msg := range []string{err.Error(),
		(&TransportError{Method: "GET", URL: "u", Err: errors.New("bad status " + hostile)}).Error(),
		(&ProtocolError{Method: "GET", Path: "/p", Reason: hostile}).Error(),
		(&APIError{StatusCode: 400, Method: "GET", Path: "/p", Detail: hostile, Suberrors: []string{hostile}}).Error(),
	} {
		if strings.ContainsFunc(msg, output.IsUnsafe) {
			t.Errorf("error message %q holds an unsafe character", msg)
		}
	}
}

// A create answer whose secret could drive a terminal is not delivered,
// nor changed into a token that does not work: the outcome is unknown.
func TestCreatedSecretWithControlCharacters(t *testing.T) {
	for _, secret := range []string{"3f2a9c1d-\x1b[2K", "3f2a9c1d 7b4e", "3f2a9c1d\u202e"} {
		base := newLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"apiToken":{"token":` + strings.ReplaceAll(quoteJSON(secret), "\x1b", `\u001b`) + `,"scope":["user:read"],"created":"2024-03-27T05:53:27.361Z","label":"x"}}`))
		}))
		c, _ := New(base+"/api/v2", "tok", Options{})
		tok, err := c.CreateToken(ctxWithin(t, 10*time.Second), "x", []string{"user:read"})
		if !outcome.IsUnknown(err) || tok.Token != "" {
			t.Errorf("%q: token %q, err %v; want an unknown outcome and no token", secret, tok.Token, err)
		}
	}
}

func quoteJSON(s string) string { return `"` + s + `"` }

// A call cut short names the call by its path, once, and says what cut it
// short in words: no whole URL, no "context deadline exceeded" (issue 20).
func TestCutShortCallsSayWhy(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{&TransportError{Method: "DELETE", URL: "http://127.0.0.1:40025/api/v2/users/me/api-tokens/2020-01-01T00:00:25.000Z", Path: "/users/me/api-tokens/2020-01-01T00:00:25.000Z", Err: context.DeadlineExceeded},
			"DELETE /users/me/api-tokens/2020-01-01T00:00:25.000Z: no answer in time"},
		{&TransportError{Method: "GET", URL: "http://127.0.0.1:1/api/v2/users/me", Path: "/users/me", Err: context.Canceled},
			"GET /users/me: interrupted"},
		{&StoppedError{Method: "GET", Path: "/users/me/api-tokens", Err: context.DeadlineExceeded,
			Last: &APIError{Method: "GET", Path: "/users/me/api-tokens", StatusCode: 429, Message: "Requests limit exceeded"}},
			"GET /users/me/api-tokens: no time was left while waiting to retry after 429 Too Many Requests: Requests limit exceeded"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%q\nwant %q", got, c.want)
		}
		if !errors.Is(c.err, context.DeadlineExceeded) && !errors.Is(c.err, context.Canceled) {
			t.Errorf("%v does not unwrap to the context's error", c.err)
		}
	}
}
