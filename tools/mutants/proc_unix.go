//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// ownGroup starts the tests in a process group of their own, so that a
// time-out ends whatever they started too.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup ends the tests and their process group.
func killGroup(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}
