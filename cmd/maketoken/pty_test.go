//go:build !windows

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/maketoken/maketoken/internal/emulator"
)

// These tests run the real maketoken binary on a pseudo-terminal, as a
// person at a terminal would: confirmation prompts and terminal-only notes.
// The binary has no stand-in keyring, so the credential comes from
// MAKETOKEN_TOKEN_EU1 and no test makes it touch storage.

// buildMaketoken builds ./cmd/maketoken into a temporary folder; with
// -short, the test that needs it is skipped instead.
func buildMaketoken(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build maketoken with")
	}
	bin := filepath.Join(t.TempDir(), "maketoken")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// homeIn is the environment of a home of the test's own in dir: HOME and
// the XDG folders maketoken reads.
func homeIn(dir string) []string {
	return []string{
		"HOME=" + dir,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(dir, ".cache"),
	}
}

// ptyEnv is an emulator with one zone, eu1, and the environment that
// points the binary at it.
type ptyEnv struct {
	bin  string
	zone *emulator.Zone
	env  []string
}

// emulatedEU1 is zone eu1 of an emulator serving it alone until the test
// ends.
func emulatedEU1(t *testing.T) *emulator.Zone {
	t.Helper()
	srv := emulator.New(emulator.Options{Zones: []string{"eu1"}})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv.Zone("eu1")
}

func newPtyEnv(t *testing.T, bin string) *ptyEnv {
	t.Helper()
	z := emulatedEU1(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("zones:\n  eu1:\n    url: %s\n", z.URL())), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(homeIn(dir),
		"PATH="+os.Getenv("PATH"),
		"MAKETOKEN_CONFIG="+cfg,
		"MAKETOKEN_TOKEN_EU1="+z.AdminToken(),
		"MAKETOKEN_TEST_KEYRING=unused-by-the-real-binary",
		// The real binary, without a D-Bus session, would store a login
		// with no --store in the user's kernel keyring: the OS keyring
		// instead (which fails here), so that no test reaches it.
		"MAKETOKEN_CREDENTIAL_STORE=keyring",
		"TERM=dumb",
		"TZ=UTC",
	)
	return &ptyEnv{bin: bin, zone: z, env: env}
}

// session is maketoken running on a pseudo-terminal.
type session struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{} // closed when the output ends
}

func (e *ptyEnv) start(t *testing.T, args ...string) *session {
	t.Helper()
	cmd := exec.Command(e.bin, args...)
	cmd.Env = e.env
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	s := newSession(t, cmd, tty)
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		tty.Close()
	})
	return s
}

// newSession is the session of cmd, started on a terminal whose own end
// is tty: what the terminal shows is kept until it reads an error (EIO on
// Linux once the process has gone).
func newSession(t *testing.T, cmd *exec.Cmd, tty *os.File) *session {
	s := &session{t: t, cmd: cmd, tty: tty, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			s.mu.Lock()
			s.out.Write(buf[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return s
}

func (s *session) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// expect waits until the output contains want.
func (s *session) expect(want string) {
	s.t.Helper()
	s.waitUntil(20*time.Second, fmt.Sprintf("no %q in the output after 20s", want), func() bool {
		return strings.Contains(s.output(), want)
	})
}

// waitUntil polls ok until it holds; if it does not within d, the test
// fails saying what, with the terminal's output.
func (s *session) waitUntil(d time.Duration, what string, ok func() bool) {
	s.t.Helper()
	for deadline := time.Now().Add(d); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			s.t.Fatalf("%s:\n%q", what, s.output())
		}
	}
}

func (s *session) send(text string) {
	s.t.Helper()
	if _, err := io.WriteString(s.tty, text); err != nil {
		s.t.Fatal(err)
	}
}

// wait returns the exit code once the process has ended and its output
// has been read.
func (s *session) wait() int {
	s.t.Helper()
	err := s.cmd.Wait()
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	s.t.Fatalf("wait: %v", err)
	return -1
}

func TestTerminal(t *testing.T) {
	bin := buildMaketoken(t)

	t.Run("revoke answered no", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		tok := e.zone.AddToken("ci", []string{"scenarios:read"}, time.Date(2024, 3, 27, 5, 53, 27, 360e6, time.UTC))
		s := e.start(t, "revoke", tok.Created)
		s.expect(`Revoking 1 token in zone eu1:`)
		s.expect(`Revoke 1 token in zone eu1? [y/N] `)
		s.send("n\r")
		if code := s.wait(); code != 3 {
			t.Errorf("exit %d, want 3 (cancelled)\n%s", code, s.output())
		}
		if !strings.Contains(s.output(), "cancelled; nothing was changed") {
			t.Errorf("no cancellation message:\n%s", s.output())
		}
		if !e.zone.HasToken(tok.Token) {
			t.Error("the token was revoked after a no")
		}
		for _, r := range e.zone.Requests() {
			if r.Method == http.MethodDelete {
				t.Errorf("a DELETE was sent after a no: %s", r.Path)
			}
		}
	})

	t.Run("revoke answered yes", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		tok := e.zone.AddToken("ci", []string{"scenarios:read"}, time.Date(2024, 3, 27, 5, 53, 27, 360e6, time.UTC))
		other := e.zone.AddToken("ci", []string{"scenarios:read"}, time.Date(2024, 3, 28, 0, 0, 0, 0, time.UTC))
		s := e.start(t, "revoke", "--label", "ci", "--all")
		s.expect(`Revoke 2 tokens in zone eu1? [y/N] `)
		s.send("y\r")
		if code := s.wait(); code != 0 {
			t.Fatalf("exit %d, want 0\n%s", code, s.output())
		}
		if e.zone.HasToken(tok.Token) || e.zone.HasToken(other.Token) {
			t.Errorf("the tokens were not revoked:\n%s", s.output())
		}
		// On a terminal the plan named the tokens: one summary line says
		// how it went, without a table (as prune's, issue 20).
		if !strings.Contains(s.output(), "Revoked 2 of 2 tokens in zone eu1.") || strings.Contains(s.output(), "REVOKED") {
			t.Errorf("want the summary line and no table:\n%s", s.output())
		}
	})

	t.Run("revoking the current credential is called out", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		s := e.start(t, "revoke", "--label", "emulator admin")
		s.expect("warning: this includes the credential maketoken uses for zone eu1; it comes from MAKETOKEN_TOKEN_EU1")
		s.expect(`Revoke 1 token in zone eu1, including the credential maketoken uses? [y/N] `)
		s.send("\r") // the default is no
		if code := s.wait(); code != 3 {
			t.Errorf("exit %d, want 3\n%s", code, s.output())
		}
		if !e.zone.HasToken(e.zone.AdminToken()) {
			t.Error("the credential was revoked without a yes")
		}
	})

	t.Run("create shows the token once with a note", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		s := e.start(t, "create", "-l", "on-a-terminal", "-s", "scenarios:*")
		if code := s.wait(); code != 0 {
			t.Fatalf("exit %d\n%s", code, s.output())
		}
		out := s.output()
		if !strings.Contains(out, "Copy it now: it will not be shown again.") {
			t.Errorf("no copy-it-now note:\n%s", out)
		}
		labelled := e.zone.Labelled("on-a-terminal")
		if len(labelled) == 0 {
			t.Fatalf("no token was created:\n%s", out)
		}
		created := labelled[len(labelled)-1]
		if strings.Count(out, created.Token) != 1 {
			t.Errorf("the token is shown %d times, want once:\n%s", strings.Count(out, created.Token), out)
		}
	})
}
