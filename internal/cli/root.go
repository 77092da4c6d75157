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
	"time"

	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/redact"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// SystemDeps returns the real world: the process's streams, environment
// and OS keyring.
func SystemDeps(build BuildInfo) Deps {
	io := &IOStreams{
		In:     os.Stdin,
		Out:    os.Stdout,
		ErrOut: os.Stderr,
		InTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
	if io.ErrTTY {
		// The terminal gate: nothing a server or a file put in a message
		// can drive the terminal (see output.TerminalGate). Above it,
		// progress lines and everything else on stderr share the terminal.
		io.ErrOut = &statusWriter{w: output.TerminalGate(os.Stderr)}
	}
	io.TerminalWidth = func() int {
		w, _, err := term.GetSize(int(os.Stdout.Fd()))
		if err != nil {
			return 0
		}
		return w
	}
	stdin := int(os.Stdin.Fd())
	io.ReadSecret = func() (string, error) {
		state, err := term.MakeRaw(stdin)
		if err != nil {
			return "", err
		}
		defer func() { _ = term.Restore(stdin, state) }()
		return readHiddenLine(os.Stdin)
	}
	io.SaveTerminal = func() func() {
		state, err := term.GetState(stdin)
		if err != nil {
			return func() {}
		}
		return func() { _ = term.Restore(stdin, state) }
	}
	return Deps{IO: io, Getenv: os.Getenv, Environ: os.Environ, Now: time.Now, Build: build}
}

// Main runs maketoken with args and returns its exit code, having printed
// any error to stderr.
func Main(ctx context.Context, args []string, d Deps) int {
	f, root := newRoot(d)
	root.SetArgs(args)
	err := usageIfNotStarted(f, root, root.ExecuteContext(ctx))
	err = asInterrupted(err, f.interrupts.caught())
	PrintError(f.IO.ErrOut, err, f.Redactor)
	return ExitCode(err)
}

// NewRootCommand returns the command tree, for documentation generators.
func NewRootCommand(d Deps) *cobra.Command {
	_, root := newRoot(d)
	return root
}

func newRoot(d Deps) (*Factory, *cobra.Command) {
	if d.Getenv == nil {
		d.Getenv = func(string) string { return "" }
	}
	if d.Environ == nil {
		d.Environ = func() []string { return nil }
	}
	f := &Factory{Deps: d, Redactor: redact.New()}
	root := &cobra.Command{
		Use:   "maketoken",
		Short: "Manage Make API tokens across all of Make's zones",
		Long: `maketoken keeps one credential per Make zone in the OS keyring and uses it to
list, create with scopes, revoke and rotate the API tokens of each zone.

Zones: eu1, eu2, us1, us2, celonis-eu1, celonis-us1 (or their hosts, e.g.
eu1.make.com), plus any zone added in the config file.

Credentials: ` + "`maketoken login`" + ` stores one in the keyring; in CI set
MAKETOKEN_TOKEN_<ZONE> (MAKETOKEN_TOKEN_EU1), or MAKE_API_KEY together with
MAKE_ZONE as Make's own tools read them. See ` + "`maketoken help environment`" + `.`,
		Example: `  maketoken login -z eu1
  maketoken list --all-zones
  maketoken create -l ci-nightly -s 'scenarios:*' --out-file token.txt
  maketoken rotate --label ci-nightly --yes
  MAKE_API_KEY=$(maketoken token -z us1) some-script`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		Version:           versionString(d.Build),
		DisableAutoGenTag: true,
	}
	root.SetIn(d.IO.In)
	root.SetOut(d.IO.Out)
	root.SetErr(d.IO.ErrOut)
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &ExitError{Code: ExitUsage, Err: flagError(cmd, err)}
	})

	pf := root.PersistentFlags()
	pf.StringP("zone", "z", "", "zone name or host (eu1, eu1.make.com, celonis-us1, ...)")
	pf.StringP("output", "o", "", "output format: table, tsv or json (default: table on a terminal, tsv otherwise)")
	pf.String("jq", "", "filter JSON output with a jq expression (implies -o json)")
	pf.String("config", "", "config file (default $XDG_CONFIG_HOME/maketoken/config.yaml)")
	pf.Duration("timeout", 30*time.Second, "time limit for the whole command")
	pf.Bool("debug", false, "trace HTTP requests on stderr, with secrets redacted")
	f.flags = pf
	_ = root.RegisterFlagCompletionFunc("zone", completion(f, completeZones))
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"table", "tsv", "json"}, cobra.ShellCompDirectiveNoFileComp))

	root.AddCommand(
		newZonesCmd(f),
		newLoginCmd(f),
		newLogoutCmd(f),
		newStatusCmd(f),
		newDoctorCmd(f),
		newTokenCmd(f),
		newScopesCmd(f),
		newListCmd(f),
		newCreateCmd(f),
		newRevokeCmd(f),
		newRotateCmd(f),
		newPruneCmd(f),
		newExecCmd(f),
		newVersionCmd(f),
	)
	root.AddCommand(helpTopics()...)
	groupCommands(root)
	// Anything cobra refuses before a command runs (an unknown command,
	// wrong arguments) is a usage error.
	root.PersistentPreRun = func(*cobra.Command, []string) { f.started = true }
	return f, root
}

// usageIfNotStarted makes an error from cobra's own checks exit 2, an
// unknown command's in one plain line.
func usageIfNotStarted(f *Factory, root *cobra.Command, err error) error {
	if err == nil || f.started {
		return err
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return err
	}
	if isUnknownCommand(err) {
		if plain := unknownCommandError(root, err); plain != nil {
			return &ExitError{Code: ExitUsage, Err: plain}
		}
	}
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%w; %s", err, exitUsageMessage)}
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
