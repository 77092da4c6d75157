//go:build unix && !linux

package job

import "syscall"

// dieWithParent cannot be arranged here (macOS and the BSDs have no
// parent-death signal): a command outlives a maketoken killed with
// SIGKILL.
func dieWithParent(*syscall.SysProcAttr, bool) {}
