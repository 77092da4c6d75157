// Package tmuxtest runs a command in a real tmux window of a given width
// and reads back what the window holds once it has ended, scrollback and
// all: the check, in a real terminal, of what internal/vtscreen models.
// Only tests import it; a test using it is skipped where tmux is not
// installed.
package tmuxtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// Window is what a tmux window showed a command.
type Window struct {
	Cols int
	// Code is the command's exit code.
	Code int
	// Rows are the window's rows, scrollback first, as tmux shows them.
	Rows []string
	// Lines are the lines written: rows tmux wrapped are joined.
	Lines []string
}

// Text is the window's rows.
func (w *Window) Text() string { return strings.Join(w.Rows, "\n") }

// Wrapped are the lines wider than the window (tmux wrapped them).
func (w *Window) Wrapped() []string {
	var out []string
	for _, l := range w.Lines {
		if twwidth.Width(l) > w.Cols {
			out = append(out, l)
		}
	}
	return out
}

var exited = regexp.MustCompile(`@@exit (\d+)@@`)

// Run runs argv in dir with exactly env (nothing of the test's own
// environment) in a detached tmux window cols wide and 40 rows high, and
// waits up to timeout for it to end.
func Run(t testing.TB, cols int, timeout time.Duration, dir string, env []string, argv ...string) *Window {
	t.Helper()
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("MAKETOKEN_REQUIRE_TMUX") != "" {
			t.Fatal("tmux is not installed, and MAKETOKEN_REQUIRE_TMUX is set (.ci/run installs it: the screens must be seen there)")
		}
		t.Skip("no tmux")
	}
	tmp, err := os.MkdirTemp("", "mt-tmux") // short: a socket's path has a limit
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	var script strings.Builder
	script.WriteString("cd " + quote(dir) + " || exit 1\nenv -i")
	for _, s := range append(env, argv...) {
		script.WriteString(" " + quote(s))
	}
	script.WriteString("\necho \"@@exit $?@@\"\nexec sleep 600\n")
	file := filepath.Join(tmp, "run.sh")
	if err := os.WriteFile(file, []byte(script.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(tmp, "s")
	// Each call of tmux gets 10s: its server answers at once, or is stuck.
	command := func(args ...string) (*exec.Cmd, context.CancelFunc) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		return exec.CommandContext(ctx, tmux, append([]string{"-S", sock, "-f", "/dev/null"}, args...)...), cancel
	}
	tm := func(args ...string) string {
		t.Helper()
		cmd, cancel := command(args...)
		defer cancel()
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "TERM=xterm-256color", "HOME=" + tmp}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	tm("new-session", "-d", "-s", "t", "-x", strconv.Itoa(cols), "-y", "40", "sh "+file)
	defer func() {
		cmd, cancel := command("kill-server")
		defer cancel()
		_ = cmd.Run()
	}()
	tm("set-option", "-t", "t", "history-limit", "20000")
	w := &Window{Cols: cols}
	deadline := time.Now().Add(timeout)
	var joined string
	for {
		joined = tm("capture-pane", "-p", "-J", "-S", "-", "-t", "t")
		if m := exited.FindStringSubmatch(joined); m != nil {
			w.Code, _ = strconv.Atoi(m[1])
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not end in %s; the window:\n%s", strings.Join(argv, " "), timeout, joined)
		}
		time.Sleep(200 * time.Millisecond)
	}
	w.Rows = upToExit(tm("capture-pane", "-p", "-S", "-", "-t", "t"))
	w.Lines = upToExit(joined)
	return w
}

// upToExit are the lines of text before the exit marker, without
// trailing blanks.
func upToExit(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if exited.MatchString(l) {
			break
		}
		out = append(out, strings.TrimRight(l, " "))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}
