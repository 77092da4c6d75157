package cli

import (
	"context"
	"os/exec"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/job"
	"github.com/maketoken/maketoken/internal/runctx"
	"github.com/spf13/cobra"
)

// ExecOptions are the options of `maketoken exec`.
type ExecOptions struct {
	services
	Context func(context.Context) (*runctx.Context, error) // the command's
	// Command is the program and its arguments.
	Command []string
	// Ephemeral runs the command with a token of its own, created with
	// Scopes for this run and revoked when it ends (see ephemeral.go).
	Ephemeral bool
	Scopes    []string
	TTL       string
	Label     string
}

func newExecCmd(f *Factory) *cobra.Command {
	opts := &ExecOptions{services: servicesOf(f), Context: f.CommandContext}
	cmd := &cobra.Command{
		Use: "exec [-z ZONE] [--ephemeral -s SCOPE...] -- COMMAND [ARG...]",
		Long: `Run COMMAND with the zone's credential in its environment: MAKE_API_KEY holds
the token and MAKE_ZONE the zone's host (eu1.make.com), as Make's own CLI and
MCP server expect. The token is never put on a command line, so it does not
show in ps or in shell history.

COMMAND gets maketoken's standard input, output and error, and each signal
(SIGINT, SIGTERM, SIGHUP, SIGQUIT) once. It runs as a shell runs a job: in
a process group of its own, in the terminal's foreground, so a Ctrl-C or
Ctrl-\ reaches it from the terminal alone, Ctrl-Z stops it and maketoken
with it, and a signal sent to maketoken or its process group (timeout(1),
a CI runner) is passed on once. On Linux COMMAND is killed if maketoken
is. --timeout bounds only the credential lookup, never COMMAND.

--ephemeral gives COMMAND a token of its own instead of the zone's
credential: created with exactly the scopes -s names (names and globs, as in
create), labelled LABEL~exp=TIME (--label, default maketoken-exec; the
lifetime --ttl, default 1h), and revoked when COMMAND ends, whether it
succeeds, fails or is ended by Ctrl-C, SIGTERM or SIGHUP. The zone's own
credential is then nowhere in COMMAND's environment: MAKETOKEN_TOKEN_* and
any variable holding it are removed. If maketoken itself is killed (kill -9,
a lost CI runner), ` + "`maketoken prune --expired`" + ` revokes the token once its
lifetime has passed: choose --ttl longer than COMMAND runs. It costs two
requests (create and revoke; the scope list too when globs are used and the
hour-long scope cache is cold) and needs the user:write scope. --timeout
bounds the create, and the revoke again. If the revoke fails, that is
reported on stderr and COMMAND's code is still the exit code.

Exit codes: COMMAND's own; 128+N if signal N ended it; 127 if it was not
found and 126 if it could not be run. Before COMMAND starts, maketoken's
usual codes apply (2 usage, 4 no credential for the zone, 8 keyring
unavailable; with --ephemeral 5 if the credential cannot create tokens, and
130 if a signal came before COMMAND started: its token is then revoked),
with a message on stderr starting "maketoken:".`,
		Example: `  maketoken exec -z eu1 -- make-cli scenarios list
  maketoken exec -z us2 -- sh -c \
    'curl -sH "Authorization: Token $MAKE_API_KEY" \
       "https://$MAKE_ZONE/api/v2/users/me"'
  maketoken exec --ephemeral -s scenarios:read,scenarios:run --ttl 30m \
    -- ./deploy.sh`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmderr.Usagef("name the command to run: maketoken exec [-z ZONE] -- COMMAND [ARG...]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Command = args
			if !opts.Ephemeral {
				for _, name := range []string{"scope", "ttl", "label"} {
					if cmd.Flags().Changed(name) {
						return cmderr.Usagef("--%s only applies to --ephemeral", name)
					}
				}
			}
			return RunExec(cmd.Context(), opts)
		},
	}
	// Everything after COMMAND is its own: `maketoken exec env -z` passes
	// -z to env.
	cmd.Flags().SetInterspersed(false)
	fl := cmd.Flags()
	fl.BoolVar(&opts.Ephemeral, "ephemeral", false, "give COMMAND its own token with the -s scopes, revoked at its end")
	fl.StringArrayVarP(&opts.Scopes, "scope", "s", nil, "with --ephemeral: a scope name or glob; repeat or use commas")
	fl.StringVar(&opts.TTL, "ttl", defaultEphemeralTTL, "with --ephemeral: the `DURATION` the token lives if it is not revoked")
	fl.StringVarP(&opts.Label, "label", "l", defaultEphemeralLabel, "with --ephemeral: the token's label, to which the expiry is added")
	_ = cmd.RegisterFlagCompletionFunc("scope", completion(f, completeScopes))
	_ = cmd.RegisterFlagCompletionFunc("ttl", ttlCompletions)
	_ = cmd.RegisterFlagCompletionFunc("label", cobra.NoFileCompletions)
	return cmd
}

// RunExec runs the command with the selected zone's credential in its
// environment and returns an *cmderr.Error with the command's exit code.
func RunExec(ctx context.Context, opts *ExecOptions) error {
	name := opts.Command[0]
	path, err := exec.LookPath(name)
	if err != nil {
		return cmderr.Exec(name, err)
	}
	if opts.Ephemeral {
		return runEphemeral(ctx, opts, path)
	}
	zone, token, err := execCredential(ctx, opts)
	if err != nil {
		return err
	}
	return runCommand(opts, path, opts.Command, credentials.ExecEnv(opts.Environ(), token, zone))
}

// runCommand runs the command (at path; args[0] is its name) with env as
// a job in the terminal's foreground that gets each signal once (see
// job.Run), and returns nil or a *cmderr.Error with its code. On Linux the
// command is killed if maketoken is (SIGKILL, the OOM killer): it cannot
// outlive the process that answers for its exit code.
func runCommand(opts *ExecOptions, path string, args, env []string) error {
	// A context that never ends: the command runs as long as it runs,
	// whatever --timeout says.
	cmd := exec.CommandContext(context.Background(), path, args[1:]...)
	cmd.Args[0] = args[0]
	cmd.Env = env
	// The command gets the terminal itself, not maketoken's gate on it.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = opts.IO.In, opts.IO.Out, opts.IO.ChildStderr()
	exit, err := job.Run(cmd, opts.Signals.Pass)
	switch {
	case err != nil:
		return cmderr.Exec(args[0], err)
	case exit.Success():
		return nil
	}
	return cmderr.Silent(exit.Status())
}

// execCredential finds the selected zone's host and token, within
// --timeout.
func execCredential(ctx context.Context, opts *ExecOptions) (host, token string, err error) {
	cmdCtx, err := opts.Context(ctx)
	if err != nil {
		return "", "", err
	}
	defer cmdCtx.Stop()
	ctx = cmdCtx
	zc, err := opts.Credential(ctx)
	if ierr := runctx.InterruptedErr(ctx, "the command did not run"); ierr != nil {
		return "", "", ierr
	}
	if err != nil {
		return "", "", err
	}
	return zc.Zone.Host, zc.Credential.Token, nil
}
