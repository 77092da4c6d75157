// Package job runs a command the way a shell runs a job, so that the
// command and maketoken never fight over signals or the terminal:
//
//   - The command runs in a process group of its own (Unix). A signal sent
//     to maketoken's process group (GNU timeout, a CI runner cancelling a
//     job) reaches maketoken alone, which decides what the command gets:
//     never the same signal twice, once from the sender and once from
//     maketoken.
//   - When maketoken is in the foreground of its controlling terminal, the
//     command's group gets the foreground while it runs (as a shell gives
//     it to a job): it can ask for a password on the terminal (sudo, vault
//     login, op, a gpg pinentry) instead of being stopped by SIGTTIN, and
//     the terminal's Ctrl-C and Ctrl-\ reach it, and only it. maketoken
//     takes the foreground back when the command has ended (TakeTerminal).
//   - A command that stops (Ctrl-Z, or SIGTTIN when it wants the terminal
//     while maketoken runs in the background) is reported as a change
//     (Status.Stopped), never a silent hang: the caller ends it, or stops
//     maketoken too and continues the command when maketoken is continued
//     (SuspendSelf, Continue), as a shell would.
//   - Where the platform can do it (Linux), the command can be made to die
//     with maketoken (Options.DieWithParent), so that it does not outlive a
//     maketoken killed with SIGKILL.
//
// On Windows there are no process groups, stop signals or terminal
// foreground: the command is one process, and Status never says Stopped.
package job

import (
	"errors"
	"os"
	"os/exec"
)

// Options say how a job is run.
type Options struct {
	// Terminal: take part in the terminal's job control when maketoken
	// has a controlling terminal: the command gets its foreground while it
	// runs if maketoken has it when the command starts.
	Terminal bool
	// DieWithParent: the command is killed (SIGKILL) if maketoken dies,
	// where the system can arrange it (Linux); elsewhere it may outlive a
	// maketoken killed with SIGKILL.
	DieWithParent bool
}

// Status is a change in the job's process: it stopped, or it ended.
type Status struct {
	// Stopped is the signal that stopped the process (SIGTSTP, SIGTTIN,
	// SIGTTOU, SIGSTOP), or nil.
	Stopped os.Signal
	// Exit is how the process ended; nil while it has not.
	Exit *Exit
}

// Exit is how a process ended.
type Exit struct {
	// Code is its exit code, -1 if a signal ended it.
	Code int
	// Signal is the signal that ended it, or nil.
	Signal os.Signal
}

// Success reports whether the process exited 0.
func (e *Exit) Success() bool { return e.Signal == nil && e.Code == 0 }

// ErrNotFile is returned by Start when the command's standard streams are
// not files (or nil): the job does not copy output itself.
var ErrNotFile = errors.New("job: the command's standard streams must be files")

// checkFiles makes sure exec copies nothing: the job reaps the process
// itself, and exec's copying goroutines would never be waited for.
func checkFiles(cmd *exec.Cmd) error {
	for _, s := range []any{cmd.Stdin, cmd.Stdout, cmd.Stderr} {
		if s == nil {
			continue
		}
		if _, ok := s.(*os.File); !ok {
			return ErrNotFile
		}
	}
	return nil
}
