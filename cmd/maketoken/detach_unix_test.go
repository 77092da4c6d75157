//go:build unix

package main

import "syscall"

// detachedProcess starts a process in a session of its own: signals sent to
// maketoken's process group do not reach it.
func detachedProcess() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }
