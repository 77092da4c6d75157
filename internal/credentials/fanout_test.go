package credentials

import (
	"context"
	"errors"
	"testing"

	"github.com/maketoken/maketoken/internal/zones"
)

// TestFanOut: which zones and accounts a command over every zone covers.
func TestFanOut(t *testing.T) {
	ctx := context.Background()
	eu1, us1, eu2 := zone("eu1"), zone("us1"), zone("eu2")
	list := []zones.Zone{eu1, us1, eu2}

	// Nobody logged in: ErrNoCredential; a user asked for: who is known.
	empty := newAccountStore(t, nil)
	if _, _, err := empty.FanOut(ctx, list, "", false); !errors.Is(err, ErrNoCredential) {
		t.Errorf("no credential: %v", err)
	}
	var uu *UnknownUserError
	if _, _, err := empty.FanOut(ctx, list, "ann@example.com", false); !errors.As(err, &uu) || uu.Asked != "ann@example.com" {
		t.Errorf("--user nobody has: %v", err)
	}

	as := newAccountStore(t, map[string]string{"MAKETOKEN_TOKEN_EU2": tokD})
	as.login(t, eu1, ann, tokA, OSKeyring())
	as.login(t, eu1, bob, tokB, KindFile)
	as.login(t, us1, ann, tokC, OSKeyring())

	// The active accounts (bob in eu1), the variable in eu2.
	got, skipped, err := as.FanOut(ctx, list, "", false)
	if err != nil || skipped != nil || len(got) != 3 {
		t.Fatalf("active: %d targets, %v, %v", len(got), skipped, err)
	}
	for i, want := range []string{tokB, tokC, tokD} {
		if got[i].Zone.Name != list[i].Name || got[i].Credential.Token != want || got[i].Err != nil {
			t.Errorf("active, target %d: %+v", i, got[i])
		}
	}
	// Every account: eu1 twice, each its own credential.
	if got, _, err := as.FanOut(ctx, list, "", true); err != nil || len(got) != 4 || got[0].Credential.Token == got[1].Credential.Token {
		t.Errorf("every account: %d targets, %v", len(got), err)
	}
	// --user ann: the zones where she has an account; eu2, whose
	// credential is a variable and where she has none, is left out.
	got, _, err = as.FanOut(ctx, list, "ann@example.com", false)
	if err != nil || len(got) != 2 || got[0].Credential.Token != tokA || got[1].Credential.Token != tokC {
		t.Errorf("--user ann: %+v, %v", got, err)
	}
	if got, _, err := as.FanOut(ctx, list, "carol@example.com", false); !errors.As(err, &uu) || len(got) != 0 {
		t.Errorf("--user carol: %+v, %v", got, err)
	}
}

// A call for a zone without a credential names the zone; one with a
// credential keeps the credential's own zone.
func TestTargetCallCredential(t *testing.T) {
	eu1 := zones.Zone{Name: "eu1"}
	if got := (Target{Zone: eu1}).CallCredential(); got.Zone != "eu1" || got.Token != "" {
		t.Errorf("no credential: %+v, want one naming eu1 alone", got)
	}
	c := Credential{Zone: "eu1", Token: "tok", Source: SourceEnv, EnvVar: "MAKETOKEN_TOKEN_EU1"}
	if got := (Target{Zone: eu1, Credential: c}).CallCredential(); got != c {
		t.Errorf("with a credential: %+v, want %+v", got, c)
	}
}
