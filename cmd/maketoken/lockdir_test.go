//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// nobody is the unprivileged user the permission tests run as: root
// ignores file modes, so a test of them as root shows nothing.
const nobody = 65534

// asNobody returns the command line prefix that runs a program as the
// unprivileged user, or skips the test when that cannot be done.
func asNobody(t *testing.T) []string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to plant another user's files and to drop privileges with setpriv (CI runs as root)")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("setpriv (util-linux) is missing: cannot run maketoken as an unprivileged user")
	}
	return []string{setpriv, fmt.Sprintf("--reuid=%d", nobody), fmt.Sprintf("--regid=%d", nobody), "--clear-groups"}
}

// openToNobody makes dir and every folder above it searchable by others,
// so that the unprivileged user reaches the files in it.
func openToNobody(t *testing.T, dir string) {
	t.Helper()
	for d := dir; d != "/" && d != "."; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o011 != 0o011 {
			if err := os.Chmod(d, fi.Mode().Perm()|0o011); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// binaryForOthers is a new folder others can reach (base) holding a copy
// of the binary built that they may run (bin).
func binaryForOthers(t *testing.T, built string) (base, bin string) {
	t.Helper()
	base = t.TempDir()
	openToNobody(t, base)
	bin = filepath.Join(base, "maketoken")
	data, err := os.ReadFile(built)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return base, bin
}

// With no HOME and no XDG_CACHE_HOME (cron, systemd, env -i) the rotation
// lock goes to $TMPDIR/maketoken-UID. Another local user who made that
// folder first and planted a symbolic link in it must not get the
// rotation to overwrite the link's target: the folder is refused and the
// rotation runs without the lock, with a warning.
func TestRotateRefusesAPlantedLockFolder(t *testing.T) {
	prefix := asNobody(t)
	base, bin := binaryForOthers(t, buildMaketoken(t))

	z := emulatedEU1(t)
	old := z.AddToken("ci", []string{"scenarios:read"}, time.Time{})
	cfg := filepath.Join(base, "config.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("zones:\n  eu1:\n    url: %s\n", z.URL())), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(cfg, nobody, nobody); err != nil {
		t.Fatal(err)
	}

	// The victim's own folder and a file worth overwriting.
	home := filepath.Join(base, "victim")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(home, "credentials.yaml")
	if err := os.WriteFile(target, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{home, target} {
		if err := os.Chown(p, nobody, nobody); err != nil {
			t.Fatal(err)
		}
	}
	// A shared temporary folder, and the attacker's (here: root's) folder
	// in it, under the name the victim's rotation will use.
	tmp := filepath.Join(base, "tmp")
	if err := os.Mkdir(tmp, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tmp, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	planted := filepath.Join(tmp, fmt.Sprintf("maketoken-%d", nobody))
	if err := os.Mkdir(planted, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(planted, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(planted, "rotate-eu1.lock")); err != nil {
		t.Fatal(err)
	}

	run := func(args ...string) (string, int) {
		t.Helper()
		argv := append(append(append([]string{}, prefix...), bin), args...)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = home
		// No HOME, no XDG_CACHE_HOME: the fallback lock folder.
		cmd.Env = []string{
			"PATH=/usr/bin:/bin",
			"TMPDIR=" + tmp,
			"MAKETOKEN_CONFIG=" + cfg,
			"MAKETOKEN_TOKEN_EU1=" + z.AdminToken(),
			"TZ=UTC",
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return stderr.String(), code
	}

	stderr, code := run("rotate", "--label", "ci", "--yes", "--out-file", "new.txt")
	if code != 0 {
		t.Fatalf("exit %d, want 0 (a rotation without the lock)\n%s", code, stderr)
	}
	if b, err := os.ReadFile(target); err != nil || string(b) != "precious\n" {
		t.Errorf("the planted link's target was changed: %q, %v", b, err)
	}
	want := fmt.Sprintf("refusing the folder for the rotation lock %s: it belongs to another user (uid 0); rotating without the lock", planted)
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr does not say %q:\n%s", want, stderr)
	}
	newTok, err := os.ReadFile(filepath.Join(home, "new.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !z.HasToken(strings.TrimSpace(string(newTok))) || z.HasToken(old.Token) {
		t.Errorf("the rotation did not complete: new token held %v, old token held %v", z.HasToken(strings.TrimSpace(string(newTok))), z.HasToken(old.Token))
	}

	// Without the attacker's folder, the victim's rotation makes its own
	// (mode 0700) and takes the lock there, without a warning.
	if err := os.RemoveAll(planted); err != nil {
		t.Fatal(err)
	}
	stderr, code = run("rotate", "--label", "ci", "--yes", "--out-file", "newer.txt")
	if code != 0 || strings.Contains(stderr, "without the lock") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	fi, err := os.Lstat(filepath.Join(planted, "rotate-eu1.lock"))
	if err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("no lock file in the victim's own folder: %v", err)
	}
	if dfi, err := os.Stat(planted); err != nil || dfi.Mode().Perm() != 0o700 {
		t.Errorf("the fallback folder: %v, %v; want mode 0700", dfi, err)
	}
}
