package cli

import (
	"fmt"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/delivery"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/maketoken/maketoken/internal/outfile"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/runctx"
	"github.com/maketoken/maketoken/internal/tokens"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// deliveredRecord says, in the JSON record of create and rotate, which
// command received the new token and how it exited (never the token).
type deliveredRecord struct {
	Command string `json:"command"`
	Exit    int    `json:"exit"`
}

// storeCommandFlags are the flags of create and rotate about `-- COMMAND`.
type storeCommandFlags struct {
	// Command is the program that receives the new token, with arguments.
	Command []string
	// Env names the variable that carries the token instead of stdin.
	Env string
}

func (s *storeCommandFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&s.Env, "store-env", "", "pass the token to -- COMMAND in this variable, not on stdin")
}

// storeCommandArgs takes COMMAND [ARG...] from after `--`; anything
// before `--` is an unexpected argument.
func (s *storeCommandFlags) parseArgs(cmd *cobra.Command, args []string) error {
	dash := cmd.ArgsLenAtDash()
	switch {
	case dash < 0 && len(args) > 0:
		return cmderr.Usagef("unexpected argument %s%s; a command that receives the new token goes after --", output.Echo(args[0]), labelMeant(cmd, args[0]))
	case dash > 0:
		return cmderr.Usagef("unexpected argument %s before --%s", output.Echo(args[0]), labelMeant(cmd, args[0]))
	case dash == 0 && len(args) == 0:
		return cmderr.Usagef("name the command that receives the new token after --, e.g. -- gh secret set MAKE_TOKEN")
	}
	s.Command = args
	if s.Env != "" && len(args) == 0 {
		return cmderr.Usagef("--store-env only applies to a command given after --")
	}
	if s.Env != "" && !delivery.IsEnvName(s.Env) {
		return cmderr.Usagef("--store-env %s is not a variable name", output.Sanitize(s.Env))
	}
	return nil
}

// labelMeant is what a word given to create or rotate as an argument was
// most likely meant to be, when no label was given: the label (`maketoken
// rotate ci-nightly`).
func labelMeant(cmd *cobra.Command, arg string) string {
	w := output.ShellWord(arg)
	switch {
	case w == "", cmd.Flags().Changed("label"), cmd.Flags().Changed("self"):
		return ""
	case cmd.Name() == "rotate":
		return fmt.Sprintf(": to rotate the tokens labelled %s, use `%s --label %s`", w, cmd.CommandPath(), w)
	case cmd.Name() == "create":
		return fmt.Sprintf(": to name the token %s, use `%s -l %s`", w, cmd.CommandPath(), w)
	}
	return ""
}

// storeCommand prepares the `-- COMMAND` (nil without one), checking that
// it can be run before any token exists. Its stdout goes to maketoken's,
// except with -o json, where stdout is the record's: then to stderr. What
// it writes passes through the run's redactor (the new token, the
// credential, anything shaped like a token) unless it goes straight to a
// terminal.
func (s services) storeCommand(flags storeCommandFlags, jsonOut bool) (*delivery.Command, error) {
	if len(flags.Command) == 0 {
		return nil, nil
	}
	stdout, stderr := s.IO.Out, s.IO.ChildStderr()
	if jsonOut {
		stdout = stderr
	}
	dc := &delivery.Command{Args: flags.Command, Env: credentials.WithoutCredentials(s.Environ()), EnvName: flags.Env, Stdout: stdout, Stderr: stderr, Redact: s.IO.Redactor.String,
		// The terminal's foreground while it runs (a password prompt);
		// a Ctrl-C there reached the command, not maketoken: act on it as
		// on maketoken's own.
		Terminal: true, Interrupted: s.Signals.Raise}
	// The command's output, and the record after it, go to stdout: a
	// closed one must fail those writes, not end maketoken mid-delivery.
	runctx.BrokenPipeFails()
	if err := dc.Resolve(); err != nil {
		return nil, cmderr.Usagef("cannot run %s: %v; nothing was changed", output.Sanitize(flags.Command[0]), outfile.UnwrapPath(err))
	}
	return dc, nil
}

// newTokenTargets are where a new token may go besides storage, prepared
// before the token exists: the printer, the -- COMMAND (found, so that one
// that cannot run fails now) and the --out-file.
type newTokenTargets struct {
	printer *output.Printer
	handoff *delivery.Command
	out     *outfile.File
}

// printToken delivers a new token on standard output: with -o json the
// record rec (which carries it), else the bare token.
func (t newTokenTargets) printToken(ios *iostreams.IOStreams, rec any, token string) error {
	if t.printer.Format == output.JSON {
		return t.printer.Print(rec, output.Rows{})
	}
	_, err := fmt.Fprintln(ios.Out, token)
	return err
}

// prepareTargets prepares the targets: the --out-file is created empty
// (mode 0600; replace lets it replace a file), or with dryRun only
// checked. done removes what was prepared and not used.
func (s services) prepareTargets(store storeCommandFlags, outFile string, replace, dryRun bool) (t newTokenTargets, done func(), err error) {
	done = func() {}
	if t.printer, err = s.Printer(); err != nil {
		return t, done, err
	}
	if t.handoff, err = s.storeCommand(store, t.printer.Format == output.JSON); err != nil || outFile == "" {
		return t, done, err
	}
	if dryRun {
		return t, done, outfile.Check(outFile, replace)
	}
	if t.out, err = outfile.Prepare(outFile, replace); err != nil {
		return t, done, err
	}
	return t, t.out.Discard, nil
}

// credentialStorage is the credential store as a destination of a new
// token: in place of zc's credential (see tokens.StorageOf).
func (s services) credentialStorage(zc credentials.Target) tokens.Storage {
	return tokens.StorageOf(func() (tokens.CredentialStore, error) { return s.Store() }, zc.Zone, zc.Credential)
}

// warnDelivered warns of the problems met by destinations that took the
// token all the same.
func (s services) warnDelivered(d tokens.Delivery) {
	for _, r := range d.Results {
		if r.Outcome == tokens.Delivered && r.Err != nil {
			s.IO.Warn(r.Err.Error())
		}
	}
}
