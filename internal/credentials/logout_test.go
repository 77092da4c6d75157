package credentials

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// TestForLogout: which credential logout forgets (or revokes) when a
// variable overrides the zone's stored one, when only the variable is
// there, and when nothing is.
func TestForLogout(t *testing.T) {
	ctx := context.Background()
	vars := map[string]string{EnvVar("eu1"): tokA, EnvVar("us1"): tokA}
	st := NewStore(Options{Keyring: &mapKeyring{}, KernelKeyring: &mapKeyring{}, File: filepath.Join(t.TempDir(), "c.yaml"), Getenv: env(vars)})
	if err := st.save(ctx, zone("eu1"), tokB, KindFile); err != nil {
		t.Fatal(err)
	}

	// A variable over a stored credential: the stored one, and the
	// variable named as staying in use.
	for _, revoke := range []bool{false, true} {
		c, over, err := st.ForLogout(ctx, zone("eu1"), "", revoke)
		if err != nil || c.Token != tokB || c.Source != SourceFile || over != EnvVar("eu1") {
			t.Errorf("revoke %v: %v, %q, %v; want the stored credential, overridden by %s", revoke, c.Source, over, err, EnvVar("eu1"))
		}
	}

	// Only the variable: nothing to forget; --revoke revokes the
	// variable's credential, but not for --user (a stored account).
	var eo *EnvOnlyError
	if _, _, err := st.ForLogout(ctx, zone("us1"), "", false); !errors.As(err, &eo) || eo.EnvVar != EnvVar("us1") {
		t.Errorf("logout with only a variable: %v; want EnvOnlyError", err)
	}
	if c, over, err := st.ForLogout(ctx, zone("us1"), "", true); err != nil || c.Source != SourceEnv || c.Token != tokA || over != "" {
		t.Errorf("logout --revoke with only a variable: %+v, %q, %v; want the variable's credential", c.Source, over, err)
	}
	if _, _, err := st.ForLogout(ctx, zone("us1"), "ann@example.com", true); !errors.As(err, &eo) {
		t.Errorf("logout --revoke --user with only a variable: %v; want EnvOnlyError", err)
	}

	// An OS keyring that is not there holds nothing either.
	absent := NewStore(Options{Keyring: brokenKeyring{}, KernelKeyring: brokenKeyring{}, File: filepath.Join(t.TempDir(), "c.yaml"), Getenv: env(vars)})
	if _, _, err := absent.ForLogout(ctx, zone("us1"), "", false); !errors.As(err, &eo) {
		t.Errorf("logout with only a variable and no OS keyring: %v; want EnvOnlyError", err)
	}

	// Nothing anywhere.
	if _, _, err := st.ForLogout(ctx, zone("us2"), "", false); !IsNotFound(err) {
		t.Errorf("nothing stored: %v; want NotFound", err)
	}
}
