//go:build !windows

package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestSwitchChoice: with more than two accounts, switch on a terminal
// asks which, as a numbered list with the active one marked; an answer
// that is no number of the list is asked again, and nothing cancels.
func TestSwitchChoice(t *testing.T) {
	bin := buildMaketoken(t)
	e := newPtyEnv(t, bin)
	e.env = withoutCredentialEnv(e.env)
	_, bob := e.zone.AddUser("Bob", "bob@example.com")
	_, carol := e.zone.AddUser("Carol", "carol@example.com")
	for _, tok := range []string{e.zone.AdminToken(), bob.Token, carol.Token} {
		cmd := exec.Command(bin, "login", "-z", "eu1", "--with-token", "--store", "file")
		cmd.Env = e.env
		cmd.Stdin = strings.NewReader(tok + "\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("login: %v\n%s", err, out)
		}
	}

	s := e.start(t, "switch", "-z", "eu1")
	s.expect("Zone eu1 has 3 accounts:\r\n  1. user@eu1.emulator.example\r\n  2. bob@example.com\r\n  3. carol@example.com  (active)\r\n")
	s.expect("Switch to [1-3]: ")
	s.send("9\r")
	s.expect("Type a number from 1 to 3 (or nothing to cancel).")
	s.send("2\r")
	if code := s.wait(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, s.output())
	}
	s.expect("Switched zone eu1 to bob@example.com (was carol@example.com).")

	s = e.start(t, "switch", "-z", "eu1")
	s.expect("  2. bob@example.com  (active)")
	s.expect("Switch to [1-3]: ")
	s.send("\r")
	if code := s.wait(); code != 3 {
		t.Fatalf("exit %d, want 3 (cancelled):\n%s", code, s.output())
	}
	cmd := exec.Command(bin, "token", "-z", "eu1")
	cmd.Env = e.env
	if out, err := cmd.Output(); err != nil || strings.TrimSpace(string(out)) != bob.Token {
		t.Errorf("after a cancelled switch the active account is not bob's: %v", err)
	}
}
