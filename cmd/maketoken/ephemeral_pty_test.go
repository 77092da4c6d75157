//go:build !windows

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTerminalEphemeral presses Ctrl-C at a terminal while `exec
// --ephemeral` runs its command: the terminal sends SIGINT to maketoken and
// the command alike (one foreground process group). The command ends, its
// token is revoked, and maketoken exits with the command's code.
func TestTerminalEphemeral(t *testing.T) {
	bin := buildMaketoken(t)
	e := newPtyEnv(t, bin)
	tokFile := filepath.Join(t.TempDir(), "token")
	s := e.start(t, "exec", "--ephemeral", "-s", "scenarios:read", "--",
		"sh", "-c", `printf '%s\n' "$MAKE_API_KEY" > "$0"; echo ready; while :; do sleep 0.05; done`, tokFile)
	s.expect("ready")
	data, err := os.ReadFile(tokFile)
	if err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimSpace(string(data))
	if !e.zone.HasToken(tok) {
		t.Fatalf("the command's token %s is not a token of the zone", tok[:8])
	}
	s.send("\x03")
	if code := s.wait(); code != 130 {
		t.Errorf("exit %d, want 130 (the command's: SIGINT)\n%s", code, s.output())
	}
	if e.zone.HasToken(tok) {
		t.Error("the ephemeral token was not revoked after Ctrl-C")
	}
	if strings.Contains(s.output(), tok) || strings.Contains(s.output(), tok[:8]) {
		t.Errorf("the token (or its prefix) reached the terminal:\n%s", s.output())
	}
	if n := len(e.zone.Tokens()); n != 1 {
		t.Errorf("the zone holds %d tokens afterwards, want 1 (the admin token)", n)
	}
}
