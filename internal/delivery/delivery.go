// Package delivery hands a secret to a command on its standard input (or,
// when asked, in one environment variable), within a time limit, and says
// what became of it. It is the one place that decides whether a command
// holds a secret; callers ask Result.Holding and act on its answer.
//
// The rule. Over standard input, a command holds the secret only if it
// read every byte of it AND exited 0: exit 0 with bytes left unread is no
// delivery (`sh -c 'exit 0'`, `true`, a CLI given the value as an argument
// by mistake, a command that read 12 of 36 bytes). A command that exits
// non-zero on its own says it did not take it. A command that was stopped
// (time limit, interrupt, a stop signal) or killed by a signal has not
// said: if it did not read the whole secret it cannot hold it; if it read
// it all, nobody knows, and the caller must treat the secret as possibly
// stored. In an environment variable (EnvName) the command always had the
// whole secret, so exit 0 is the only proof there is, and a stopped
// command may hold it.
//
// Bytes read are counted, not guessed: maketoken keeps its own copy of the
// pipe's reading end and, once the command has ended, reads whatever is
// left in the pipe itself (draining it) before it decides. What it drains
// nobody else can read any more, so a reader the command left behind (a
// background job, a process that called setsid) can never read the secret
// after maketoken decided "not read" and the caller revoked it. This works
// the same on every platform: the pipe's writing end is closed before the
// command starts, so draining never blocks.
package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/maketoken/maketoken/internal/job"
)

// DefaultGrace is how long a stopped command has between the polite
// signal and SIGKILL, and how long output that a command's leftovers still
// hold open is waited for after it ended.
const DefaultGrace = 2 * time.Second

// Outcome is what became of a delivery. The zero Outcome is Unknown, so
// that a Result nobody filled in never claims more than "may hold".
type Outcome int

const (
	// Unknown: the command was stopped or killed by a signal after it had
	// the whole secret: whether it stored it is not known.
	Unknown Outcome = iota
	// Delivered: the command read every byte of the secret (or had it in
	// its environment) and exited 0.
	Delivered
	// Failed: the command exited non-zero by itself, saying it did not
	// take the secret.
	Failed
	// NotRead: the command was stopped or killed by a signal before it
	// read the whole secret: it cannot hold it.
	NotRead
	// LeftUnread: the command exited 0 but did not read the whole secret
	// from its standard input: it cannot hold it.
	LeftUnread
)

// Holding is what a caller may conclude about the secret after a
// delivery. The zero Holding is MayHold, so that a caller that does not
// know an Outcome never acts as if the command did not hold the secret.
type Holding int

const (
	// MayHold: the command may hold the secret (or nobody can tell):
	// keep it, never revoke it on the strength of this delivery.
	MayHold Holding = iota
	// Holds: proven delivered.
	Holds
	// DoesNotHold: proven not delivered: the command cannot hold the
	// secret, and nothing else can read it any more.
	DoesNotHold
)

// Command is a program that receives a secret.
type Command struct {
	// Args are the program and its arguments (never the secret).
	Args []string
	// Env is its environment, without the secret.
	Env []string
	// EnvName, if set, passes the secret in this environment variable
	// instead of on standard input (which is then empty).
	EnvName string
	// Stdout and Stderr receive the command's output. Output that does not
	// go straight to a terminal passes through Redact, line by line.
	Stdout, Stderr io.Writer
	// Redact, if set, removes secrets from a line of the command's output
	// (a wrapper run with `set -x` prints the value it read) before it
	// reaches a writer that is not a terminal: a CI log, a file, a pipe.
	// A terminal gets the output as it is, untouched and at once: a
	// prompt without a newline must show, and a person's own screen is no
	// log.
	Redact func(string) string
	// Grace is the time between the polite signal and SIGKILL when the
	// command is stopped; 0 means DefaultGrace.
	Grace time.Duration
	// Terminal lets the command have the terminal while it runs: when
	// maketoken is in the foreground of its controlling terminal, the
	// command's process group gets the foreground (see package job), so a
	// store CLI can ask for a password there (sudo, vault login, op, a gpg
	// pinentry) and the terminal's Ctrl-C reaches it. maketoken takes the
	// foreground back, and the terminal's settings, when it has ended.
	Terminal bool
	// Interrupted, if set, is told of a Ctrl-C or Ctrl-\ that ended the
	// command while it held the terminal: the terminal sent it to the
	// command's group, not to maketoken, so Run reports it (as a shell
	// does for its job) and the caller acts as if maketoken had received
	// it, e.g. by ending ctx. If ctx has ended when Interrupted returns,
	// Result.Stopped is ctx's error: the command was stopped by an
	// interrupt.
	Interrupted func(os.Signal)

	path string
}

// SuspendedError is why a command was stopped that stopped itself, or was
// stopped by a signal (Ctrl-Z, SIGTTIN when it wanted the terminal while
// maketoken ran in the background): a stopped command would hang the
// delivery until the time limit, so it is ended at once and named.
type SuspendedError struct {
	// Signal is the stop signal (SIGTSTP, SIGTTIN, SIGTTOU, SIGSTOP).
	Signal os.Signal
}

func (e *SuspendedError) Error() string {
	name := job.SignalName(e.Signal)
	switch name {
	case "SIGTTIN", "SIGTTOU":
		return "was stopped by " + name + " (it wanted the terminal, which maketoken does not have in the foreground: run maketoken in the foreground, or give the command what it asks for another way) and was ended"
	}
	return "was stopped by " + name + " and was ended"
}

// Name is how the command is named in messages and records: the base name
// of its program.
func (c *Command) Name() string { return filepath.Base(c.Args[0]) }

// Resolve finds the program, so that a command that cannot run is known
// before there is a secret to hand it.
func (c *Command) Resolve() error {
	if len(c.Args) == 0 || c.Args[0] == "" {
		return errors.New("no command given")
	}
	path, err := exec.LookPath(c.Args[0])
	if err != nil {
		return err
	}
	c.path = path
	return nil
}

// Result says how a delivery ended.
type Result struct {
	Outcome Outcome
	// ExitCode is the command's exit code, -1 if a signal ended it.
	ExitCode int
	// Signal names the signal that ended it, if one did.
	Signal string
	// Stopped is why the command was stopped (context.DeadlineExceeded
	// for the time limit, context.Canceled for an interrupt, a
	// *SuspendedError for a command that stopped), or nil.
	Stopped error
	// Size is how many bytes of the secret were put on the command's
	// standard input (0 with EnvName), Read how many of them were read:
	// by the command, or by anything it left behind, before maketoken
	// drained the rest.
	Size, Read int
	// EnvName is the variable that held the secret, if one did.
	EnvName string
}

// Holding says whether the command holds the secret: the one rule, for
// every caller.
func (r Result) Holding() Holding {
	switch r.Outcome {
	case Delivered:
		return Holds
	case Failed, NotRead, LeftUnread:
		return DoesNotHold
	}
	return MayHold
}

// Describe is a short account of how the command ended, e.g. "exited
// with 1", "was stopped by an interrupt".
func (r Result) Describe() string {
	var suspended *SuspendedError
	switch {
	case errors.Is(r.Stopped, context.DeadlineExceeded):
		return "did not finish in time and was stopped"
	case errors.As(r.Stopped, &suspended):
		return suspended.Error()
	case r.Stopped != nil:
		return "was stopped by an interrupt"
	case r.Signal != "":
		return "was killed by " + r.Signal
	}
	return fmt.Sprintf("exited with %d", r.ExitCode)
}

// Account is Describe with what it means for the secret, named by noun
// ("the token"): "exited with 0 but read only 12 of the 36 bytes of the
// token, so it cannot hold it", "was stopped by an interrupt after it read
// the token, so whether it stored it is not known". A delivery, or a
// failure by exit code, is Describe alone.
func (r Result) Account(noun string) string {
	how := r.Describe()
	switch r.Outcome {
	case LeftUnread:
		return fmt.Sprintf("exited with 0 but read %s of %s, so it cannot hold it", r.portion(), noun)
	case NotRead:
		if r.Read == 0 {
			return how + " before it read " + noun
		}
		return fmt.Sprintf("%s after it read %s of %s, so it cannot hold it", how, r.portion(), noun)
	case Unknown:
		if r.EnvName != "" {
			return fmt.Sprintf("%s while it had %s in $%s, so whether it stored it is not known", how, noun, r.EnvName)
		}
		return how + " after it read " + noun + ", so whether it stored it is not known"
	}
	return how
}

// portion says how much of the secret was read: "none of the 36 bytes",
// "only 12 of the 36 bytes".
func (r Result) portion() string {
	if r.Read == 0 {
		return fmt.Sprintf("none of the %d bytes", r.Size)
	}
	return fmt.Sprintf("only %d of the %d bytes", r.Read, r.Size)
}

// Run starts the command with the secret and waits for it to end, or for
// ctx to end, or for it to stop: then the command (its whole process
// group, where the system has them) gets SIGTERM (and SIGCONT, should it
// be stopped), and SIGKILL after the grace time. The error is non-nil only
// when the command could not be started; it then never received the
// secret.
func (c *Command) Run(ctx context.Context, secret string) (Result, error) {
	if c.path == "" {
		if err := c.Resolve(); err != nil {
			return Result{}, err
		}
	}
	grace := c.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	// Its end is in Run's hands (the process group, the grace time), not
	// the context's.
	cmd := exec.CommandContext(context.WithoutCancel(ctx), c.path, c.Args[1:]...)
	cmd.Args[0] = c.Args[0]
	cmd.Env = append([]string(nil), c.Env...)
	res := Result{EnvName: c.EnvName}

	// The secret waits in a pipe, which holds far more than a token, so
	// the write cannot block, and the writing end is closed before the
	// command starts: nothing can write to the pipe afterwards, so reading
	// it to its end (drain) never blocks. maketoken keeps its own copy of
	// the reading end to drain it.
	// The token alone, with no newline: stores such as Vault (KEY=-) and
	// Google Secret Manager (--data-file=-) keep every byte they read.
	var pending *os.File
	if c.EnvName != "" {
		cmd.Env = append(cmd.Env, c.EnvName+"="+secret)
	} else {
		r, w, err := os.Pipe()
		if err != nil {
			return Result{}, err
		}
		defer r.Close()
		_, err = io.WriteString(w, secret)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return Result{}, fmt.Errorf("preparing the command's standard input: %w", err)
		}
		cmd.Stdin = r
		pending = r
		res.Size = len(secret)
	}
	out, err := startOutput(cmd, c.Stdout, c.Stderr, c.Redact)
	if err != nil {
		return Result{}, err
	}
	j, err := job.Start(cmd, job.Options{Terminal: c.Terminal})
	if err != nil {
		out.abandon()
		return Result{}, err
	}
	out.started()

	exit := await(ctx, j, grace, &res)
	// Ended by the terminal's Ctrl-C or Ctrl-\ while it held the terminal:
	// maketoken did not get it, the command did.
	terminalSignal := exit.Signal != nil && res.Stopped == nil && j.HasTerminal() && isTerminalInterrupt(exit.Signal)
	j.TakeTerminal()
	j.RestoreTerminal()
	j.Close()
	if terminalSignal && c.Interrupted != nil {
		c.Interrupted(exit.Signal)
		if ctx.Err() != nil {
			res.Stopped = ctx.Err()
		}
	}

	// Drain before deciding: what is still in the pipe now was not read,
	// and nobody can read it after this.
	if pending != nil {
		left, _ := io.Copy(io.Discard, pending)
		res.Read = res.Size - int(left)
	}
	out.finish(grace)

	res.ExitCode = exit.Code
	if exit.Signal != nil {
		res.Signal = job.SignalName(exit.Signal)
	}
	res.Outcome = decide(exit.Success(), res.Stopped == nil && exit.Signal == nil, c.EnvName != "", res.Read, res.Size)
	return res, nil
}

// await waits for the command to end. If ctx ends first, or the command
// stops, it is stopped (see stop) and res.Stopped says why.
func await(ctx context.Context, j *job.Job, grace time.Duration, res *Result) *job.Exit {
	for {
		select {
		case st := <-j.Changes():
			if st.Exit != nil {
				return st.Exit
			}
			res.Stopped = &SuspendedError{Signal: st.Stopped}
			return stop(j, grace)
		case <-ctx.Done():
			res.Stopped = ctx.Err()
			return stop(j, grace)
		}
	}
}

// stop ends the command: the polite signal to its process group (and
// SIGCONT, so that a stopped command runs to act on it), SIGKILL after the
// grace time, and SIGKILL to the group again once it has ended, so that
// whatever it started dies with it.
func stop(j *job.Job, grace time.Duration) *job.Exit {
	j.Signal(politeSignal)
	j.Signal(job.Continued)
	timer := time.NewTimer(grace)
	defer timer.Stop()
	var exit *job.Exit
	for exit == nil {
		select {
		case st := <-j.Changes():
			exit = st.Exit // a stop again is waited out: SIGKILL ends it
		case <-timer.C:
			j.Kill()
			for st := range j.Changes() {
				if st.Exit != nil {
					exit = st.Exit
				}
			}
		}
	}
	j.Kill()
	return exit
}

// decide is the rule (see the package comment). success is exit 0;
// exited is whether the command ended by itself with an exit code (it was
// not stopped by maketoken nor killed by a signal).
func decide(success, exited, inEnv bool, read, size int) Outcome {
	switch {
	case success && read == size:
		return Delivered
	case success:
		return LeftUnread
	case exited:
		return Failed
	case !inEnv && read < size:
		return NotRead
	}
	return Unknown
}

// IsEnvName reports whether s is a variable name: a letter or _, then
// letters, digits and _ (checked by hand: a regexp compiled at start-up
// would cost every run, see docs/performance.md).
func IsEnvName(s string) bool {
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
