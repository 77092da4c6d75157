//go:build !windows

package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStoreCommandCtrlC presses Ctrl-C on a real terminal while rotate's
// store command runs. The command is in a process group of its own, so the
// terminal's SIGINT reaches maketoken alone, which stops the command (and
// what it started), revokes the new token it never read, keeps the old
// one, and exits 130 with one line saying so.
func TestStoreCommandCtrlC(t *testing.T) {
	bin := buildMaketoken(t)
	e := newPtyEnv(t, bin)
	e.zone.AddToken("deploy", []string{"scenarios:read"}, time.Now().Add(-time.Hour))
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "store.pid")
	// The store writes its pid, then waits without reading stdin.
	store := `echo $$ > "$0.tmp" && mv "$0.tmp" "$0" && exec sleep 600`
	s := e.startKeepingTTY(t, "rotate", "--label", "deploy", "--yes", "--", "sh", "-c", store, pidFile)
	var pid int
	s.waitUntil(30*time.Second, "the store command never started", func() bool {
		b, err := os.ReadFile(pidFile)
		if err == nil {
			pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		return err == nil
	})
	s.send("\x03")
	if code := s.waitWithin(20 * time.Second); code != 130 {
		t.Fatalf("exit %d, want 130:\n%q", code, s.output())
	}
	s.expect("nothing was changed")
	out := s.output()
	if !strings.Contains(out, "the store command sh was stopped by an interrupt before it read the token; the new token was revoked again and the old one kept") {
		t.Errorf("no line saying what became of the tokens:\n%q", out)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("the store command (pid %d) still runs", pid)
	}
	if n := len(e.zone.Labelled("deploy")); n != 1 {
		t.Errorf("%d tokens labelled deploy, want the old one alone", n)
	}
}

// TestStoreCommandOnTerminal: a store command may use the terminal
// (issue 19, finding 8). It gets the terminal's foreground while it runs,
// so a password prompt on /dev/tty (sudo, vault login, op, a gpg pinentry)
// works instead of stopping the command with SIGTTIN; maketoken takes the
// terminal back afterwards. A command stopped on the terminal (Ctrl-Z) is
// noticed, named and ended at once, and the token goes by the read-bytes
// rule; a command killed while it had echo off leaves the terminal as it
// was.
func TestStoreCommandOnTerminal(t *testing.T) {
	bin := buildMaketoken(t)
	labelled := func(e *ptyEnv, label string) int { return len(e.zone.Labelled(label)) }

	t.Run("password prompt", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		old := e.zone.AddToken("deploy", []string{"scenarios:read"}, time.Now().Add(-time.Hour))
		stored := filepath.Join(t.TempDir(), "stored")
		store := `printf "Password: " > /dev/tty; read pw < /dev/tty; [ "$pw" = hunter2 ] || exit 9; cat > "$0"`
		s := e.startKeepingTTY(t, "--timeout", "10s", "rotate", "--label", "deploy", "--yes", "--", "sh", "-c", store, stored)
		s.expect("Password: ")
		s.send("hunter2\r")
		if code := s.waitWithin(20 * time.Second); code != 0 {
			t.Fatalf("exit %d, want 0:\n%q", code, s.output())
		}
		b, err := os.ReadFile(stored)
		if err != nil || !e.zone.HasToken(string(b)) {
			t.Fatalf("the store holds %q (%v), not a working token:\n%q", b, err, s.output())
		}
		if e.zone.HasToken(old.Token) {
			t.Error("the old token was not revoked")
		}
		s.expect("Revoked 1 of 1 token")
	})

	t.Run("Ctrl-Z", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		old := e.zone.AddToken("deploy", []string{"scenarios:read"}, time.Now().Add(-time.Hour))
		s := e.startKeepingTTY(t, "--timeout", "60s", "rotate", "--label", "deploy", "--yes", "--", "sh", "-c", `echo waiting > /dev/tty; exec sleep 600`)
		s.expect("waiting")
		s.send("\x1a")
		if code := s.waitWithin(20 * time.Second); code != 1 {
			t.Fatalf("exit %d, want 1:\n%q", code, s.output())
		}
		s.expect("the store command sh was stopped by SIGTSTP and was ended before it read the token; the new token was revoked again and the old one kept")
		if !e.zone.HasToken(old.Token) || labelled(e, "deploy") != 1 {
			t.Errorf("want the old token alone:\n%q", s.output())
		}
	})

	t.Run("echo put back", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		e.zone.AddToken("deploy", []string{"scenarios:read"}, time.Now().Add(-time.Hour))
		s := e.startKeepingTTY(t, "--timeout", "60s", "rotate", "--label", "deploy", "--yes", "--", "sh", "-c", `stty -echo < /dev/tty; printf "Secret: " > /dev/tty; exec sleep 600`)
		s.expect("Secret: ")
		s.send("\x03")
		if code := s.waitWithin(20 * time.Second); code != 130 {
			t.Fatalf("exit %d, want 130:\n%q", code, s.output())
		}
		s.send("echoed-again\r")
		s.expect("echoed-again")
	})
}
