package delivery

import (
	"regexp"
	"testing"
)

// IsEnvName (cli's isEnvName) replaced a regexp compiled at start-up: it must take exactly
// what the regexp took.
func TestIsEnvNameAsTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	for _, s := range []string{"", "_", "A", "a", "9", "MAKE_TOKEN", "make_token2", "_9", "9A", "A-B", "A B", "A=B",
		"é", "Aé", "A\n", "\nA", "A$", "ＡB", "A\x00", "a.b", "__", "Z9_z"} {
		if got, want := IsEnvName(s), re.MatchString(s); got != want {
			t.Errorf("IsEnvName(%q) = %v, the regexp says %v", s, got, want)
		}
	}
}
