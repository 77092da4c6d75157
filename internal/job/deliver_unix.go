//go:build unix

package job

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// terminalDelivers reports whether the terminal delivers sig to the job
// itself, so that maketoken must not: a hang-up while the job held the
// terminal, in a session that maketoken does not lead. The terminal's
// session is gone then, and when its leader (the shell, which passed the
// hang-up on to its jobs: that is the SIGHUP maketoken got) exits, the
// kernel sends SIGHUP to the group that was in the foreground: the job's.
// When maketoken leads the session itself (a terminal or `ssh -t` that ran
// it directly), that SIGHUP would come only once maketoken has exited,
// which it does not before the job: maketoken passes it on.
func terminalDelivers(j *Job, sig os.Signal) bool {
	if sig != syscall.SIGHUP || !j.TerminalHungUp() {
		return false
	}
	sid, err := unix.Getsid(0)
	return err == nil && sid != os.Getpid()
}

// Status is the code maketoken exits with for an ended command, as a
// shell reports it: its own, or 128+N when signal N killed it.
func (e *Exit) Status() int {
	if s, ok := e.Signal.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return e.Code
}
