package cli

import (
	"github.com/maketoken/maketoken/internal/iostreams"
	"regexp"
	"testing"
)

// isEnvName replaced a regexp compiled at start-up: it must take exactly
// what the regexp took.
func TestIsEnvNameAsTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	for _, s := range []string{"", "_", "A", "a", "9", "MAKE_TOKEN", "make_token2", "_9", "9A", "A-B", "A B", "A=B",
		"é", "Aé", "A\n", "\nA", "A$", "ＡB", "A\x00", "a.b", "__", "Z9_z"} {
		if got, want := isEnvName(s), re.MatchString(s); got != want {
			t.Errorf("isEnvName(%q) = %v, the regexp says %v", s, got, want)
		}
	}
}

// TestCommandsTable: each entry of commands() makes the command of its
// name, and the whole tree has no other command but the help topics and
// cobra's help and completion commands.
func TestCommandsTable(t *testing.T) {
	f, root := newRoot(Deps{IO: &iostreams.IOStreams{}})
	names := map[string]bool{}
	for _, c := range commands() {
		if got := c.new(f).Name(); got != c.name {
			t.Errorf("commands(): %q makes %q", c.name, got)
		}
		names[c.name] = true
	}
	for _, c := range root.Commands() {
		cobras := c.Name() == "help" || c.Name() == "completion"
		if !names[c.Name()] && !c.IsAdditionalHelpTopicCommand() && !cobras {
			t.Errorf("the tree has %q, which commands() does not list", c.Name())
		}
	}
}

// TestOneCommandTree: a run of a command makes that command alone, found
// past the global flags as cobra finds it; anything else makes the whole
// tree.
func TestOneCommandTree(t *testing.T) {
	d := Deps{IO: &iostreams.IOStreams{}}
	for _, tt := range []struct {
		args []string
		one  string // "": the whole tree
	}{
		{[]string{"zones"}, "zones"},
		{[]string{"version"}, "version"},
		{[]string{"zones", "--help"}, "zones"},
		{[]string{"-z", "eu1", "list", "--all-zones"}, "list"},
		{[]string{"--zone=eu1", "--debug", "status"}, "status"},
		{[]string{"--jq", "zones", "list"}, "list"},
		{[]string{"-o", "json", "--timeout", "5s", "--config", "c.yaml", "token"}, "token"},
		{[]string{"--config", "zones"}, ""}, // "zones" is the flag's value
		{[]string{"--debug", "version"}, "version"},
		{[]string{"rotate", "--", "zones"}, "rotate"},
		{nil, ""},
		{[]string{"--help"}, ""},
		{[]string{"help", "zones"}, ""},
		{[]string{"completion", "bash"}, ""},
		{[]string{"__complete", "zones", ""}, ""},
		{[]string{"zone"}, ""},
		{[]string{"environment"}, ""},
		{[]string{"--", "zones"}, ""},
	} {
		_, root := newRootFor(d, tt.args)
		var got []string
		for _, c := range root.Commands() {
			got = append(got, c.Name())
		}
		switch {
		case tt.one == "" && len(got) < len(commands()):
			t.Errorf("%q: commands %q, want the whole tree", tt.args, got)
		case tt.one != "" && (len(got) != 1 || got[0] != tt.one):
			t.Errorf("%q: commands %q, want %q alone", tt.args, got, tt.one)
		}
		// Whatever the tree, cobra finds in it what it finds in the whole.
		_, whole := newRoot(d)
		want, _, werr := whole.Find(tt.args)
		found, _, ferr := root.Find(tt.args)
		if found.CommandPath() != want.CommandPath() || (werr == nil) != (ferr == nil) {
			t.Errorf("%q: finds %q (%v), the whole tree %q (%v)", tt.args, found.CommandPath(), ferr, want.CommandPath(), werr)
		}
	}
}
