//go:build !windows

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/maketoken/maketoken/internal/vtscreen"
)

// TestTerminalHardening runs maketoken on a pseudo-terminal: a retry shows
// a short note there (and only there, without --debug), and text from the
// server never reaches the terminal raw.
func TestTerminalHardening(t *testing.T) {
	bin := buildMaketoken(t)

	// At a terminal a retry is told on the spinner, which counts the
	// pause down, and leaves no line behind (issue 20: retry notices
	// update the spinner instead of adding lines).
	t.Run("a retry shows on the spinner", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		e.zone.AddFault(emulator.Fault{Method: "GET", Path: "/users/me/api-tokens", Status: 503, Times: 1})
		s := e.start(t, "list")
		if code := s.wait(); code != 0 {
			t.Fatalf("exit %d:\n%s", code, s.output())
		}
		out := s.output()
		if !strings.Contains(out, "listing the tokens of zone eu1 (Make answered 503: going on in ") {
			t.Errorf("the spinner does not say why it waits:\n%q", out)
		}
		if screen := vtscreen.Render([]byte(out), 200).Text(); strings.Contains(screen, "503") || strings.Contains(screen, "retry") {
			t.Errorf("the retry left a line on the screen:\n%s", screen)
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
		// A message wider than the terminal is wrapped, its rows after
		// the first indented.
		if !strings.Contains(strings.ReplaceAll(s.output(), "\r\n  ", " "), `400 Bad Request: no \x1b[31mred\x1b[0m \u009b2J here`) {
			t.Errorf("the server's message is not shown:\n%q", s.output())
		}
	})
}
