package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/config"
	"github.com/maketoken/maketoken/internal/editdist"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Command groups of the root help, in the order they are listed.
const (
	groupTokens      = "tokens"
	groupCredentials = "credentials"
	groupOther       = "other"
)

// helpWidth is the width help text fits: text for a person fits 80
// columns.
const helpWidth = 80

// groupCommands sorts the root's commands into the groups of its help:
// tokens, credentials, everything else. A command no group names is
// listed among the others.
func groupCommands(root *cobra.Command) {
	root.AddGroup(
		&cobra.Group{ID: groupTokens, Title: "Token commands:"},
		&cobra.Group{ID: groupCredentials, Title: "Credential commands:"},
		&cobra.Group{ID: groupOther, Title: "Other commands:"},
	)
	groups := map[string]string{
		"list": groupTokens, "create": groupTokens, "revoke": groupTokens,
		"rotate": groupTokens, "prune": groupTokens, "scopes": groupTokens,
		"login": groupCredentials, "logout": groupCredentials, "switch": groupCredentials, "status": groupCredentials,
		"token": groupCredentials, "exec": groupCredentials, "zones": groupCredentials,
	}
	for _, c := range root.Commands() {
		if !c.IsAvailableCommand() {
			continue
		}
		if g, ok := groups[c.Name()]; ok {
			c.GroupID = g
		} else {
			c.GroupID = groupOther
		}
	}
	root.SetHelpCommandGroupID(groupOther)
	root.SetCompletionCommandGroupID(groupOther)
}

// usage writes the usage part of c's help, as cobra's default usage
// template does, with three changes: flag descriptions are wrapped to fit
// 80 columns, help topics are listed by their name, as `maketoken help
// NAME` takes them, and the last line is shorter ("for more about a
// command": `maketoken completion`'s took 81 columns). It is Go code, not a template: parsing and
// running cobra's template through reflection took about a third of the
// time `maketoken --help` takes (see docs/performance.md). A test holds
// it to the template it replaces (help_usage_test.go).
func usage(c *cobra.Command) error {
	var b strings.Builder
	b.Grow(usageSize)
	writeUsage(&b, c)
	_, err := io.WriteString(c.OutOrStderr(), b.String())
	if err != nil {
		c.PrintErrln(err)
	}
	return err
}

// usageSize is room for most commands' usage, so that it is written
// without growing its buffer step by step: at each step a larger block of
// memory, on pages the process has not touched yet (see
// docs/performance.md).
const usageSize = 3 << 10

// help writes c's help as cobra's default help function does (c's text,
// a blank line and the usage), in one piece: cobra's wrote the text with
// fmt, then made the usage in a buffer of its own, copied it into a
// string and wrote that with fmt again: a dozen blocks of growing size
// for a text of 3 KB, each on memory the process had not touched yet
// (`maketoken --help` took 7 more page faults, of about 640, and 14 k more
// instructions; see docs/performance.md). A test holds it to cobra's
// (TestHelpAsCobras).
func help(c *cobra.Command) {
	text := c.Long
	if text == "" {
		text = c.Short
	}
	text = trimRightSpace(text)
	var b strings.Builder
	b.Grow(len(text) + usageSize)
	if text != "" {
		b.WriteString(text)
		b.WriteString("\n\n")
	}
	if c.Runnable() || c.HasSubCommands() {
		writeUsage(&b, c)
	}
	// cobra's ignores a failed write, and so does this.
	_, _ = io.WriteString(c.OutOrStdout(), b.String())
}

// writeUsage writes the usage part of c's help to b (usage).
func writeUsage(b *strings.Builder, c *cobra.Command) {
	// cobra makes a new flag set at each call of these; they also give c
	// the flags it inherits, which the use line counts.
	local, inherited := c.LocalFlags(), c.InheritedFlags()
	b.WriteString("Usage:")
	if c.Runnable() {
		b.WriteString("\n  " + c.UseLine())
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\n  " + c.CommandPath() + " [command]")
	}
	if len(c.Aliases) > 0 {
		b.WriteString("\n\nAliases:\n  " + c.NameAndAliases())
	}
	if c.HasExample() {
		b.WriteString("\n\nExamples:\n" + c.Example)
	}
	if c.HasAvailableSubCommands() {
		// A section of commands: those of the group, available (or help).
		section := func(title, group string) {
			b.WriteString("\n\n" + title)
			for _, sub := range c.Commands() {
				if sub.GroupID == group && (sub.IsAvailableCommand() || sub.Name() == "help") {
					b.WriteString("\n  " + rpad(sub.Name(), sub.NamePadding()) + " " + sub.Short)
				}
			}
		}
		for _, g := range c.Groups() {
			section(g.Title, g.ID)
		}
		switch {
		case len(c.Groups()) == 0:
			section("Available Commands:", "")
		case !c.AllChildCommandsHaveGroup():
			section("Additional Commands:", "")
		}
	}
	if local.HasAvailableFlags() {
		b.WriteString("\n\nFlags:\n" + trimRightSpace(local.FlagUsagesWrapped(helpWidth)))
	}
	if inherited.HasAvailableFlags() {
		b.WriteString("\n\nGlobal Flags:\n" + trimRightSpace(inherited.FlagUsagesWrapped(helpWidth)))
	}
	if c.HasHelpSubCommands() {
		b.WriteString("\n\nHelp topics (`" + c.CommandPath() + " help TOPIC`):")
		for _, sub := range c.Commands() {
			if sub.IsAdditionalHelpTopicCommand() {
				b.WriteString("\n  " + rpad(sub.Name(), 12) + " " + sub.Short)
			}
		}
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\n\nUse \"" + c.CommandPath() + " [command] --help\" for more about a command.")
	}
	b.WriteString("\n")
}

// rpad pads s with blanks to n characters, as cobra's template function
// (fmt's %-*s) does.
func rpad(s string, n int) string {
	return s + strings.Repeat(" ", max(n-utf8.RuneCountInString(s), 0))
}

// trimRightSpace is cobra's template function trimTrailingWhitespaces.
func trimRightSpace(s string) string {
	return strings.TrimRightFunc(s, unicode.IsSpace)
}

// helpTopics are `maketoken help TOPIC` pages: commands with no action,
// which cobra lists as "Additional help topics".
func helpTopics() []*cobra.Command {
	topic := func(name, short, long string) *cobra.Command {
		return &cobra.Command{Use: name, Short: short, Long: long}
	}
	return []*cobra.Command{
		topic("exit-codes", "What maketoken's exit codes mean", cmderr.Help),
		topic("environment", "The environment variables maketoken reads", config.EnvironmentHelp),
		topic("formatting", "Output formats: table, TSV, JSON and --jq", output.FormatsHelp), // + output.TSVColumnsHelp (helpText)
	}
}

// unknownCommandError rewrites cobra's "unknown command" error, whose
// suggestion spans several lines (and so would be shown escaped), into
// one plain line: did you mean "list"? and where the help is.
func unknownCommandError(root *cobra.Command, err error) error {
	var name, parent string
	if n, _ := fmt.Sscanf(err.Error(), "unknown command %q for %q", &name, &parent); n != 2 {
		return nil
	}
	cmd := root
	if c, _, ferr := root.Find(strings.Fields(parent)[1:]); ferr == nil && c != nil {
		cmd = c
	}
	msg := fmt.Sprintf("unknown command %s for %q", output.Echo(name), cmd.CommandPath())
	if s := cmd.SuggestionsFor(name); len(s) > 0 {
		msg += "; " + editdist.DidYouMean(s)
	}
	return seeHelp(msg, cmd)
}

// seeHelp ends a usage error's message with where the command's help is.
func seeHelp(msg string, cmd *cobra.Command) error {
	return errors.New(punctuate(msg) + " See `" + cmd.CommandPath() + " --help`.")
}

// punctuate ends a sentence with a full stop unless it has its own mark.
func punctuate(s string) string {
	if strings.HasSuffix(s, "?") || strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

// flagError explains an unknown or malformed flag in one line, with the
// closest flag of the command when there is one, and points at the
// command's own help.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	var (
		notExist *pflag.NotExistError
		invalid  *pflag.InvalidValueError
		syntax   *pflag.InvalidSyntaxError
	)
	switch {
	case errors.As(err, &notExist) && strings.HasPrefix(msg, "unknown flag: "):
		name := strings.TrimLeft(notExist.GetSpecifiedName(), "-")
		msg = fmt.Sprintf("unknown flag --%s for %q", output.EchoPlain(name), cmd.CommandPath())
		if s := closestFlags(cmd, name); len(s) > 0 {
			msg += "; " + editdist.DidYouMean(s)
		}
	case errors.As(err, &notExist):
		msg = output.EchoError(err, notExist.GetSpecifiedShortnames()).Error()
	case errors.As(err, &invalid):
		msg = output.EchoError(err, invalid.GetValue()).Error()
	case errors.As(err, &syntax):
		msg = output.EchoError(err, syntax.GetSpecifiedFlag()).Error()
	}
	return seeHelp(msg, cmd)
}

// closestFlags are the command's flags (its own and inherited) within a
// small edit distance of name, or that name starts, nearest first, at
// most two.
func closestFlags(cmd *cobra.Command, name string) []string {
	var names []string
	seen := map[string]bool{}
	visit := func(f *pflag.Flag) {
		if f.Hidden || seen[f.Name] {
			return
		}
		seen[f.Name] = true
		names = append(names, f.Name)
	}
	cmd.Flags().VisitAll(visit)
	cmd.InheritedFlags().VisitAll(visit)
	out := editdist.Closest(name, names)
	for i := range out {
		out[i] = "--" + out[i]
	}
	return out
}

// strictHelpAndCompletion makes `maketoken help TOPIC` and `maketoken
// completion SHELL` usage errors (exit 2) for a topic or shell that does
// not exist, in one line with the closest names, as an unknown command is;
// cobra's own print the whole usage and exit 0.
func strictHelpAndCompletion(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "help":
			c.Run = nil
			c.RunE = func(c *cobra.Command, args []string) error {
				cmd, _, err := c.Root().Find(args)
				if cmd == nil || err != nil {
					return &cmderr.Error{Code: cmderr.Usage, Err: unknownTopicError(c.Root(), args)}
				}
				cmd.InitDefaultHelpFlag()
				cmd.InitDefaultVersionFlag()
				return cmd.Help()
			}
		case "completion":
			c.Args = func(c *cobra.Command, args []string) error {
				if len(args) == 0 {
					return nil
				}
				return &cmderr.Error{Code: cmderr.Usage, Err: unknownShellError(c, args[0])}
			}
			c.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
			c.DisableFlagsInUseLine = true
		}
	}
}

// unknownTopicError is `help NAME` for a NAME that is neither a command
// nor a help topic.
func unknownTopicError(root *cobra.Command, args []string) error {
	name := strings.Join(args, " ")
	var names []string
	for _, c := range root.Commands() {
		if !c.Hidden && (c.IsAvailableCommand() || c.IsAdditionalHelpTopicCommand()) {
			names = append(names, c.Name())
		}
	}
	msg := fmt.Sprintf("unknown help topic %s", output.Echo(name))
	if s := editdist.Closest(name, names); len(s) > 0 {
		msg += "; " + editdist.DidYouMean(s)
	}
	return errors.New(punctuate(msg) + " See `" + root.CommandPath() + " help`.")
}

// unknownShellError is `completion NAME` for a shell maketoken has no
// completion script for.
func unknownShellError(cmd *cobra.Command, name string) error {
	var shells []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			shells = append(shells, c.Name())
		}
	}
	list := strings.Join(shells[:len(shells)-1], ", ") + " or " + shells[len(shells)-1]
	msg := fmt.Sprintf("unknown shell %s for %q", output.Echo(name), cmd.CommandPath())
	if s := editdist.Closest(name, shells); len(s) > 0 {
		return errors.New(msg + "; " + editdist.DidYouMean(s) + " Use " + list + ".")
	}
	return errors.New(msg + "; use " + list + ".")
}

// isUnknownCommand reports whether err is cobra's unknown-command error.
func isUnknownCommand(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "unknown command ") && !errors.As(err, new(*cmderr.Error))
}
