//go:build linux

package keycalls

import (
	"errors"
	"fmt"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// auditArch is the seccomp (audit) architecture of each GOARCH the filter
// is written for.
var auditArch = map[string]uint32{
	"amd64":   unix.AUDIT_ARCH_X86_64,
	"arm64":   unix.AUDIT_ARCH_AARCH64,
	"386":     unix.AUDIT_ARCH_I386,
	"arm":     unix.AUDIT_ARCH_ARM,
	"riscv64": unix.AUDIT_ARCH_RISCV64,
	"ppc64le": unix.AUDIT_ARCH_PPC64LE,
	"s390x":   unix.AUDIT_ARCH_S390X,
}

// Block makes add_key, request_key and keyctl fail with errno in
// every thread of this process and in whatever it executes, as a
// container's seccomp profile does (Docker's default one answers EPERM).
// The process must not need them afterwards: this cannot be undone.
func Block(errno syscall.Errno) error {
	arch, ok := auditArch[runtime.GOARCH]
	if !ok {
		return fmt.Errorf("no seccomp filter for %s", runtime.GOARCH)
	}
	const (
		ldW   = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeq   = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		ret   = unix.BPF_RET | unix.BPF_K
		nr    = 0 // offsetof(struct seccomp_data, nr)
		arch4 = 4 // offsetof(struct seccomp_data, arch)
	)
	prog := []unix.SockFilter{
		{Code: ldW, K: arch4},
		{Code: jeq, Jt: 1, Jf: 0, K: arch},
		{Code: ret, K: unix.SECCOMP_RET_ALLOW}, // another ABI: not ours to judge
		{Code: ldW, K: nr},
		{Code: jeq, Jt: 3, K: uint32(unix.SYS_ADD_KEY)},
		{Code: jeq, Jt: 2, K: uint32(unix.SYS_REQUEST_KEY)},
		{Code: jeq, Jt: 1, K: uint32(unix.SYS_KEYCTL)},
		{Code: ret, K: unix.SECCOMP_RET_ALLOW},
		{Code: ret, K: unix.SECCOMP_RET_ERRNO | uint32(errno)},
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("PR_SET_NO_NEW_PRIVS: %w", err)
	}
	// seccomp(2) takes the program by address; x/sys has no wrapper.
	r, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog))) //nolint:gosec // the one way to pass the filter
	runtime.KeepAlive(prog)
	if e != 0 {
		return fmt.Errorf("installing the seccomp filter: %w", e)
	}
	if r != 0 {
		return fmt.Errorf("installing the seccomp filter: thread %d could not take it", r)
	}
	// Check that it holds: a harmless call (it makes nothing) must fail
	// with errno now.
	if _, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_THREAD_KEYRING, false); !errors.Is(err, errno) {
		return fmt.Errorf("the seccomp filter does not block keyctl: %w", err)
	}
	return nil
}
