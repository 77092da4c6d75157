//go:build !windows

package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/tmuxtest"
)

// checkTmux fails the test if a line was wider than the window or a
// spinner frame is left anywhere in the window or its scrollback.
func checkTmux(t *testing.T, what string, w *tmuxtest.Window) {
	t.Helper()
	for _, l := range w.Wrapped() {
		t.Errorf("%s at %d columns: a line wider than the window wraps: %q", what, w.Cols, l)
	}
	if strings.ContainsAny(w.Text(), spinnerFrames) {
		t.Errorf("%s at %d columns: a spinner is left in the window (%d rows):\n%s", what, w.Cols, len(w.Rows), w.Text())
	}
}

// TestScreensInTmux is TestSpinnerLeavesNoTrail and TestPartlyFailedPrune
// in a real tmux window rather than internal/vtscreen's model of one: at
// 60, 79, 80 and 200 columns, status and list --all-zones with six slow
// zones leave no spinner trail and no line wider than the window (issue
// 20, item 1), and the partly failed prune shows one line per failure and
// one summary line, last (item 2). Seen failing on the maketoken these
// were reported on (ae19698): spinner lines 420-1260 columns long, 429
// notices, the table and each failure twice.
func TestScreensInTmux(t *testing.T) {
	bin := buildMaketoken(t)
	for _, cols := range screenWidths {
		t.Run(fmt.Sprint(cols), func(t *testing.T) {
			e := newScreenEnv(t, bin)
			e.slow(time.Second)
			for _, args := range [][]string{{"status"}, {"list", "--all-zones"}} {
				w := tmuxtest.Run(t, cols, time.Minute, t.TempDir(), e.env, append([]string{bin}, args...)...)
				what := strings.Join(args, " ")
				if w.Code != 0 {
					t.Errorf("%s: exit %d:\n%s", what, w.Code, w.Text())
				}
				checkTmux(t, what, w)
				if len(w.Rows) == 0 || !strings.HasPrefix(w.Rows[0], "ZONE") {
					t.Errorf("%s: the window does not start with the table's header:\n%s", what, w.Text())
				}
			}
			e = newScreenEnv(t, bin)
			p := newPruneScene(e)
			w := tmuxtest.Run(t, cols, 2*time.Minute, t.TempDir(), e.env, append([]string{bin}, p.args()...)...)
			if w.Code != 7 {
				t.Errorf("prune: exit %d, want 7:\n%s", w.Code, w.Text())
			}
			checkTmux(t, "prune", w)
			p.check(t, w.Rows)
			if t.Failed() {
				t.Logf("the window:\n%s", w.Text())
			}
		})
	}
}
