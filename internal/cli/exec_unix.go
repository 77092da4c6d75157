//go:build unix

package cli

import (
	"os"
	"syscall"

	"github.com/maketoken/maketoken/internal/job"
)

// terminalDelivers reports whether the terminal delivers sig to the job
// itself, so that maketoken must not: a hang-up while the job held the
// terminal. The terminal's session is gone then, and the kernel sends
// SIGHUP to the group that was in its foreground (the job's) when the
// session's leader (the shell) exits; the shell's own SIGHUP to its jobs
// reached maketoken, not the job.
func terminalDelivers(j *job.Job, sig os.Signal) bool {
	return sig == syscall.SIGHUP && j.TerminalHungUp()
}

// exitStatus is the code maketoken exits with for an ended command: its
// own, or 128+N when signal N killed it.
func exitStatus(exit *job.Exit) int {
	if s, ok := exit.Signal.(syscall.Signal); ok {
		return exitSignal + int(s)
	}
	return exit.Code
}

// envKeyIs compares environment variable names (case-sensitive on Unix).
func envKeyIs(k, name string) bool { return k == name }
