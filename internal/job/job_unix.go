//go:build unix

package job

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// Job is a command running in a process group of its own.
type Job struct {
	pid     int
	tty     *os.File // maketoken's controlling terminal, or nil
	changes chan Status
	once    sync.Once

	// settings are the terminal's settings as they were before the job
	// started, when it was given the foreground; nil otherwise.
	settings *term.State

	mu sync.Mutex
	fg bool // maketoken gave the job the terminal's foreground, and has not taken it back
}

// Start starts cmd as a job. Its standard streams must be files (or nil).
// Changes then reports its stops and its end.
func Start(cmd *exec.Cmd, o Options) (*Job, error) {
	if err := checkFiles(cmd); err != nil {
		return nil, err
	}
	j := &Job{changes: make(chan Status, 4)}
	attr := &syscall.SysProcAttr{Setpgid: true}
	if o.Terminal {
		if tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
			j.tty = tty
			if isForeground(tty) {
				// Recorded before the command runs: one that turns echo
				// off at once (a password prompt) must not have its
				// settings taken for the terminal's (see RestoreTerminal).
				j.settings, _ = term.GetState(int(tty.Fd()))
				// The child puts its own group in the foreground before
				// it runs anything (with its signals blocked, so without
				// SIGTTOU): it never runs in the background, not even
				// for an instant, and never gets SIGTTIN for it.
				attr.Foreground = true
				attr.Ctty = int(tty.Fd())
				j.fg = true
			}
		}
	}
	dieWithParent(attr, o.DieWithParent)
	cmd.SysProcAttr = attr

	// The process is started and waited for on one locked OS thread: on
	// Linux the parent-death signal (Pdeathsig) is sent when the *thread*
	// that started the process ends, not the process; a thread locked to
	// this goroutine lives at least until the goroutine unlocks it, after
	// the process has been reaped.
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		j.pid = cmd.Process.Pid
		started <- nil
		j.wait(cmd.Process)
	}()
	if err := <-started; err != nil {
		if j.fg {
			// The child gave its group the terminal's foreground before
			// its exec failed: that group is gone, and maketoken would be
			// left in the background (its Ctrl-C going nowhere).
			_ = foreground(j.tty, unix.Getpgrp())
		}
		j.closeTTY()
		return nil, err
	}
	return j, nil
}

// wait reaps the process itself (exec's Wait cannot report stops),
// reporting each stop and, last, how it ended.
func (j *Job) wait(p *os.Process) {
	defer close(j.changes)
	for {
		var ws syscall.WaitStatus
		_, err := syscall.Wait4(j.pid, &ws, syscall.WUNTRACED, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			// Nothing to wait for (it cannot happen: the process is ours):
			// report an end the caller cannot mistake for success.
			j.changes <- Status{Exit: &Exit{Code: -1, Signal: syscall.SIGKILL}}
			_ = p.Release()
			return
		}
		if ws.Stopped() {
			j.changes <- Status{Stopped: ws.StopSignal()}
			continue
		}
		_ = p.Release()
		exit := &Exit{Code: ws.ExitStatus()}
		if ws.Signaled() {
			exit.Signal = ws.Signal()
		}
		j.changes <- Status{Exit: exit}
		return
	}
}

// Changes reports each stop of the process, then how it ended; it is
// closed after the end.
func (j *Job) Changes() <-chan Status { return j.changes }

// Signal sends sig to the job's process group (gone is fine).
func (j *Job) Signal(sig os.Signal) {
	if s, ok := sig.(syscall.Signal); ok {
		_ = syscall.Kill(-j.pid, s)
	}
}

// Kill kills the job's process group.
func (j *Job) Kill() { j.Signal(syscall.SIGKILL) }

// Continue lets a stopped job go on: with the terminal's foreground if
// maketoken has it (it was just continued in the foreground, `fg`), in
// the background otherwise (`bg`).
func (j *Job) Continue() {
	if j.tty != nil && isForeground(j.tty) {
		if unix.IoctlSetPointerInt(int(j.tty.Fd()), unix.TIOCSPGRP, j.pid) == nil {
			j.mu.Lock()
			j.fg = true
			j.mu.Unlock()
		}
	}
	j.Signal(syscall.SIGCONT)
}

// HasTerminal reports whether the job's group is the foreground of
// maketoken's terminal.
func (j *Job) HasTerminal() bool {
	if j.tty == nil {
		return false
	}
	fg, err := unix.IoctlGetInt(int(j.tty.Fd()), unix.TIOCGPGRP)
	return err == nil && fg == j.pid
}

// TerminalHungUp reports whether maketoken's terminal has gone (its
// session hung up) while the job had its foreground: the kernel then
// sends SIGHUP itself to the job's group, once the session's leader
// exits.
func (j *Job) TerminalHungUp() bool {
	j.mu.Lock()
	fg := j.fg
	j.mu.Unlock()
	if j.tty == nil || !fg {
		return false
	}
	_, err := unix.IoctlGetInt(int(j.tty.Fd()), unix.TIOCGPGRP)
	return errors.Is(err, syscall.EIO)
}

// TakeTerminal gives the terminal's foreground back to maketoken's
// process group if the job's group has it; call it when the job has
// ended or stopped. maketoken is in the background then, and asking for
// the foreground from there raises SIGTTOU, which would stop maketoken,
// unless SIGTTOU is blocked or ignored for the moment it takes (as shells
// do): see foreground.
func (j *Job) TakeTerminal() {
	if !j.HasTerminal() {
		return
	}
	j.mu.Lock()
	j.fg = false
	j.mu.Unlock()
	_ = foreground(j.tty, unix.Getpgrp())
}

// RestoreTerminal puts the terminal's settings back as they were before
// the job started, if it was given the foreground: a command killed while
// it asked for a password leaves echo off. Call it once the job has ended
// and the terminal is taken back.
func (j *Job) RestoreTerminal() {
	if j.settings != nil && j.tty != nil {
		_ = term.Restore(int(j.tty.Fd()), j.settings)
	}
}

// Terminal is maketoken's controlling terminal as the job sees it, or nil.
func (j *Job) Terminal() *os.File { return j.tty }

// Close releases the job's hold on the terminal; call it once the job has
// ended.
func (j *Job) Close() { j.closeTTY() }

func (j *Job) closeTTY() {
	j.once.Do(func() {
		if j.tty != nil {
			_ = j.tty.Close()
		}
	})
}

// SuspendSelf stops maketoken (SIGSTOP, which nothing can ignore) as the
// shell's job it is, after the command it runs stopped; it returns once
// maketoken is continued (fg, bg, SIGCONT).
func SuspendSelf() { _ = syscall.Kill(os.Getpid(), syscall.SIGSTOP) }

// isForeground reports whether maketoken's process group is the
// foreground group of tty.
func isForeground(tty *os.File) bool {
	fg, err := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	return err == nil && fg == unix.Getpgrp()
}

// SignalName is the usual name of sig ("SIGTTIN").
func SignalName(sig os.Signal) string {
	if s, ok := sig.(syscall.Signal); ok {
		if name := unix.SignalName(s); name != "" {
			return name
		}
	}
	return sig.String()
}

// Continued is the signal that lets a stopped process go on.
var Continued os.Signal = syscall.SIGCONT
