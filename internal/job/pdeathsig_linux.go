package job

import "syscall"

// dieWithParent asks Linux to kill the command when maketoken dies. The
// kernel sends the signal when the thread that started the command ends
// (see Start, which keeps that thread until the command has been reaped),
// and Go's fork checks that maketoken did not die before it was set.
// SIGKILL: a maketoken that is gone cannot forward anything gentler, and
// what it forwarded before (SIGTERM, SIGINT) came first. The command's own
// children are not reached: they are in its process group and outlive it
// as they would outlive it anywhere.
func dieWithParent(attr *syscall.SysProcAttr, on bool) {
	if on {
		attr.Pdeathsig = syscall.SIGKILL
	}
}
