//go:build windows

package job

import (
	"os"
	"os/exec"
)

// Job is a command: on Windows one process, without process group, stop
// signals or terminal foreground. A console's Ctrl-C reaches every process
// attached to it, the command included.
type Job struct {
	p       *os.Process
	changes chan Status
}

// Start starts cmd. Its standard streams must be files (or nil).
// DieWithParent is not arranged: the command may outlive a maketoken that
// is killed.
func Start(cmd *exec.Cmd, _ Options) (*Job, error) {
	if err := checkFiles(cmd); err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	j := &Job{p: cmd.Process, changes: make(chan Status, 1)}
	go func() {
		defer close(j.changes)
		_ = cmd.Wait() // how it ended is in ProcessState
		code := -1
		if cmd.ProcessState != nil {
			code = cmd.ProcessState.ExitCode()
		}
		j.changes <- Status{Exit: &Exit{Code: code}}
	}()
	return j, nil
}

// Changes reports how the process ended; it is closed after.
func (j *Job) Changes() <-chan Status { return j.changes }

// Signal ends the process for os.Kill and does nothing otherwise:
// Windows cannot send one process a signal (a console's Ctrl-C has reached
// the command already).
func (j *Job) Signal(sig os.Signal) {
	if sig == os.Kill {
		_ = j.p.Kill()
	}
}

// Kill ends the process.
func (j *Job) Kill() { _ = j.p.Kill() }

// Continue does nothing: nothing stops on Windows.
func (j *Job) Continue() {}

// HasTerminal is false: there is no terminal foreground.
func (j *Job) HasTerminal() bool { return false }

// TerminalHungUp is false.
func (j *Job) TerminalHungUp() bool { return false }

// TakeTerminal does nothing.
func (j *Job) TakeTerminal() {}

// Terminal is nil.
func (j *Job) Terminal() *os.File { return nil }

// RestoreTerminal does nothing on Windows: a job never gets the terminal.
func (j *Job) RestoreTerminal() {}

// Close does nothing.
func (j *Job) Close() {}

// SuspendSelf does nothing.
func SuspendSelf() {}

// SignalName is sig's name.
func SignalName(sig os.Signal) string { return sig.String() }

// Continued is nil: nothing stops on Windows.
var Continued os.Signal
