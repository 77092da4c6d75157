package emulator_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
)

func TestControlAPI(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	z := e.z

	t.Run("state", func(t *testing.T) {
		r := e.control(z, "GET", "/_emulator/state", "")
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var st struct {
			Zone       string
			URL        string
			AdminToken string `json:"adminToken"`
			User       emulator.User
			Tokens     []emulator.Token
			Settings   struct {
				Latency    string
				RateLimit  int `json:"rateLimit"`
				RetryAfter bool
				Scopes     []string
			}
			Faults []emulator.Fault
		}
		r.json(t, &st)
		if st.Zone != "eu1" || st.URL != z.URL() || st.AdminToken != z.AdminToken() || !reflect.DeepEqual(st.User, z.User()) {
			t.Errorf("state %+v", st)
		}
		if len(st.Tokens) != 1 || st.Tokens[0].Token != z.AdminToken() || st.Tokens[0].Label != "emulator admin" {
			t.Errorf("tokens %+v", st.Tokens)
		}
		if st.Settings.Latency != "0s" || !slices.Equal(st.Settings.Scopes, emulator.DefaultScopes()) || st.Faults == nil {
			t.Errorf("settings %+v faults %v", st.Settings, st.Faults)
		}
	})

	t.Run("tokens", func(t *testing.T) {
		r := e.control(z, "POST", "/_emulator/tokens", `{"label":"seeded","scope":["user:read"],"created":"2024-03-27T05:53:27.360Z"}`)
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var tok emulator.Token
		r.json(t, &tok)
		if tok.Created != created360 || tok.Label != "seeded" || !uuidV4Re.MatchString(tok.Token) || !z.HasToken(tok.Token) {
			t.Errorf("token %+v", tok)
		}
		if r := e.do(z, "GET", "/users/me", tok.Token, ""); r.status != 200 {
			t.Errorf("seeded token: %d", r.status)
		}
		// Without created: now. Without scope: none.
		r = e.control(z, "POST", "/_emulator/tokens", `{"label":"now"}`)
		r.json(t, &tok)
		if r.status != 201 || !createdRe.MatchString(tok.Created) || tok.Scopes == nil || len(tok.Scopes) != 0 {
			t.Errorf("%d %s", r.status, r.body)
		}
		for _, bad := range []string{`{"label":`, `{"label":"x","scop":[]}`, `{"label":"x","created":"yesterday"}`, `{"label":"x"} {}`, `[]`} {
			if r := e.control(z, "POST", "/_emulator/tokens", bad); r.status != 400 || !strings.Contains(string(r.body), `"error"`) {
				t.Errorf("%s: %d %s", bad, r.status, r.body)
			}
		}
	})

	t.Run("requests", func(t *testing.T) {
		z.ResetRequests()
		e.do(z, "GET", "/users/me", z.AdminToken(), "")
		r := e.control(z, "GET", "/_emulator/requests", "")
		var reqs []map[string]any
		r.json(t, &reqs)
		if r.status != 200 || len(reqs) != 1 || reqs[0]["path"] != "/api/v2/users/me" || reqs[0]["token"] != z.AdminToken() || reqs[0]["status"] != float64(200) {
			t.Errorf("%d %s", r.status, r.body)
		}
		if r := e.control(z, "DELETE", "/_emulator/requests", ""); r.status != 204 {
			t.Errorf("DELETE: %d", r.status)
		}
		if r := e.control(z, "GET", "/_emulator/requests", ""); string(r.body) != "[]" {
			t.Errorf("after DELETE: %s", r.body)
		}
	})

	t.Run("faults", func(t *testing.T) {
		r := e.control(z, "POST", "/_emulator/faults", `{"method":"GET","path":"/users/me","status":503,"times":1,"delay":"20ms","retryAfter":"3"}`)
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		want := emulator.Fault{Method: "GET", Path: "/users/me", Status: 503, Times: 1, Delay: 20 * time.Millisecond, RetryAfter: "3"}
		if got := z.Faults(); len(got) != 1 || got[0] != want {
			t.Errorf("faults %+v", got)
		}
		var listed []emulator.Fault
		e.control(z, "GET", "/_emulator/faults", "").json(t, &listed)
		if len(listed) != 1 || listed[0] != want {
			t.Errorf("GET faults %+v", listed)
		}
		start := time.Now()
		if r := e.do(z, "GET", "/users/me", z.AdminToken(), ""); r.status != 503 || r.header.Get("Retry-After") != "3" || time.Since(start) < 20*time.Millisecond {
			t.Errorf("fault: %d %v", r.status, r.header)
		}
		e.control(z, "POST", "/_emulator/faults", `{"status":500}`)
		if r := e.control(z, "DELETE", "/_emulator/faults", ""); r.status != 204 || len(z.Faults()) != 0 {
			t.Errorf("DELETE: %d %v", r.status, z.Faults())
		}
		for _, bad := range []string{`{"status":99}`, `{"status":600}`, `{"delay":"soon"}`, `{"delay":"-1s"}`, `{"times":-1}`, `{"stauts":500}`, `{"retryAfter":"1\r\nX-Evil: 1"}`, `{"delay":100}`} {
			if r := e.control(z, "POST", "/_emulator/faults", bad); r.status != 400 {
				t.Errorf("%s: %d %s", bad, r.status, r.body)
			}
		}
		if len(z.Faults()) != 0 {
			t.Error("a bad fault was added")
		}
		// Every fault kind round-trips through JSON.
		f := emulator.Fault{Method: "POST", Path: "/x*", Times: 2, Status: 502, HTML: true, Body: "b", RetryAfter: "1",
			Drop: true, DropAfterHandling: true, Delay: time.Second, RedirectTo: "http://127.0.0.1:1/"}
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var back emulator.Fault
		if err := json.Unmarshal(b, &back); err != nil || back != f {
			t.Errorf("round trip: %s -> %+v (%v)", b, back, err)
		}
	})

	t.Run("settings", func(t *testing.T) {
		r := e.control(z, "POST", "/_emulator/settings", `{"latency":"10ms","rateLimit":1,"retryAfter":true}`)
		if r.status != 200 || !strings.Contains(string(r.body), `"latency":"10ms","rateLimit":1,"retryAfter":true`) {
			t.Fatalf("%d %s", r.status, r.body)
		}
		e.do(z, "GET", "/users/me", z.AdminToken(), "")
		r = e.do(z, "GET", "/users/me", z.AdminToken(), "")
		if r.status != 429 || r.header.Get("Retry-After") == "" {
			t.Errorf("rate limit from settings: %d %v", r.status, r.header)
		}
		// Partial update keeps the rest.
		r = e.control(z, "POST", "/_emulator/settings", `{"rateLimit":0,"scopes":["user:read","user:write"]}`)
		if r.status != 200 || !strings.Contains(string(r.body), `"latency":"10ms","rateLimit":0,"retryAfter":true,"rateLimitJSON":false,"unauthorizedBody":"json","administrator":false,"scopes":["user:read","user:write"]`) {
			t.Errorf("%d %s", r.status, r.body)
		}
		if got := z.Scopes(); !slices.Equal(got, []string{"user:read", "user:write"}) {
			t.Errorf("scopes %v", got)
		}
		if r := e.control(z, "GET", "/_emulator/settings", ""); r.status != 200 || !strings.Contains(string(r.body), `"rateLimit":0`) {
			t.Errorf("GET settings: %d %s", r.status, r.body)
		}
		for _, bad := range []string{`{"latency":"fast"}`, `{"latency":"-1s"}`, `{"rateLimit":-1}`, `{"rateLimit":"1"}`, `{"ratelimit":1,"x":1}`} {
			if r := e.control(z, "POST", "/_emulator/settings", bad); r.status != 400 {
				t.Errorf("%s: %d %s", bad, r.status, r.body)
			}
		}
		z.SetLatency(0)
	})

	t.Run("errors", func(t *testing.T) {
		if r := e.control(z, "GET", "/_emulator/nope", ""); r.status != 404 {
			t.Errorf("unknown: %d", r.status)
		}
		if r := e.control(z, "DELETE", "/_emulator/state", ""); r.status != 405 {
			t.Errorf("wrong method: %d", r.status)
		}
		big := `{"label":"` + strings.Repeat("x", 2<<20) + `"}`
		if r := e.control(z, "POST", "/_emulator/tokens", big); r.status != 400 {
			t.Errorf("big body: %d", r.status)
		}
		req := e.request(z, "GET", "", "", "")
		req.URL.Path = "/_emulator/state"
		req.Header.Set("Origin", "https://evil.example")
		if r := e.send(req); r.status != http.StatusForbidden {
			t.Errorf("with Origin: %d", r.status)
		}
	})

	t.Run("not logged", func(t *testing.T) {
		z.ResetRequests()
		e.control(z, "GET", "/_emulator/state", "")
		if n := len(z.Requests()); n != 0 {
			t.Errorf("control requests logged: %d", n)
		}
	})
}
