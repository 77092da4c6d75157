package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/maketoken/maketoken/internal/delivery"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/outfile"
	"github.com/maketoken/maketoken/internal/output"
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

// isEnvName reports whether s is a variable name: a letter or _, then
// letters, digits and _ (checked by hand: a regexp compiled at start-up
// would cost every run, see docs/performance.md).
func isEnvName(s string) bool {
	for i, c := range s {
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return s != ""
}

// storeCommandArgs takes COMMAND [ARG...] from after `--`; anything
// before `--` is an unexpected argument.
func (s *storeCommandFlags) parseArgs(cmd *cobra.Command, args []string) error {
	dash := cmd.ArgsLenAtDash()
	switch {
	case dash < 0 && len(args) > 0:
		return usageErrorf("unexpected argument %s; a command that receives the new token goes after --", output.Sanitize(args[0]))
	case dash > 0:
		return usageErrorf("unexpected argument %s before --", output.Sanitize(args[0]))
	case dash == 0 && len(args) == 0:
		return usageErrorf("name the command that receives the new token after --, e.g. -- gh secret set MAKE_TOKEN")
	}
	s.Command = args
	if s.Env != "" && len(args) == 0 {
		return usageErrorf("--store-env only applies to a command given after --")
	}
	if s.Env != "" && !isEnvName(s.Env) {
		return usageErrorf("--store-env %s is not a variable name", output.Sanitize(s.Env))
	}
	return nil
}

// storeCommand prepares the `-- COMMAND` (nil without one), checking that
// it can be run before any token exists. Its stdout goes to maketoken's,
// except with -o json, where stdout is the record's: then to stderr.
func storeCommand(f *Factory, s storeCommandFlags, jsonOut bool) (*delivery.Command, error) {
	if len(s.Command) == 0 {
		return nil, nil
	}
	environ := f.Environ
	if environ == nil {
		environ = os.Environ
	}
	stdout := f.IO.Out
	if jsonOut {
		stdout = f.IO.ErrOut
	}
	dc := &delivery.Command{Args: s.Command, Env: withoutCredentials(environ()), EnvName: s.Env, Stdout: stdout, Stderr: childStderr(f.IO.ErrOut)}
	if err := dc.Resolve(); err != nil {
		return nil, usageErrorf("cannot run %s: %v; nothing was changed", output.Sanitize(s.Command[0]), outfile.UnwrapPath(err))
	}
	return dc, nil
}

// withoutCredentials is the environment without Make credentials
// (MAKETOKEN_TOKEN_*, MAKE_API_KEY): a store command needs none, and the
// old one is about to be revoked.
func withoutCredentials(environ []string) []string {
	env := make([]string, 0, len(environ))
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if envKeyIs(k, "MAKE_API_KEY") || strings.HasPrefix(k, "MAKETOKEN_TOKEN_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// handOff runs the store command with the new token. ok means it took the
// token (proven: see package delivery). Otherwise cause says what
// happened, and mayHold whether the command may hold the token all the
// same: such a token must not be revoked.
func handOff(ctx context.Context, dc *delivery.Command, zone string, tok makeapi.Token) (rec deliveredRecord, ok, mayHold bool, cause error) {
	res, err := dc.Run(ctx, tok.Token)
	rec = deliveredRecord{Command: dc.Name(), Exit: res.ExitCode}
	if err != nil {
		return rec, false, false, fmt.Errorf("zone %s: the store command %s could not be started: %w", zone, dc.Name(), err)
	}
	what := fmt.Errorf("zone %s: the store command %s %s", zone, dc.Name(), res.Account("the token"))
	switch res.Holding() {
	case delivery.Holds:
		return rec, true, false, nil
	case delivery.DoesNotHold:
		return rec, false, false, stoppedCode(res, what)
	}
	return rec, false, true, stoppedCode(res, what)
}

// stoppedCode gives err the exit code of an interrupted command when the
// store command was stopped by one.
func stoppedCode(res delivery.Result, err error) error {
	if errors.Is(res.Stopped, context.Canceled) {
		return &ExitError{Code: ExitInterrupted, Err: err}
	}
	if errors.Is(res.Stopped, context.DeadlineExceeded) {
		return fmt.Errorf("%w (raise --timeout if it needs longer)", err)
	}
	return err
}
