//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
)

// The real gnome-keyring, slowed down: once the rotation has read the
// credential and asks Make for the new token, strace makes the keyring
// daemon wait half a second before each message it reads, so that storing
// the new token takes longer than keyring_timeout. The write is abandoned
// but may still land. Whatever the keyring ends up holding must work at
// the emulator, and every other token with the label must be named on
// stderr. .ci/run runs this inside a private D-Bus session and passes the
// daemon's process id.
func TestRealKeyringSlowStore(t *testing.T) {
	pid := os.Getenv("MAKETOKEN_SLOW_KEYRING_PID")
	if os.Getenv("MAKETOKEN_REAL_KEYRING_TEST") != "1" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" || pid == "" {
		t.Skip("runs only inside dbus-run-session with gnome-keyring, MAKETOKEN_REAL_KEYRING_TEST=1 and MAKETOKEN_SLOW_KEYRING_PID (see .ci/run)")
	}
	straceBin, err := exec.LookPath("strace")
	if err != nil {
		t.Fatal("strace is missing (.ci/run installs it)")
	}
	bin := buildMaketoken(t)

	var (
		once   sync.Once
		strace *exec.Cmd
		slowed = make(chan error, 1)
	)
	slowDown := func() {
		// -f: GDBus reads its messages on a thread of its own.
		strace = exec.Command(straceBin, "-f", "-p", pid, "-o", "/dev/null", "-e", "trace=recvmsg", "-e", "inject=recvmsg:delay_enter=500000")
		stderr, err := strace.StderrPipe()
		if err == nil {
			err = strace.Start()
		}
		if err != nil {
			slowed <- err
			return
		}
		// strace says "Process N attached" once it traces the daemon.
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "attached") {
				slowed <- nil
				go func() {
					for sc.Scan() {
					}
				}()
				return
			}
		}
		slowed <- fmt.Errorf("strace did not attach to %s", pid)
	}
	srv := emulator.New(emulator.Options{Zones: []string{"eu1"}, Middleware: func(_ string, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/api-tokens") {
				once.Do(slowDown)
			}
			next.ServeHTTP(w, r)
		})
	}})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		if strace != nil && strace.Process != nil {
			_ = strace.Process.Kill()
			_ = strace.Wait()
		}
	})
	z := srv.Zone("eu1")
	laptop := z.AddToken("laptop", []string{"user:read", "user:write"}, time.Time{})

	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("zones:\n  eu1:\n    url: %s\n", z.URL())), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"XDG_DATA_HOME=" + os.Getenv("XDG_DATA_HOME"),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(dir, "cache"),
		"DBUS_SESSION_BUS_ADDRESS=" + os.Getenv("DBUS_SESSION_BUS_ADDRESS"),
		"MAKETOKEN_CONFIG=" + cfg,
		// The OS keyring (gnome-keyring here), never the kernel's.
		"MAKETOKEN_CREDENTIAL_STORE=keyring",
		"TZ=UTC",
	}
	run := func(stdin string, extraEnv []string, args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(append([]string{}, env...), extraEnv...)
		cmd.Stdin = strings.NewReader(stdin)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		code := 0
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return stdout.String(), stderr.String(), code
	}

	if _, stderr, code := run(laptop.Token+"\n", nil, "login", "-z", "eu1", "--with-token"); code != 0 {
		t.Fatalf("login: exit %d\n%s", code, stderr)
	}
	t.Cleanup(func() { run("", nil, "logout", "-z", "eu1") })

	_, stderr, code := run("", []string{"MAKETOKEN_KEYRING_TIMEOUT=300ms"}, "rotate", "--self", "--yes")
	if err := <-slowed; err != nil {
		t.Fatal(err)
	}
	t.Logf("rotate --self with the keyring slowed: exit %d\n%s", code, stderr)
	// Let the keyring answer at its normal pace again, and give an
	// abandoned write time to land (the daemon finishes what it took).
	_ = strace.Process.Kill()
	_ = strace.Wait()
	strace = nil

	// The daemon answers messages in order: this read comes after
	// whatever the rotation had handed it, so it shows where it ends.
	out, serr, code2 := run("", nil, "token", "-z", "eu1")
	if code2 != 0 {
		t.Fatalf("token: exit %d\n%s", code2, serr)
	}
	stored := strings.TrimSpace(out)
	if !z.HasToken(stored) {
		t.Fatalf("the stored credential no longer works at the emulator (exit %d):\n%s", code, stderr)
	}
	if _, serr, code := run("", nil, "status", "-z", "eu1"); code != 0 {
		t.Fatalf("status with the stored credential: exit %d\n%s", code, serr)
	}
	// Every other token with the label is revoked or named on stderr.
	for _, tok := range z.Tokens() {
		if tok.Label == "laptop" && tok.Token != stored && !strings.Contains(stderr, tok.Created) {
			t.Errorf("the token created %s is neither the stored one nor named on stderr", tok.Created)
		}
	}
}
