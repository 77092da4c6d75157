//go:build !windows

package main

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// withEnv returns env with the given NAME=value entries set (replacing
// any earlier value).
func withEnv(env []string, set ...string) []string {
	out := []string{}
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, s := range set {
			if strings.HasPrefix(s, name+"=") {
				keep = false
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	return append(out, set...)
}

// TestColor: on a terminal, bold headers, dim secondary text and marked,
// coloured results; none of it with NO_COLOR, CLICOLOR=0, TERM=dumb or
// through a pipe; colour through a pipe with CLICOLOR_FORCE.
func TestColor(t *testing.T) {
	bin := buildMaketoken(t)
	const (
		boldZone = "\x1b[1mZONE\x1b[0m"
		greenOK  = "\x1b[32m✓ ok\x1b[0m"
	)

	t.Run("terminal", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		e.env = withEnv(e.env, "TERM=xterm-256color")
		s := e.start(t, "status")
		if code := s.wait(); code != 0 {
			t.Fatalf("exit %d\n%q", code, s.output())
		}
		out := s.output()
		for _, want := range []string{boldZone, greenOK, "\x1b[2m"} {
			if !strings.Contains(out, want) {
				t.Errorf("no %q on a terminal:\n%q", want, out)
			}
		}
	})

	t.Run("warning and result marks", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		e.env = withEnv(e.env, "TERM=xterm-256color")
		e.zone.AddToken("ci", []string{"scenarios:read"}, time.Date(2024, 3, 27, 5, 53, 27, 0, time.UTC))
		s := e.start(t, "revoke", "--label", "ci", "--yes")
		if code := s.wait(); code != 0 {
			t.Fatalf("exit %d\n%q", code, s.output())
		}
		if !strings.Contains(s.output(), "\x1b[32m✓\x1b[0m Revoked 1 of 1 token in zone eu1.") {
			t.Errorf("no green ✓ before the result:\n%q", s.output())
		}
	})

	for _, off := range []string{"NO_COLOR=1", "CLICOLOR=0", "TERM=dumb"} {
		t.Run("terminal with "+off, func(t *testing.T) {
			e := newPtyEnv(t, bin)
			e.env = withEnv(e.env, "TERM=xterm-256color", off)
			s := e.start(t, "status")
			if code := s.wait(); code != 0 {
				t.Fatalf("exit %d\n%q", code, s.output())
			}
			out := s.output()
			if strings.Contains(out, "\x1b[") {
				t.Errorf("colour with %s:\n%q", off, out)
			}
			if !strings.Contains(out, "ZONE") || !strings.Contains(out, " ok") {
				t.Errorf("no status table:\n%q", out)
			}
		})
	}

	pipe := func(t *testing.T, env []string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return string(out)
	}

	t.Run("pipe", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		out := pipe(t, withEnv(e.env, "TERM=xterm-256color"), "status", "-o", "table")
		if strings.Contains(out, "\x1b[") || strings.Contains(out, "✓") {
			t.Errorf("colour or marks through a pipe:\n%q", out)
		}
		if !strings.Contains(out, "ZONE") {
			t.Errorf("no table:\n%q", out)
		}
	})

	t.Run("pipe with CLICOLOR_FORCE", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		out := pipe(t, withEnv(e.env, "TERM=xterm-256color", "CLICOLOR_FORCE=1"), "status", "-o", "table")
		if !strings.Contains(out, boldZone) {
			t.Errorf("no colour with CLICOLOR_FORCE=1:\n%q", out)
		}
	})
}
