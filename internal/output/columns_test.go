package output

import (
	"slices"
	"strings"
	"testing"
)

func TestTSVColumns(t *testing.T) {
	if got := TSVColumns("prune"); !slices.Equal(got, TSVColumns("revoke")) || len(got) != 5 || got[0] != "zone" {
		t.Errorf("prune's columns = %q; want revoke's five", got)
	}
	if got := TSVColumns("token"); got != nil {
		t.Errorf("a command without records has columns %q", got)
	}
	help := TSVColumnsHelp(60)
	for _, c := range tsvColumns {
		if !strings.Contains(help, strings.Join(c.commands, ", ")) || !strings.Contains(help, c.columns[0]) {
			t.Errorf("help lacks %q:\n%s", c.commands, help)
		}
	}
	for _, line := range strings.Split(help, "\n") {
		if len(line) > 79 {
			t.Errorf("line wider than 79 columns: %q", line)
		}
	}
}
