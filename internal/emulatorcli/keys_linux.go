//go:build linux

package emulatorcli

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"github.com/maketoken/maketoken/internal/keycalls"
)

// keysBlockedCmd is make-emulator's hidden first argument that runs a
// session's command with the kernel's key calls closed (see keysBlocked).
const keysBlockedCmd = "__keys-blocked"

// keysBlocked runs cmd through make-emulator itself (self), which closes
// the kernel's key-management calls to itself and everything it runs
// with a seccomp filter, then executes cmd in its place: nothing in the
// session, a `maketoken login --store kernel` included, can reach the
// user's kernel keyring, and no startup file can undo it. Without self,
// cmd runs as it is.
func keysBlocked(cmd *exec.Cmd, self string) *exec.Cmd {
	if self == "" {
		return cmd
	}
	cmd.Args = append([]string{self, keysBlockedCmd, cmd.Path}, cmd.Args...)
	cmd.Path = self
	return cmd
}

// execKeysBlocked is the other half of keysBlocked: args are the program's
// path and its argv.
func execKeysBlocked(args []string, st Streams) int {
	if len(args) < 2 {
		fmt.Fprintf(st.Err, "make-emulator %s: PATH ARGV0 [ARG...]\n", keysBlockedCmd)
		return exitUsage
	}
	if err := keycalls.Block(syscall.EPERM); err != nil {
		fmt.Fprintf(st.Err, "make-emulator: warning: the session could not be closed to your kernel keyring (%v); a `maketoken login --store kernel` inside would store there\n", err)
	}
	err := syscall.Exec(args[0], args[1:], os.Environ())
	fmt.Fprintf(st.Err, "make-emulator: %s: %v\n", args[1], err)
	return exitCannotRun
}
