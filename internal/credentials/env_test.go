package credentials

import (
	"slices"
	"strings"
	"testing"
)

func TestEphemeralEnv(t *testing.T) {
	const cred = "3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e"
	env := EphemeralEnv([]string{
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
		t.Fatalf("EphemeralEnv =\n%q\nwant\n%q", env, want)
	}
	for _, kv := range env {
		if strings.Contains(kv, cred) {
			t.Fatalf("the credential is still in %q", kv)
		}
	}
	// No credential known (it cannot happen, but it must not drop all).
	if got := EphemeralEnv([]string{"A=1"}, "t", "h", ""); !slices.Equal(got, []string{"A=1", "MAKE_API_KEY=t", "MAKE_ZONE=h"}) {
		t.Fatalf("with no credential: %q", got)
	}
}

func TestWithoutCredentials(t *testing.T) {
	got := WithoutCredentials([]string{"PATH=/bin", "MAKE_API_KEY=k", "MAKETOKEN_TOKEN_EU1=t", "MAKE_ZONE=eu1.make.com", "MAKETOKEN_ZONE=eu1"})
	if want := []string{"PATH=/bin", "MAKE_ZONE=eu1.make.com", "MAKETOKEN_ZONE=eu1"}; !slices.Equal(got, want) {
		t.Fatalf("WithoutCredentials = %q, want %q", got, want)
	}
}
