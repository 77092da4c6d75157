// Package delivery hands a secret to a command on its standard input (or,
// when asked, in one environment variable), within a time limit, and says
// what became of it: delivered, refused, or not known.
//
// The one question a caller must be able to answer afterwards is whether
// the command may hold the secret. A command that exits 0 took it; one
// that exits non-zero on its own says it did not. A command that was
// stopped (time limit, interrupt) or killed by a signal has not said: if
// it never read a byte of its standard input it cannot hold the secret
// (NotRead); otherwise nobody knows (Unknown), and the caller must treat
// the secret as possibly stored.
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
)

// DefaultGrace is how long a stopped command has between the polite
// signal and SIGKILL.
const DefaultGrace = 2 * time.Second

// Outcome is what became of a delivery.
type Outcome int

const (
	// Delivered: the command exited 0.
	Delivered Outcome = iota
	// Failed: the command exited non-zero by itself, saying it did not
	// take the secret.
	Failed
	// NotRead: the command was stopped or killed by a signal before it
	// read any of the secret: it cannot hold it.
	NotRead
	// Unknown: the command was stopped or killed by a signal after it may
	// have read the secret: whether it stored it is not known.
	Unknown
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
	// Stdout and Stderr receive the command's output.
	Stdout, Stderr io.Writer
	// Grace is the time between the polite signal and SIGKILL when the
	// command is stopped; 0 means DefaultGrace.
	Grace time.Duration

	path string
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
	// for the time limit, context.Canceled for an interrupt), or nil.
	Stopped error
}

// Describe is a short account of how the command ended, e.g. "exited
// with 1", "was stopped at the time limit".
func (r Result) Describe() string {
	switch {
	case errors.Is(r.Stopped, context.DeadlineExceeded):
		return "did not finish in time and was stopped"
	case r.Stopped != nil:
		return "was stopped by an interrupt"
	case r.Signal != "":
		return "was killed by " + r.Signal
	}
	return fmt.Sprintf("exited with %d", r.ExitCode)
}

// Run starts the command with the secret and waits for it to end, or for
// ctx to end: then the command (its whole process group, where the
// system has them) gets SIGTERM, and SIGKILL after the grace time. The
// error is non-nil only when the command could not be started; it then
// never received the secret.
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
	cmd.Stdout, cmd.Stderr = c.Stdout, c.Stderr
	// Output copied through pipes may be held open by a program the
	// command left behind: Wait gives up on it after the grace time.
	cmd.WaitDelay = grace
	ownProcessGroup(cmd)

	// The secret waits in a pipe, which holds far more than a token, so
	// the write cannot block. maketoken keeps its own copy of the reading
	// end: what is still in the pipe afterwards tells whether the command
	// read any of it.
	// The token alone, with no newline: stores such as Vault (KEY=-) and
	// Google Secret Manager (--data-file=-) keep every byte they read.
	var pending *os.File
	payload := secret
	if c.EnvName != "" {
		cmd.Env = append(cmd.Env, c.EnvName+"="+secret)
	} else {
		r, w, err := os.Pipe()
		if err != nil {
			return Result{}, err
		}
		defer r.Close()
		_, err = io.WriteString(w, payload)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return Result{}, fmt.Errorf("preparing the command's standard input: %w", err)
		}
		cmd.Stdin = r
		pending = r
	}

	if err := cmd.Start(); err != nil {
		return Result{}, err
	}
	// How it ended is read from ProcessState; Wait's error says no more.
	waited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(waited) }()
	var res Result
	select {
	case <-waited:
	case <-ctx.Done():
		res.Stopped = ctx.Err()
		signalGroup(cmd.Process, politeSignal)
		select {
		case <-waited:
		case <-time.After(grace):
			signalGroup(cmd.Process, killSignal)
			<-waited
		}
		// Whatever it started dies with it.
		signalGroup(cmd.Process, killSignal)
	}

	ps := cmd.ProcessState
	res.ExitCode = ps.ExitCode()
	res.Signal = signalName(ps)
	switch {
	case ps.Success():
		res.Outcome = Delivered
	case res.Stopped == nil && res.Signal == "":
		res.Outcome = Failed
	case pending != nil && unread(pending) == len(payload):
		res.Outcome = NotRead
	default:
		res.Outcome = Unknown
	}
	return res, nil
}
