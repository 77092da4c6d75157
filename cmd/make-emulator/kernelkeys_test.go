//go:build linux

package main

import (
	"strings"
	"testing"
)

// Nothing in a make-emulator session reaches the user's kernel keyring: a
// plain `login` stores in the session's folder (credential_store=file), and
// the command runs with the kernel's key calls closed by a seccomp filter,
// so that even `login --store kernel` is refused (exit 8) instead of
// writing the emulator's token over the user's own.
func TestSessionKeepsOutOfTheKernelKeyring(t *testing.T) {
	bin := buildBinaries(t)
	// The filter is checked before anything could reach a keyring: if it
	// were missing, the script stops there (exit 99).
	cmd, out, stderr, tmp := runEmulator(t, bin, "sh", "-c", `
		grep -q '^Seccomp:[[:space:]]*2' /proc/self/status || { echo "no seccomp filter"; exit 99; }
		printf '%s\n' "$MAKETOKEN_TOKEN_EU2" | maketoken login -z eu2 --with-token; echo "login=$?"
		printf '%s\n' "$MAKETOKEN_TOKEN_EU2" | maketoken login -z eu2 --with-token --store kernel; echo "kernel=$?"
		printf '%s\n' "$MAKETOKEN_TOKEN_EU2" | maketoken login -z eu2 --with-token --store keyring; echo "keyring=$?"`)
	var stdout strings.Builder
	done := make(chan struct{})
	go func() { _, _ = out.WriteTo(&stdout); close(done) }()
	code := exitCode(t, cmd)
	<-done
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, stderr)
	}
	for _, want := range []string{"login=0", "kernel=8", "keyring=8"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("no %q in:\n%s\nstderr:\n%s", want, &stdout, stderr)
		}
	}
	for _, want := range []string{
		"the credential is stored in the plain-text file",
		"the kernel keyring cannot be used here: the kernel refused its key-management calls",
		"the OS keyring is unavailable",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("no %q in stderr:\n%s", want, stderr)
		}
	}
	assertEmpty(t, tmp)
}
