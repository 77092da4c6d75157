//go:build !windows

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
)

// TestTerminalHardening runs maketoken on a pseudo-terminal: a retry shows
// a short note there (and only there, without --debug), and text from the
// server never reaches the terminal raw.
func TestTerminalHardening(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildMaketoken(t)

	t.Run("a retry is noted", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		e.zone.AddFault(emulator.Fault{Method: "GET", Path: "/users/me/api-tokens", Status: 503, Times: 1})
		s := e.start(t, "list")
		if code := s.wait(); code != 0 {
			t.Fatalf("exit %d:\n%s", code, s.output())
		}
		out := s.output()
		if !strings.Contains(out, "maketoken: zone eu1: GET /users/me/api-tokens: 503 Service Unavailable; retry 1 in ") {
			t.Errorf("no retry note on the terminal:\n%s", out)
		}
		if strings.Contains(out, "> GET") {
			t.Errorf("a trace without --debug:\n%s", out)
		}
		if strings.Contains(out, e.zone.AdminToken()) {
			t.Errorf("the credential is on the terminal:\n%s", out)
		}
	})

	t.Run("server text is escaped", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		e.zone.AddToken("evil\x1b[2J\x1b]0;owned\x07\nsecond", []string{"user:read"}, time.Time{})
		e.zone.AddFault(emulator.Fault{Method: "DELETE", Status: 400, Times: 1,
			Body: "{\"detail\":\"no \\u001b[31mred\\u001b[0m \\u009b2J here\"}"})
		s := e.start(t, "list")
		if code := s.wait(); code != 0 {
			t.Fatalf("exit %d:\n%s", code, s.output())
		}
		if !strings.Contains(s.output(), `evil\x1b[2J\x1b]0;owned\a\nsecond`) {
			t.Errorf("the label is not shown escaped:\n%q", s.output())
		}
		tok := e.zone.Tokens()[1]
		s = e.start(t, "revoke", tok.Created, "--yes")
		if code := s.wait(); code != 1 {
			t.Fatalf("exit %d:\n%s", code, s.output())
		}
		for _, out := range []string{s.output()} {
			if strings.ContainsAny(out, "\x1b\u009b\x07") {
				t.Errorf("a control character reached the terminal:\n%q", out)
			}
		}
		if !strings.Contains(s.output(), `400 Bad Request: no \x1b[31mred\x1b[0m \u009b2J here`) {
			t.Errorf("the server's message is not shown:\n%q", s.output())
		}
	})
}
