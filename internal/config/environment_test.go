package config

import (
	"strings"
	"testing"
)

// TestEnvironmentHelpNamesEveryVariable: every variable Load reads (a
// MAKETOKEN_<KEY> for each setting of the config file, the zone's and the
// config file's own) and those of the credentials is documented in `help
// environment`: a new setting cannot be added without a line there.
func TestEnvironmentHelpNamesEveryVariable(t *testing.T) {
	names := []string{"MAKETOKEN_CONFIG", "MAKE_ZONE", "MAKETOKEN_TOKEN_<ZONE>", "MAKE_API_KEY"}
	for _, key := range fileKeys {
		names = append(names, "MAKETOKEN_"+strings.ToUpper(key))
	}
	for _, name := range names {
		if !strings.Contains(EnvironmentHelp, "\n  "+name+" ") {
			t.Errorf("help environment has no entry for %s", name)
		}
	}
	for i, line := range strings.Split(EnvironmentHelp, "\n") {
		if n := len([]rune(line)); n > 80 {
			t.Errorf("line %d is %d columns wide: %q", i+1, n, line)
		}
	}
}
