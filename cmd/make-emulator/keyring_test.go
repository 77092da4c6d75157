//go:build linux

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	gokeyring "github.com/zalando/go-keyring"

	"github.com/maketoken/maketoken/internal/credentials"
)

// With a real Secret Service on the session bus, nothing inside
// `make-emulator run` reaches it: a login there stores in the session's
// folder, one asked for the OS keyring fails (exit 8), instead of storing
// the emulator's token in the user's keyring, and the user's own entries
// stay as they were.
func TestRealKeyringUntouchedByTheEmulator(t *testing.T) {
	if os.Getenv("MAKETOKEN_REAL_KEYRING_TEST") != "1" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("real-keyring tests run only inside dbus-run-session with MAKETOKEN_REAL_KEYRING_TEST=1 (see .ci/run)")
	}
	const users = "the-users-own-eu1-credential"
	if err := gokeyring.Set(credentials.Service, "eu1", users); err != nil {
		t.Fatalf("the test keyring cannot be written: %v", err)
	}
	t.Cleanup(func() {
		_ = gokeyring.Delete(credentials.Service, "eu1")
		_ = gokeyring.Delete(credentials.Service, "eu2")
	})
	bin := buildBinaries(t)
	home := t.TempDir()
	cmd := exec.Command(filepath.Join(bin, "make-emulator"), "run", "--", "sh", "-c", `
		printf '%s\n' "$MAKETOKEN_TOKEN_EU2" | maketoken login -z eu2 --with-token; echo "login=$?"
		printf '%s\n' "$MAKETOKEN_TOKEN_EU2" | maketoken login -z eu2 --with-token --store keyring; echo "keyring=$?"
		maketoken logout -z eu1 --yes; echo "logout=$?"
		maketoken token -z eu1 | grep -qx "$MAKETOKEN_TOKEN_EU1" && echo "eu1 credential: the emulator's"`)
	cmd.Env = []string{"HOME=" + home, "TMPDIR=" + home, "PATH=/usr/bin:/bin",
		"DBUS_SESSION_BUS_ADDRESS=" + os.Getenv("DBUS_SESSION_BUS_ADDRESS")}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make-emulator run: %v\n%s", err, out)
	}
	for _, want := range []string{"login=0", "stored in the plain-text file", "keyring=8", "eu1 credential: the emulator's"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "logout=0") {
		t.Errorf("logout inside the emulator succeeded:\n%s", out)
	}
	if v, err := gokeyring.Get(credentials.Service, "eu2"); !errors.Is(err, gokeyring.ErrNotFound) {
		t.Errorf("the keyring's eu2 entry after the run: %q, %v; want none", v, err)
	}
	if v, err := gokeyring.Get(credentials.Service, "eu1"); err != nil || v != users {
		t.Errorf("the user's eu1 entry after the run: %q, %v; want it unchanged", v, err)
	}
}
