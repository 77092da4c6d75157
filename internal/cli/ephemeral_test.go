package cli

import (
	"slices"
	"strings"
	"testing"

	"github.com/maketoken/maketoken/internal/makeapi"
)

func TestEphemeralEnv(t *testing.T) {
	const cred = "3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e"
	env := ephemeralEnv([]string{
		"PATH=/bin",
		"MAKE_API_KEY=" + cred,
		"MAKE_ZONE=us2.make.com",
		"MAKETOKEN_TOKEN_EU1=" + cred,
		"MAKETOKEN_TOKEN_US1=another-zones-token",
		"MAKETOKEN_ZONE=eu1",
		"DEPLOY=prefix-" + cred + "-suffix",
		"EMPTY=",
	}, "new-token", "eu1.make.com", cred)
	want := []string{"PATH=/bin", "MAKETOKEN_ZONE=eu1", "EMPTY=", "MAKE_API_KEY=new-token", "MAKE_ZONE=eu1.make.com"}
	if !slices.Equal(env, want) {
		t.Fatalf("ephemeralEnv =\n%q\nwant\n%q", env, want)
	}
	for _, kv := range env {
		if strings.Contains(kv, cred) {
			t.Fatalf("the credential is still in %q", kv)
		}
	}
	// No credential known (it cannot happen, but it must not drop all).
	if got := ephemeralEnv([]string{"A=1"}, "t", "h", ""); !slices.Equal(got, []string{"A=1", "MAKE_API_KEY=t", "MAKE_ZONE=h"}) {
		t.Fatalf("with no credential: %q", got)
	}
}

func TestCheckCreated(t *testing.T) {
	wanted := []string{"scenarios:read", "hooks:read"}
	ok := makeapi.Token{Label: "l~exp=20261128T030000Z", Scopes: []string{"hooks:read", "scenarios:read"}}
	if err := checkCreated(ok, ok.Label, wanted); err != nil {
		t.Fatalf("a matching answer: %v", err)
	}
	// Make may leave the label out of its answer.
	noLabel := ok
	noLabel.Label = ""
	if err := checkCreated(noLabel, ok.Label, wanted); err != nil {
		t.Fatalf("an answer without a label: %v", err)
	}
	for name, tok := range map[string]makeapi.Token{
		"more scopes":  {Label: ok.Label, Scopes: []string{"hooks:read", "scenarios:read", "user:write"}},
		"fewer scopes": {Label: ok.Label, Scopes: []string{"hooks:read"}},
		"no scopes":    {Label: ok.Label},
		"other label":  {Label: "other", Scopes: ok.Scopes},
	} {
		if err := checkCreated(tok, ok.Label, wanted); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
