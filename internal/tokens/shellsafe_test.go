package tokens

import (
	"regexp"
	"testing"
)

// shellSafe replaced a regexp compiled at start-up: it must take exactly
// the labels the regexp took.
func TestShellSafeAsTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9._~=:@+/-]+$`)
	inputs := []string{"", "ci", "ci-2026.12.01", "a b", "a'b", `a"b`, "a$b", "a;b", "a\nb", "a\n", "\na", "é", "aé", "ＡB",
		"a\x00", "x=y:z@h+/p~q_r", "a,b", "a*", "a?", "a[b]", "(a)", "a|b", "a&b", "a#b", "a%b", "a!b", "a\\b", "a`b", "-", "~"}
	for c := 0; c < 128; c++ {
		inputs = append(inputs, string(rune(c)), "a"+string(rune(c))+"b")
	}
	for _, s := range inputs {
		if got, want := shellSafe(s), re.MatchString(s); got != want {
			t.Errorf("shellSafe(%q) = %v, the regexp says %v", s, got, want)
		}
	}
}
