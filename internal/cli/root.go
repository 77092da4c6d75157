// Package cli holds maketoken's commands. Each command has its own file
// with an options struct and a run function that tests can call without
// cobra; this file wires them into the command tree.
//
// A command's cobra RunE is made with Factory.runE, the one place that
// gives it a context (--timeout, Ctrl-C); flag conflicts are checked in its
// PreRunE with exclusiveFlags. Exported are what cmd/ uses and each
// command's Options type and Run function; everything else is not.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/maketoken/maketoken/internal/buildinfo"
	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/config"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/maketoken/maketoken/internal/redact"
	"github.com/maketoken/maketoken/internal/runctx"
	"github.com/maketoken/maketoken/internal/zones"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// SystemDeps returns the real world: the process's streams, environment
// and OS keyring.
func SystemDeps(build buildinfo.Linked) Deps {
	return Deps{IO: iostreams.System(), Getenv: os.Getenv, Environ: os.Environ, Now: time.Now, Build: build}
}

// Main runs maketoken with args and returns its exit code, having printed
// any error to stderr.
func Main(ctx context.Context, args []string, d Deps) int {
	f, root := newRootFor(d, args)
	return execute(ctx, f, root, args)
}

// execute runs args in root's tree.
func execute(ctx context.Context, f *Factory, root *cobra.Command, args []string) int {
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		err = f.versionErr
	}
	err = usageIfNotStarted(f, root, err)
	err = runctx.As(err, f.signals.Caught())
	f.IO.PrintError(err)
	return cmderr.Code(err)
}

// NewRootCommand returns the command tree, for documentation generators.
func NewRootCommand(d Deps) *cobra.Command {
	f, root := newRoot(d)
	f.helpTexts(root)
	return root
}

// command is one of maketoken's commands: the name that runs it, how to
// make it, and its one-line summary (its Short, which the root's help
// lists: kept here, so that the root's help needs no command made).
type command struct {
	name  string
	new   func(*Factory) *cobra.Command
	short string
}

// make makes the command, with its summary.
func (c command) make(f *Factory) *cobra.Command {
	cmd := c.new(f)
	cmd.Short = c.short
	return cmd
}

// commands are maketoken's commands (the help topics aside).
func commands() []command {
	return []command{
		{"zones", newZonesCmd, "List the zones, their URLs and where their credentials come from"},
		{"login", newLoginCmd, "Store a zone's credential in a keyring"},
		{"logout", newLogoutCmd, "Forget a stored account; --revoke revokes its credential too"},
		{"switch", newSwitchCmd, "Make another stored account the zone's active one"},
		{"status", newStatusCmd, "Check each zone's credential: who you are and whether it works"},
		{"doctor", newDoctorCmd, "Check what works in each zone, for a bug report (no secrets)"},
		{"token", newTokenCmd, "Print the zone's credential"},
		{"scopes", newScopesCmd, "List the scopes a token can have in a zone"},
		{"list", newListCmd, "List the API tokens of a zone, or of every zone"},
		{"create", newCreateCmd, "Create an API token with a label and scopes"},
		{"revoke", newRevokeCmd, "Revoke API tokens by creation time, label or prefix"},
		{"rotate", newRotateCmd, "Replace API tokens with new ones, safely"},
		{"prune", newPruneCmd, "Revoke the tokens older than an age"},
		{"exec", newExecCmd, "Run a command with MAKE_API_KEY and MAKE_ZONE set for a zone"},
		{"version", newVersionCmd, "Print maketoken's version, commit, build date and platform"},
	}
}

// completionShort is the summary of cobra's completion command.
const completionShort = "Generate the autocompletion script for the specified shell"

// rootHelpOnly reports whether args show the root's help, or its
// --version, and run nothing else: `maketoken`, `maketoken --help`, `-h`,
// `help`, `--version`, `-v`.
func rootHelpOnly(args []string) bool {
	switch len(args) {
	case 0:
		return true
	case 1:
		switch args[0] {
		case "--help", "-h", "help", "--version", "-v":
			return true
		}
	}
	return false
}

// addStandIns gives root, for its own help, a stand-in of each command
// and of cobra's completion command: a name and a summary, which is all
// the root's help shows of them. Making the commands themselves (their
// flags, their help, cobra's scripts' help) cost about a third of
// `maketoken --help` (docs/performance.md).
func addStandIns(root *cobra.Command) {
	run := func(*cobra.Command, []string) {}
	for _, c := range commands() {
		root.AddCommand(&cobra.Command{Use: c.name, Short: c.short, Run: run})
	}
	root.AddCommand(&cobra.Command{Use: "completion", Short: completionShort, Run: run})
}

// newRoot returns the whole command tree.
func newRoot(d Deps) (*Factory, *cobra.Command) {
	f, root := newBareRoot(d)
	addAllCommands(f, root)
	return f, root
}

// addAllCommands makes root the whole tree.
func addAllCommands(f *Factory, root *cobra.Command) {
	for _, c := range commands() {
		root.AddCommand(c.make(f))
	}
	completeTree(f, root)
}

// newRootFor returns the command tree args need. A run of one of
// maketoken's commands gets the root with that command alone: making
// every command, with its flags and help, costs about as much again as
// the rest of a start-up (see docs/performance.md). The root's help gets
// stand-ins of the commands (addStandIns). Anything else (help of a
// topic, completion, an unknown command) gets the whole tree.
// The command is the one cobra finds in args, the same as in the whole
// tree: the root's flags are the same, and names are unique.
func newRootFor(d Deps, args []string) (*Factory, *cobra.Command) {
	f, root := newBareRoot(d)
	if rootHelpOnly(args) {
		addStandIns(root)
		completeTree(f, root)
		return f, root
	}
	if c, ok := commandIn(root, args); ok {
		cmd := c.make(f)
		root.AddCommand(cmd)
		// Only `maketoken completion` needs cobra's completion command.
		root.CompletionOptions.DisableDefaultCmd = true
		if args[0] == c.name {
			return f, root // nothing before the name to read otherwise
		}
		if found, _, err := root.Find(args); err == nil && found == cmd {
			return f, root
		}
		return newRoot(d)
	}
	addAllCommands(f, root)
	return f, root
}

// commandIn returns the command args run, if it is one of commands(),
// found as cobra finds it (past root's flags and their values) in a tree
// of stand-ins that costs next to nothing to make; at once false when no
// argument is a command's name.
func commandIn(root *cobra.Command, args []string) (command, bool) {
	all := commands()
	// A command's name first is that command: cobra takes the first
	// argument that is no flag as the command's name. (Most runs.)
	if len(args) > 0 {
		if c, ok := commandNamed(all, args[0]); ok {
			return c, true
		}
	}
	if !slices.ContainsFunc(all, func(c command) bool { return slices.Contains(args, c.name) }) {
		return command{}, false
	}
	scan := &cobra.Command{Use: root.Use}
	scan.PersistentFlags().AddFlagSet(root.PersistentFlags())
	for _, c := range all {
		scan.AddCommand(&cobra.Command{Use: c.name, Run: func(*cobra.Command, []string) {}})
	}
	found, _, err := scan.Find(args)
	if err != nil || found == scan {
		return command{}, false
	}
	return commandNamed(all, found.Name())
}

// commandNamed is the command of all that name runs.
func commandNamed(all []command, name string) (command, bool) {
	i := slices.IndexFunc(all, func(c command) bool { return c.name == name })
	if i < 0 {
		return command{}, false
	}
	return all[i], true
}

// addGlobalFlags defines the flags every command takes.
func addGlobalFlags(pf *pflag.FlagSet) {
	pf.StringP("zone", "z", "", "zone name or host (eu1, eu1.make.com, celonis-us1, ...)")
	pf.StringP("output", "o", "", "output format: table, tsv or json (default: table on a terminal, tsv otherwise)")
	pf.String("jq", "", "filter JSON output with a jq expression (implies -o json)")
	pf.String("config", "", "config file (default $XDG_CONFIG_HOME/maketoken/config.yaml)")
	pf.Var(config.NewDurationFlag(config.DefaultTimeout), "timeout", "time limit for the whole command (a number alone: seconds)")
	pf.Bool("debug", false, "trace HTTP requests on stderr, with secrets redacted")
	pf.String("user", "", "use the zone's stored account of this `EMAIL` (or user id) instead of its active one")
}

// newBareRoot returns the root command with its flags and no command.
func newBareRoot(d Deps) (*Factory, *cobra.Command) {
	if d.Getenv == nil {
		d.Getenv = func(string) string { return "" }
	}
	if d.Environ == nil {
		d.Environ = func() []string { return nil }
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	f := &Factory{Deps: d, Redactor: redact.New()}
	// The terminal says everything with the run's environment (colour,
	// width) and without its secrets.
	io := *d.IO
	io.Getenv, io.Redactor = d.Getenv, f.Redactor
	f.IO = &io
	root := &cobra.Command{
		Use:   "maketoken",
		Short: "Manage Make API tokens across all of Make's zones",
		Long: `maketoken keeps the credentials of your Make users, per zone, in the OS keyring
and uses them to list, create with scopes, revoke and rotate the API tokens of
each zone.

Zones: eu1, eu2, us1, us2, celonis-eu1, celonis-us1 (or their hosts, e.g.
eu1.make.com), plus any zone added in the config file.

Credentials: ` + "`maketoken login`" + ` stores one in the keyring (several users of a
zone: ` + "`maketoken switch`" + `, --user EMAIL); in CI set
MAKETOKEN_TOKEN_<ZONE> (MAKETOKEN_TOKEN_EU1), or MAKE_API_KEY together with
MAKE_ZONE as Make's own tools read them. See ` + "`maketoken help environment`" + `.`,
		Example: `  maketoken login -z eu1
  maketoken list --all-zones
  maketoken create -l ci-nightly -s 'scenarios:*' --out-file token.txt
  maketoken rotate --label ci-nightly --yes
  MAKE_API_KEY=$(maketoken token -z us1) some-script`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		DisableAutoGenTag: true,
	}
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &cmderr.Error{Code: cmderr.Usage, Err: flagError(cmd, err)}
	})
	pf := root.PersistentFlags()
	addGlobalFlags(pf)
	f.flags = pf
	root.SetUsageFunc(usage)
	// What only a help shows is made when it is shown (helpText).
	root.SetHelpFunc(func(c *cobra.Command, _ []string) {
		if c == root && versionAsked(root) {
			f.printVersion(root)
			return
		}
		f.helpText(c)
		help(c)
	})
	// Anything cobra refuses before a command runs (an unknown command,
	// wrong arguments) is a usage error.
	root.PersistentPreRun = func(*cobra.Command, []string) { f.started = true }
	return f, root
}

// completeTree adds what only the whole tree needs: --version, the
// completions of the root's flags, the help topics and the groups of the
// root's help.
func completeTree(f *Factory, root *cobra.Command) {
	addVersionFlag(root)
	_ = root.RegisterFlagCompletionFunc("zone", completion(f, completeZones))
	_ = root.RegisterFlagCompletionFunc("user", completion(f, completeUsers))
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"table", "tsv", "json"}, cobra.ShellCompDirectiveNoFileComp))
	root.AddCommand(helpTopics()...)
	groupCommands(root)
	strictHelpAndCompletion(root)
}

// usageIfNotStarted makes an error from cobra's own checks exit 2, an
// unknown command's in one plain line.
func usageIfNotStarted(f *Factory, root *cobra.Command, err error) error {
	if err == nil || f.started {
		return err
	}
	var ee *cmderr.Error
	if errors.As(err, &ee) {
		return err
	}
	if isUnknownCommand(err) {
		if plain := unknownCommandError(root, err); plain != nil {
			return &cmderr.Error{Code: cmderr.Usage, Err: plain}
		}
	}
	return &cmderr.Error{Code: cmderr.Usage, Err: fmt.Errorf("%w; %s", err, cmderr.UsageHint)}
}

// completeUsers offers the emails of the stored accounts: of the zone -z
// names, or of every zone. It reads the record of accounts only: no
// keyring, no request.
func completeUsers(f *Factory, _ *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	reg, err := f.Zones()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	store, err := f.Store()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	list := reg.All()
	if sel, err := reg.Selection(); err == nil && sel.By == config.ZoneFromFlag {
		list = []zones.Zone{sel.Zone}
	}
	var out []string
	for _, a := range store.RecordedUsers(list) {
		out = append(out, a.Email+"\t"+a.Zone)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func completeZones(f *Factory, _ *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	reg, err := f.Zones()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, z := range reg.All() {
		out = append(out, z.Name+"\t"+z.Host)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
