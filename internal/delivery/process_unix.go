//go:build unix

package delivery

import (
	"os"
	"os/exec"
	"syscall"
)

var (
	politeSignal = syscall.SIGTERM
	killSignal   = syscall.SIGKILL
)

// ownProcessGroup puts the command in a process group of its own, so that
// stopping it also stops what it started. A Ctrl-C at the terminal then
// reaches maketoken only, which stops the command itself.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// signalGroup sends sig to the command's process group (gone is fine).
func signalGroup(p *os.Process, sig syscall.Signal) {
	_ = syscall.Kill(-p.Pid, sig)
}

// signalName names the signal that ended the process, or "".
func signalName(ps *os.ProcessState) string {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return "signal " + ws.Signal().String()
	}
	return ""
}
