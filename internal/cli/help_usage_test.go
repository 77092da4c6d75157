package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/spf13/cobra"
)

// usageTemplate is the template usage replaced: cobra's default usage
// template with flag descriptions wrapped to 80 columns, help topics
// listed by their name and a shorter last line.
func usageTemplate(t *testing.T) string {
	tpl := (&cobra.Command{}).UsageTemplate()
	wrapped := fmt.Sprintf("FlagUsagesWrapped %d |", helpWidth)
	for _, r := range [][2]string{
		{"{{.LocalFlags.FlagUsages |", "{{.LocalFlags." + wrapped},
		{"{{.InheritedFlags.FlagUsages |", "{{.InheritedFlags." + wrapped},
		{"Additional help topics:{{range .Commands}}{{if .IsAdditionalHelpTopicCommand}}\n  {{rpad .CommandPath .CommandPathPadding}} {{.Short}}{{end}}{{end}}",
			"Help topics (`{{.CommandPath}} help TOPIC`):{{range .Commands}}{{if .IsAdditionalHelpTopicCommand}}\n  {{rpad .Name 12}} {{.Short}}{{end}}{{end}}"},
		{"for more information about a command.", "for more about a command."},
	} {
		if !strings.Contains(tpl, r[0]) {
			t.Fatalf("cobra's usage template no longer holds %q: compare usage with it again", r[0])
		}
		tpl = strings.Replace(tpl, r[0], r[1], 1)
	}
	return tpl
}

// helpTrees returns maketoken's whole command tree, as cobra completes it
// before a help is written, and a tree with what maketoken's has not (see
// syntheticTree): each call makes new ones, so that one can be changed and
// compared with the other.
func helpTrees() []*cobra.Command {
	_, root := newRoot(Deps{IO: &iostreams.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.InitDefaultVersionFlag()
	return []*cobra.Command{root, syntheticTree()}
}

// TestUsageAsTheTemplate: usage writes, for every command and help topic
// of the tree and for commands with what maketoken's have not (aliases,
// examples, nested and hidden commands, ungrouped ones), exactly what the
// template wrote.
func TestUsageAsTheTemplate(t *testing.T) {
	tpl := usageTemplate(t)
	eachCommandPair(t, func(theirs *cobra.Command) {
		theirs.SetUsageFunc(nil)
		theirs.SetUsageTemplate(tpl)
	}, func(c, theirs *cobra.Command) {
		if got, want := c.UsageString(), theirs.UsageString(); got != want {
			t.Errorf("usage of %q:\n%s\nthe template:\n%s", c.CommandPath(), got, want)
		}
	})
}

// eachCommandPair makes the trees of helpTrees twice, gives each root of
// the second to cobra (restore sets cobra's own usage or help back on
// it), and calls compare with every command of the first and the same
// command of the second, each with its help flag.
func eachCommandPair(t *testing.T, restore func(theirs *cobra.Command), compare func(ours, theirs *cobra.Command)) {
	t.Helper()
	ours, theirs := helpTrees(), helpTrees()
	for i := range ours {
		restore(theirs[i])
		ourCmds, theirCmds := allCommands(ours[i]), allCommands(theirs[i])
		if len(ourCmds) != len(theirCmds) || len(ourCmds) < 4 {
			t.Fatalf("%d and %d commands", len(ourCmds), len(theirCmds))
		}
		for j, c := range ourCmds {
			c.InitDefaultHelpFlag()
			theirCmds[j].InitDefaultHelpFlag()
			compare(c, theirCmds[j])
		}
	}
}

func allCommands(c *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{c}
	for _, sub := range c.Commands() {
		out = append(out, allCommands(sub)...)
	}
	return out
}

// syntheticTree has what maketoken's tree has not.
func syntheticTree() *cobra.Command {
	run := func(*cobra.Command, []string) {}
	root := &cobra.Command{Use: "tool", Short: "A tool", Run: run}
	root.SetUsageFunc(usage)
	root.AddGroup(&cobra.Group{ID: "g", Title: "Grouped:"})
	root.PersistentFlags().String("global", "", "a global flag with a long description that goes on and on past the eightieth column of the terminal")
	a := &cobra.Command{Use: "alpha [ARG]", Aliases: []string{"a", "al"}, Short: "Alpha", Example: "  tool alpha x", GroupID: "g", Run: run}
	a.Flags().BoolP("yes", "y", false, "do it")
	nested := &cobra.Command{Use: "nested", Short: "Nested", Run: run}
	a.AddCommand(nested, &cobra.Command{Use: "topic", Short: "A topic", Long: "Text."})
	root.AddCommand(a,
		&cobra.Command{Use: "beta", Short: "Beta, ungrouped", Run: run},
		&cobra.Command{Use: "hidden", Short: "Hidden", Hidden: true, Run: run},
		&cobra.Command{Use: "old", Short: "Old", Deprecated: "use alpha", Run: run},
		&cobra.Command{Use: "group-only", Short: "Commands only"},
	)
	root.Commands()[len(root.Commands())-1].AddCommand(&cobra.Command{Use: "leaf", Short: "Leaf", Run: run})
	return root
}

func TestRpadAsFmt(t *testing.T) {
	for _, s := range []string{"", "a", "zones", "ünïcödé", "twelve-chars", "longer-than-twelve"} {
		if got, want := rpad(s, 12), fmt.Sprintf("%-*s", 12, s); got != want {
			t.Errorf("rpad(%q, 12) = %q, fmt says %q", s, got, want)
		}
	}
}

// TestHelpAsCobras: help writes, for every command and help topic of the
// tree and of a tree with what maketoken's has not, exactly what cobra's
// default help function wrote (with the same usage).
func TestHelpAsCobras(t *testing.T) {
	eachCommandPair(t, func(theirs *cobra.Command) { theirs.SetHelpFunc(nil) }, func(c, theirs *cobra.Command) {
		var got, want bytes.Buffer
		c.SetOut(&got)
		theirs.SetOut(&want)
		help(c)
		theirs.HelpFunc()(theirs, nil)
		if got.String() != want.String() || got.Len() == 0 {
			t.Errorf("help of %q:\n%s\ncobra's:\n%s", c.CommandPath(), got.String(), want.String())
		}
	})
}
