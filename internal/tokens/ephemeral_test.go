package tokens

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/maketoken/maketoken/internal/expiry"
	"github.com/maketoken/maketoken/internal/makeapi"
)

// TestEphemeral: the token of one run has exactly the scopes asked for and
// a lifetime; it is revoked at the end, and one that cannot be is named
// with how it will still go.
func TestEphemeral(t *testing.T) {
	z, client := zone(t)
	rv := Revoker{Client: client, Zone: "eu1"}
	e := Ephemeral{Revoker: rv, Base: "job", TTL: time.Hour, Scopes: []string{"scenarios:read"}}
	et, err := e.Make(context.Background(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if base, at, ok := expiry.Parse(et.Token.Label); !ok || base != "job" || !at.Equal(et.Expires) || time.Until(at) < 59*time.Minute {
		t.Errorf("label %q, expires %v", et.Token.Label, et.Expires)
	}
	if err := et.Revoke(context.Background(), time.Second); err != nil || z.HasToken(et.Token.Token) {
		t.Fatalf("Revoke = %v", err)
	}

	// A revoke that fails: named, with the lifetime and the command.
	et, _ = e.Make(context.Background(), time.Now)
	z.AddFault(emulator.Fault{Method: "DELETE", Status: 500})
	err = et.Revoke(context.Background(), time.Second)
	var left *LeftError
	if !errors.As(err, &left) || !strings.Contains(err.Error(), "may still be valid: `maketoken prune --expired` revokes it after "+et.Expires.Format(time.RFC3339)+", or run `maketoken revoke -z eu1 "+et.Token.Created+"`") {
		t.Errorf("Revoke = %v", err)
	}
	z.ClearFaults()

	// An answer with more scopes than asked for: revoked before use.
	z.AddFault(emulator.Fault{Method: "POST", Status: 200, Times: 1, Body: `{"apiToken":{"token":"3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e","scope":["scenarios:read","user:write"],"created":"2026-01-02T03:04:05.678Z"}}`})
	if _, err := e.Make(context.Background(), time.Now); err == nil || !strings.Contains(err.Error(), "the ephemeral token is not what was asked for: it has the scopes scenarios:read,user:write, not scenarios:read") {
		t.Errorf("Make = %v", err)
	}
	deleted := false
	for _, r := range z.Requests() {
		deleted = deleted || r.Method == http.MethodDelete && strings.HasSuffix(r.Path, "2026-01-02T03:04:05.678Z")
	}
	if !deleted {
		t.Error("the token not asked for was not revoked")
	}

	z.ClearFaults()

	// A create Make refuses: no token, the refusal.
	z.AddFault(emulator.Fault{Method: "POST", Status: 403, Times: 1})
	if et, err := e.Make(context.Background(), time.Now); et != nil || makeapi.StatusCode(err) != 403 {
		t.Errorf("Make after a refused create = %+v, %v", et, err)
	}

	// An answer not asked for whose token cannot be revoked: both said,
	// and the token is named with how it will still go.
	z.AddFault(emulator.Fault{Method: "POST", Status: 200, Times: 1, Body: `{"apiToken":{"token":"3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0f","scope":["user:write"],"created":"2026-01-02T03:04:05.679Z"}}`})
	z.AddFault(emulator.Fault{Method: "DELETE", Status: 500})
	et, err = e.Make(context.Background(), time.Now)
	if et != nil || !errors.As(err, &left) || makeapi.StatusCode(err) != 500 {
		t.Fatalf("Make = %+v, %v: want the token named as left", et, err)
	}
	if !strings.Contains(err.Error(), "the ephemeral token is not what was asked for") || !strings.Contains(err.Error(), "may still be valid") || !strings.Contains(err.Error(), "2026-01-02T03:04:05.679Z") {
		t.Errorf("Make = %v", err)
	}
}
