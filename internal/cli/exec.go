package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes of `exec` when the command cannot be run, as shells use them.
const (
	exitCannotRun = 126 // found but not executable
	exitNotFound  = 127 // not found
	exitSignal    = 128 // plus the signal's number, when it killed the command
)

// ExecOptions are the options of `maketoken exec`.
type ExecOptions struct {
	F *Factory
	// Command is the program and its arguments.
	Command []string
}

func newExecCmd(f *Factory) *cobra.Command {
	opts := &ExecOptions{F: f}
	cmd := &cobra.Command{
		Use:   "exec [-z ZONE] -- COMMAND [ARG...]",
		Short: "Run a command with MAKE_API_KEY and MAKE_ZONE set for a zone",
		Long: `Run COMMAND with the zone's credential in its environment: MAKE_API_KEY holds
the token and MAKE_ZONE the zone's host (eu1.make.com), as Make's own CLI and
MCP server expect. The token is never put on a command line, so it does not
show in ps or in shell history.

COMMAND gets maketoken's standard input, output and error, and the signals
maketoken receives (SIGINT, SIGTERM, SIGHUP, SIGQUIT) are passed on to it.
--timeout bounds only the credential lookup, never COMMAND.

Exit codes: COMMAND's own; 128+N if signal N ended it; 127 if it was not
found and 126 if it could not be run. Before COMMAND starts, maketoken's
usual codes apply (2 usage, 4 no credential for the zone, 8 keyring
unavailable), with a message on stderr starting "maketoken:".`,
		Example: `  maketoken exec -z eu1 -- make-cli scenarios list
  maketoken exec -z us2 -- sh -c 'curl -H "Authorization: Token $MAKE_API_KEY" https://$MAKE_ZONE/api/v2/users/me'`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("name the command to run: maketoken exec [-z ZONE] -- COMMAND [ARG...]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Command = args
			return RunExec(cmd.Context(), opts)
		},
	}
	// Everything after COMMAND is its own: `maketoken exec env -z` passes
	// -z to env.
	cmd.Flags().SetInterspersed(false)
	return cmd
}

// RunExec runs the command with the selected zone's credential in its
// environment and returns an *ExitError with the command's exit code.
func RunExec(ctx context.Context, opts *ExecOptions) error {
	f := opts.F
	name := opts.Command[0]
	path, err := exec.LookPath(name)
	if err != nil {
		return execLookupError(name, err)
	}
	zone, token, err := execCredential(ctx, f)
	if err != nil {
		return err
	}

	// A context that never ends: the command runs as long as it runs,
	// whatever --timeout says.
	cmd := exec.CommandContext(context.WithoutCancel(ctx), path, opts.Command[1:]...)
	cmd.Args[0] = name
	cmd.Env = execEnv(f.Environ(), token, zone)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = f.IO.In, f.IO.Out, f.IO.ErrOut

	// Catch the signals before the command starts, so none is missed, and
	// keep catching them until it ended: maketoken must outlive it to pass
	// its exit code on.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwardedSignals...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return execLookupError(name, err)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-sigs:
				forwardSignal(cmd.Process, sig)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(done)
	var ee *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee):
		return errSilent(exitStatus(ee.ProcessState))
	default:
		return fmt.Errorf("running %s: %w", name, err)
	}
}

// execCredential finds the selected zone's host and token, within
// --timeout.
func execCredential(ctx context.Context, f *Factory) (host, token string, err error) {
	ctx, cancel, err := f.CommandContext(ctx)
	if err != nil {
		return "", "", err
	}
	defer cancel()
	zc, err := f.selectedCredential(ctx)
	if err != nil {
		return "", "", err
	}
	return zc.Zone.Host, zc.Credential.Token, nil
}

// execEnv is the command's environment: maketoken's own, with MAKE_API_KEY
// and MAKE_ZONE replaced.
func execEnv(environ []string, token, host string) []string {
	env := make([]string, 0, len(environ)+2)
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if envKeyIs(k, "MAKE_API_KEY") || envKeyIs(k, "MAKE_ZONE") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "MAKE_API_KEY="+token, "MAKE_ZONE="+host)
}

// execLookupError explains a command that could not be started, with the
// exit code shells use for it.
func execLookupError(name string, err error) error {
	switch {
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		return &ExitError{Code: exitNotFound, Err: fmt.Errorf("exec: %s: command not found (check the name and PATH)", name)}
	case errors.Is(err, fs.ErrPermission), errors.Is(err, exec.ErrDot):
		return &ExitError{Code: exitCannotRun, Err: fmt.Errorf("exec: %s: cannot run it: %w", name, unwrapPathError(err))}
	}
	return &ExitError{Code: exitCannotRun, Err: fmt.Errorf("exec: %s: %w", name, err)}
}
