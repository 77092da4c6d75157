// Package keycalls closes the Linux kernel's key-management system calls
// (add_key, request_key, keyctl) to a process and what it runs, with a
// seccomp filter, as a container's profile does. make-emulator uses it so
// that nothing run in its sessions reaches the user's kernel keyring; the
// tests use it to show what maketoken does where the calls are blocked.
// Off Linux there are no such calls, and Block does nothing.
package keycalls
