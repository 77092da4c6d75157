package credentials

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestCheckASCII: the shortcut for printable ASCII refuses a credential
// as the Unicode tables do, for every ASCII character in it.
func TestCheckASCII(t *testing.T) {
	for r := rune(0); r < utf8.RuneSelf; r++ {
		c := Credential{Zone: "eu1", Token: "ab" + string(r) + "cd", Source: SourceEnv, EnvVar: EnvVar("eu1")}
		want := unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
		if got := c.check() != nil; got != want {
			t.Errorf("a credential with %q refused: %v, want %v", r, got, want)
		}
	}
}
