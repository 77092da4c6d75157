//go:build linux

package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/tmuxtest"
	"github.com/maketoken/maketoken/internal/vtscreen"
)

var update = flag.Bool("update", false, "rewrite the outputs shown in docs/tour.md from a fresh run")

// tourStep is one `$ command` of docs/tour.md and the output shown after it.
type tourStep struct {
	command string
	shown   []string
	// start and end are the line numbers (0-based) of the shown output in
	// the file: the lines [start, end) are replaced by -update.
	start, end int
}

// parseTour reads the ```console blocks of the tour: a line starting with
// "$ " is a command, the lines up to the next command or the end of the
// block are its output.
func parseTour(text string) []tourStep {
	var steps []tourStep
	inBlock := false
	for i, line := range strings.Split(text, "\n") {
		switch {
		case line == "```console":
			inBlock = true
		case inBlock && line == "```":
			inBlock = false
			if len(steps) > 0 && steps[len(steps)-1].end == -1 {
				steps[len(steps)-1].end = i
			}
		case inBlock && strings.HasPrefix(line, "$ "):
			if len(steps) > 0 && steps[len(steps)-1].end == -1 {
				steps[len(steps)-1].end = i
			}
			steps = append(steps, tourStep{command: strings.TrimPrefix(line, "$ "), start: i + 1, end: -1})
		case inBlock && len(steps) > 0:
			steps[len(steps)-1].shown = append(steps[len(steps)-1].shown, line)
		}
	}
	return steps
}

// The parts of the output that change from run to run, each replaced by a
// placeholder.
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"},
	{regexp.MustCompile(`[0-9a-f]{8}(-\*{4}-|…)`), "xxxxxxxx$1"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`), "YYYY-MM-DDThh:mm:ss.sssZ"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d`), "YYYY-MM-DD hh:mm"},
	{regexp.MustCompile(`http://127\.0\.0\.1:\d+`), "http://127.0.0.1:PORT"},
	// Tokens made during the tour are "just now", or minutes old on a
	// slow machine; the width then changes, so alignment is not compared.
	{regexp.MustCompile(`just now|\b\d+ minutes? ago`), "recently"},
	{regexp.MustCompile(`  +`), "  "},
}

func normalise(lines []string) string {
	var out []string
	for _, l := range lines {
		for _, v := range volatile {
			l = v.re.ReplaceAllString(l, v.with)
		}
		out = append(out, strings.TrimRight(l, " "))
	}
	return strings.Trim(strings.Join(out, "\n"), "\n")
}

// buildBinaries builds maketoken and make-emulator into one folder, as
// `go install` puts them side by side.
func buildBinaries(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the binaries with")
	}
	dir := t.TempDir()
	cmd := exec.Command(goTool, "build", "-o", dir+string(filepath.Separator), "../maketoken", ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// TestTour runs the commands of docs/tour.md on a fresh emulator, on an
// 80-column terminal, and checks that each exits 0 and shows what the tour
// says it shows (ids, times and ports aside). With -update it rewrites the
// shown outputs instead.
func TestTour(t *testing.T) {
	tourFile := filepath.Join(repoRoot(t), "docs", "tour.md")
	data, err := os.ReadFile(tourFile)
	if err != nil {
		t.Fatal(err)
	}
	steps := parseTour(string(data))
	if len(steps) < 6 {
		t.Fatalf("docs/tour.md has %d commands; the tour shows at least status, list, create, rotate, revoke and prune", len(steps))
	}
	for _, want := range []string{"status", "list", "create", "rotate", "revoke", "prune"} {
		found := false
		for _, s := range steps {
			found = found || strings.HasPrefix(s.command, "maketoken "+want)
		}
		if !found {
			t.Errorf("the tour has no `maketoken %s` step", want)
		}
	}
	bin := buildBinaries(t)
	home := t.TempDir()

	var script strings.Builder
	for i, s := range steps {
		fmt.Fprintf(&script, "echo '@@step %d@@'\n%s\necho \"@@exit $?@@\"\n", i, s.command)
	}
	cmd := exec.Command(filepath.Join(bin, "make-emulator"), "run", "--", "sh", "-c", script.String())
	cmd.Dir = home
	cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "TERM=xterm-256color", "LANG=C.UTF-8", "TZ=UTC", "TMPDIR=" + home}
	shown, code := runOnTerminal(t, cmd, 80, 3*time.Minute, nil)
	if code != 0 {
		t.Fatalf("make-emulator run: exit %d; the terminal showed:\n%s", code, shown)
	}
	marker := regexp.MustCompile(`(?m)^@@step (\d+)@@\n((?s:.*?))^@@exit (\d+)@@$`)
	got := make([][]string, len(steps))
	matches := marker.FindAllStringSubmatch(shown, -1)
	if len(matches) != len(steps) {
		t.Fatalf("ran %d of %d steps; the terminal showed:\n%s", len(matches), len(steps), shown)
	}
	for i, m := range matches {
		if m[3] != "0" {
			t.Errorf("step %d, `%s`, exited %s:\n%s", i+1, steps[i].command, m[3], m[2])
		}
		got[i] = strings.Split(strings.TrimRight(m[2], "\n"), "\n")
	}
	if t.Failed() {
		return
	}

	if *update {
		lines := strings.Split(string(data), "\n")
		for i := len(steps) - 1; i >= 0; i-- {
			s := steps[i]
			lines = append(lines[:s.start], append(append([]string(nil), got[i]...), lines[s.end:]...)...)
		}
		if err := os.WriteFile(tourFile, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for i, s := range steps {
		if want, have := normalise(s.shown), normalise(got[i]); want != have {
			t.Errorf("docs/tour.md is stale at `%s`:\n--- the tour shows:\n%s\n--- a run shows:\n%s\n"+
				"(if the change is intended: go test ./cmd/make-emulator -run TestTour -args -update)", s.command, want, have)
		}
	}
}

// TestTourFitsTheTerminal runs the commands of docs/tour.md at 60, 79,
// 80 and 200 columns and looks at the screen as a person sees it (issue
// 20): no line wider than the terminal (it would wrap), whatever the
// command prints, and no spinner left behind; on internal/vtscreen, then
// in a real tmux window (skipped without tmux).
func TestTourFitsTheTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binaries")
	}
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "tour.md"))
	if err != nil {
		t.Fatal(err)
	}
	steps := parseTour(string(data))
	bin := buildBinaries(t)
	var script strings.Builder
	for _, s := range steps {
		fmt.Fprintf(&script, "%s\n", s.command)
	}
	for _, cols := range []int{60, 79, 80, 200} {
		t.Run(fmt.Sprint(cols), func(t *testing.T) {
			home := t.TempDir()
			cmd := exec.Command(filepath.Join(bin, "make-emulator"), "run", "--", "sh", "-c", script.String())
			cmd.Dir = home
			cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "TERM=xterm-256color", "LANG=C.UTF-8", "TZ=UTC", "TMPDIR=" + home}
			term, code := runOnTerminalBytes(t, cmd, cols, 3*time.Minute, nil)
			if code != 0 {
				t.Fatalf("make-emulator run: exit %d; the terminal showed:\n%s", code, term.text())
			}
			screen := vtscreen.Render(term.raw(), cols)
			for _, row := range screen.WrappedRows {
				t.Errorf("at %d columns a line is wider than the terminal; it wraps after %q", cols, row)
			}
			if strings.ContainsAny(screen.Text(), "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏") {
				t.Errorf("a spinner is left on the screen")
			}
			if t.Failed() {
				t.Logf("the screen:\n%s", screen.Text())
			}
		})
		// The same in a real tmux window, scrollback and all.
		t.Run(fmt.Sprintf("tmux/%d", cols), func(t *testing.T) {
			home := t.TempDir()
			env := []string{"HOME=" + home, "PATH=/usr/bin:/bin", "TERM=xterm-256color", "LANG=C.UTF-8", "TZ=UTC", "TMPDIR=" + home}
			w := tmuxtest.Run(t, cols, 3*time.Minute, home, env, filepath.Join(bin, "make-emulator"), "run", "--", "sh", "-c", script.String())
			if w.Code != 0 {
				t.Fatalf("make-emulator run: exit %d; the window showed:\n%s", w.Code, w.Text())
			}
			for _, l := range w.Wrapped() {
				t.Errorf("at %d columns a line is wider than the window: %q", cols, l)
			}
			if strings.ContainsAny(w.Text(), "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏") {
				t.Errorf("a spinner is left in the window")
			}
			if t.Failed() {
				t.Logf("the window:\n%s", w.Text())
			}
		})
	}
}
