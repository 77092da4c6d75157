package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
)

// A zone can be made to send hostile text: created timestamps with a
// suffix (outside Make's contract, so read here without its check), and a
// user with any name and email. A token is still deleted by its created
// bytes, escaped in the path.
func TestHostileText(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	raw := func(method, path string) []byte {
		t.Helper()
		r := e.send(e.request(e.z, method, path, e.z.AdminToken(), ""))
		if r.status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", method, path, r.status, r.body)
		}
		return r.body
	}

	e.z.SetCreatedSuffix("\r\x1b[2K")
	seeded := e.z.AddToken("ci", []string{"user:read"}, at360)
	if seeded.Created != created360+"\r\x1b[2K" {
		t.Fatalf("seeded created %q", seeded.Created)
	}
	var list struct {
		APITokens []struct{ Created string } `json:"apiTokens"`
	}
	if err := json.Unmarshal(raw("GET", "/users/me/api-tokens"), &list); err != nil || len(list.APITokens) != 2 || list.APITokens[1].Created != seeded.Created {
		t.Fatalf("list: %+v %v", list, err)
	}
	raw("DELETE", "/users/me/api-tokens/"+url.PathEscape(seeded.Created))
	if e.z.HasToken(seeded.Token) {
		t.Error("the token is still there after DELETE with its created bytes")
	}
	e.z.SetCreatedSuffix("")
	if c := e.z.AddToken("ci", nil, at360.Add(time.Hour)).Created; c != "2024-03-27T06:53:27.360Z" {
		t.Errorf("created after the suffix is turned off: %q", c)
	}

	e.z.SetUser("Eve\x1b[2K", "eve@x\u202e")
	var me struct {
		AuthUser emulator.User `json:"authUser"`
	}
	if err := json.Unmarshal(raw("GET", "/users/me"), &me); err != nil || me.AuthUser.Name != "Eve\x1b[2K" || me.AuthUser.Email != "eve@x\u202e" || me.AuthUser.ID == 0 {
		t.Errorf("user: %+v %v", me.AuthUser, err)
	}
}
