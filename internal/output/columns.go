package output

import (
	"fmt"
	"slices"
	"strings"
)

// tsvColumns are the TSV columns each command that prints records writes,
// in order, each named by its JSON field ("ok|error": status's ok, as ok or
// error). It is the one list: `help formatting` and each command's help
// show it, and the commands build their TSV rows with it as their header,
// which WriteTSV holds every row to. Columns may be added at the end,
// never moved or removed (cli.md).
var tsvColumns = []struct {
	commands []string
	columns  []string
}{
	{[]string{"zones"}, []string{"name", "host", "url", "default", "credentialSource", "accounts"}},
	{[]string{"status"}, []string{"zone", "name", "email", "scopes", "credentialSource", "ok|error", "expiredTokens", "active"}},
	{[]string{"list"}, []string{"zone", "label", "scopes", "created", "token", "current", "expires", "expired"}},
	{[]string{"revoke", "prune"}, []string{"zone", "label", "created", "revoked", "error"}},
	{[]string{"scopes"}, []string{"name"}},
}

// TSVColumns are the TSV columns of a command; nil for one that prints no
// records.
func TSVColumns(command string) []string {
	for _, c := range tsvColumns {
		if slices.Contains(c.commands, command) {
			return c.columns
		}
	}
	return nil
}

// TSVColumnsHelp lists every command's TSV columns, for `help
// formatting`, in lines that fit width.
func TSVColumnsHelp(width int) string {
	var b strings.Builder
	b.WriteString("In TSV, each command's columns, in this order (a column may be added at the\nend, never moved or removed):\n")
	const indent = 17
	for _, c := range tsvColumns {
		line := fmt.Sprintf("  %-*s%s", indent-2, strings.Join(c.commands, ", "), strings.Join(c.columns, " "))
		b.WriteString("\n" + strings.ReplaceAll(FitLines(line, width), "\n", "\n"+strings.Repeat(" ", indent-2)))
	}
	return b.String()
}
