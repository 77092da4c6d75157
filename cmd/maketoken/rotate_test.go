//go:build !windows

package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// rotate and prune on a terminal: the confirmation prompt, the note to copy
// the token, and prune's progress line (shown only on a terminal; the
// testscript scenarios check it is absent elsewhere).
func TestRotateAndPruneOnATerminal(t *testing.T) {
	bin := buildMaketoken(t)

	t.Run("rotate answered no", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		old := e.zone.AddToken("ci", []string{"scenarios:read"}, time.Time{})
		s := e.start(t, "rotate", "--label", "ci")
		s.expect(`Rotating 1 token labelled "ci" in zone eu1:`)
		s.expect(`Replace 1 token labelled "ci" in zone eu1 and revoke the old? [y/N] `)
		s.send("n\r")
		if code := s.wait(); code != 3 {
			t.Errorf("exit %d, want 3 (cancelled)\n%s", code, s.output())
		}
		if !e.zone.HasToken(old.Token) || len(e.zone.Tokens()) != 2 {
			t.Errorf("a no changed the tokens: %v", e.zone.Tokens())
		}
		for _, r := range e.zone.Requests() {
			if r.Method != http.MethodGet {
				t.Errorf("%s %s sent after a no", r.Method, r.Path)
			}
		}
	})

	t.Run("rotate answered yes", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		old := e.zone.AddToken("ci", []string{"scenarios:read"}, time.Time{})
		s := e.start(t, "rotate", "--label", "ci")
		s.expect(`[y/N] `)
		s.send("y\r")
		if code := s.wait(); code != 0 {
			t.Fatalf("exit %d, want 0\n%s", code, s.output())
		}
		out := s.output()
		if !strings.Contains(out, "Copy it now: it will not be shown again.") {
			t.Errorf("no copy-it-now note:\n%s", out)
		}
		fresh := e.zone.Labelled("ci")
		switch {
		case e.zone.HasToken(old.Token):
			t.Error("the old token survived")
		case len(fresh) == 0:
			t.Fatal("no token labelled ci")
		case !strings.Contains(out, fresh[len(fresh)-1].Token):
			t.Errorf("the new token was not shown:\n%s", out)
		}
	})

	t.Run("prune shows its progress", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		for i := range 40 {
			e.zone.AddToken("old", []string{"scenarios:read"}, time.Date(2024, 1, 1, 0, 0, i, 0, time.UTC))
		}
		e.zone.SetLatency(30 * time.Millisecond)
		s := e.start(t, "prune", "--older-than", "90d", "--yes")
		if code := s.wait(); code != 0 {
			t.Fatalf("exit %d\n%s", code, s.output())
		}
		out := s.output()
		if !regexp.MustCompile(`\r. revoked [0-9]+ of 40`).MatchString(out) {
			t.Errorf("no progress line:\n%q", out)
		}
		// The counter is cleared; one summary line says how it ended.
		if !strings.Contains(out, "\r\x1b[KPruned 40 of 40 tokens.") {
			t.Errorf("no summary line in place of the progress:\n%q", out)
		}
		if n := len(e.zone.Tokens()); n != 1 {
			t.Errorf("%d tokens left, want the credential alone", n)
		}
	})
}
