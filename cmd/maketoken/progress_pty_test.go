//go:build !windows

package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/maketoken/maketoken/internal/emulator"
)

// TestPruneProgress runs prune on a pseudo-terminal against a slow zone:
// a counter of the tokens revoked (failures counted apart) redrawn on one
// line, a line per failure and one summary line at the end, no table; a
// dry run shows its plan once.
func TestPruneProgress(t *testing.T) {
	bin := buildMaketoken(t)
	seedLabelled := func(e *ptyEnv, label string, n int) []emulator.Token {
		var toks []emulator.Token
		for i := range n {
			toks = append(toks, e.zone.AddToken(label, []string{"scenarios:read"}, time.Date(2020, 1, 1, 0, i, 0, 0, time.UTC)))
		}
		return toks
	}
	seed := func(e *ptyEnv, n int) []emulator.Token { return seedLabelled(e, "old-ci", n) }

	t.Run("dry run shows the plan once", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		// A long label: with the whole masked token a plan line would
		// be 89 columns.
		toks := seedLabelled(e, "nightly-backup-export", 3)
		s := e.start(t, "prune", "--older-than", "30d", "--label", "nightly-backup-export", "--dry-run")
		if code := s.wait(); code != 0 {
			t.Fatalf("exit %d\n%s", code, s.output())
		}
		if n := strings.Count(s.output(), toks[0].Created); n != 1 {
			t.Errorf("the plan is shown %d times, want once:\n%s", n, s.output())
		}
		for _, line := range strings.Split(s.output(), "\r\n") {
			if n := utf8.RuneCountInString(line); n > 80 {
				t.Errorf("a line of %d columns:\n%s", n, line)
			}
		}
	})

	t.Run("all revoked: a counter and one summary line, no table", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		seed(e, 12)
		e.zone.SetLatency(300 * time.Millisecond)
		s := e.start(t, "prune", "--older-than", "30d", "--label", "old-ci", "--yes")
		if code := s.wait(); code != 0 {
			t.Fatalf("exit %d\n%s", code, s.output())
		}
		out := s.output()
		if !regexp.MustCompile(`\r. revoked \d+ of 12`).MatchString(out) {
			t.Errorf("no progress counter:\n%q", out)
		}
		if !strings.Contains(out, "\r\x1b[KPruned 12 of 12 tokens.") {
			t.Errorf("no summary line on a cleared line:\n%q", out)
		}
		if strings.Contains(out, "REVOKED") {
			t.Errorf("a table of successes:\n%s", out)
		}
	})

	t.Run("failures: counted apart, then a line each", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		toks := seed(e, 16)
		e.zone.SetLatency(300 * time.Millisecond)
		// A 403 is not retried. The oldest and the newest token fail, so
		// that whichever end the deletes start from, one failure comes
		// in the first round, long before the last is drawn over.
		for _, tok := range []emulator.Token{toks[0], toks[15]} {
			e.zone.AddFault(emulator.Fault{Method: http.MethodDelete, Path: "/users/me/api-tokens/" + tok.Created, Status: 403})
		}
		s := e.start(t, "prune", "--older-than", "30d", "--label", "old-ci", "--yes")
		if code := s.wait(); code != 7 {
			t.Fatalf("exit %d, want 7\n%s", code, s.output())
		}
		out := s.output()
		for _, m := range regexp.MustCompile(`revoked (\d+) of 16`).FindAllStringSubmatch(out, -1) {
			if m[1] == "15" || m[1] == "16" {
				t.Errorf("the counter counted the failure as revoked:\n%q", out)
			}
		}
		if !regexp.MustCompile(`revoked \d+ of 16, [12] failed`).MatchString(out) {
			t.Errorf("the failure is not counted:\n%q", out)
		}
		// A line per failure and the summary; the plan named the tokens,
		// so no table repeats them (issue 20).
		if !strings.Contains(out, "Pruned 14 of 16 tokens.") || strings.Count(out, "was not revoked: ") != 2 {
			t.Errorf("no summary, or not one line per failure:\n%s", out)
		}
		if strings.Contains(out, "REVOKED") {
			t.Errorf("a table after a failure:\n%s", out)
		}
	})
}
