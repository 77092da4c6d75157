// Package kerneltest gives tests of the kernel keyring store keyrings of
// their own, so that no test touches a real user's keys, and blocks the
// key-management system calls the way a container's seccomp profile does.
// Only tests import it; it has code on Linux only.
package kerneltest
