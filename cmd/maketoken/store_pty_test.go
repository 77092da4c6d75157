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
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildMaketoken(t)
	e := newPtyEnv(t, bin)
	e.zone.AddToken("deploy", []string{"scenarios:read"}, time.Now().Add(-time.Hour))
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "store.pid")
	// The store writes its pid, then waits without reading stdin.
	store := `echo $$ > "$0.tmp" && mv "$0.tmp" "$0" && exec sleep 600`
	s := e.startKeepingTTY(t, "rotate", "--label", "deploy", "--yes", "--", "sh", "-c", store, pidFile)
	deadline := time.Now().Add(30 * time.Second)
	var pid int
	for {
		if b, err := os.ReadFile(pidFile); err == nil {
			if pid, err = strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the store command never started:\n%q", s.output())
		}
		time.Sleep(10 * time.Millisecond)
	}
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
	n := 0
	for _, tok := range e.zone.Tokens() {
		if tok.Label == "deploy" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d tokens labelled deploy, want the old one alone", n)
	}
}
