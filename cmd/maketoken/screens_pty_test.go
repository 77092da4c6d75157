//go:build !windows

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/maketoken/maketoken/internal/vtscreen"
)

// These tests look at maketoken's screens as a person sees them on a
// terminal of a given width (issue 20): the bytes it writes are played on
// a small terminal (internal/vtscreen) that wraps a line too long for it
// and redraws a row after a carriage return, as xterm and tmux do.

// screenWidths are the widths issue 20 was tried at.
var screenWidths = []int{60, 79, 80, 200}

// screenEnv is an emulator of every zone, each with maketoken's
// credential in MAKETOKEN_TOKEN_<ZONE>, on a terminal that shows colour.
type screenEnv struct {
	bin string
	srv *emulator.Server
	env []string
}

func newScreenEnv(t *testing.T, bin string) *screenEnv {
	t.Helper()
	srv := emulator.New(emulator.Options{})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	var yaml strings.Builder
	yaml.WriteString("zones:\n")
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(dir, ".cache"),
		"MAKETOKEN_CREDENTIAL_STORE=keyring",
		"TERM=xterm-256color",
		"LANG=C.UTF-8",
		"TZ=UTC",
	}
	for _, name := range emulator.DefaultZones() {
		z := srv.Zone(name)
		fmt.Fprintf(&yaml, "  %s:\n    url: %s\n", name, z.URL())
		env = append(env, "MAKETOKEN_TOKEN_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))+"="+z.AdminToken())
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(yaml.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return &screenEnv{bin: bin, srv: srv, env: append(env, "MAKETOKEN_CONFIG="+cfg)}
}

// slow makes every zone answer after d.
func (e *screenEnv) slow(d time.Duration) {
	for _, name := range emulator.DefaultZones() {
		e.srv.Zone(name).SetLatency(d)
	}
}

// screenRun is one run of maketoken on a terminal.
type screenRun struct {
	code   int
	raw    []byte
	screen *vtscreen.Screen
}

// runScreen runs maketoken with args on a terminal cols wide and returns
// what the terminal shows once it has ended.
func (e *screenEnv) runScreen(t *testing.T, cols int, args ...string) screenRun {
	t.Helper()
	cmd := exec.Command(e.bin, args...)
	cmd.Env = e.env
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: uint16(cols)})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var raw []byte
	buf := make([]byte, 4096)
	for {
		n, err := tty.Read(buf)
		raw = append(raw, buf[:n]...)
		if err != nil { // EIO once the process has gone
			break
		}
	}
	code := 0
	if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	return screenRun{code: code, raw: raw, screen: vtscreen.Render(raw, cols)}
}

// spinnerFrames are the characters a spinner is drawn with.
const spinnerFrames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

// checkScreen fails the test if what the terminal shows has a line wider
// than the terminal or a spinner left behind.
func checkScreen(t *testing.T, what string, r screenRun) {
	t.Helper()
	if r.screen.Wraps > 0 {
		t.Errorf("%s at %d columns: %d lines wider than the terminal, e.g. %q; the screen:\n%s", what, r.screen.Cols, r.screen.Wraps, r.screen.WrappedRows[0], r.screen.Text())
	}
	if n := strings.Count(r.screen.Text(), "\n"); strings.ContainsAny(r.screen.Text(), spinnerFrames) {
		t.Errorf("%s at %d columns: a spinner line is left on the screen (%d rows):\n%s", what, r.screen.Cols, n, r.screen.Text())
	}
}

// TestSpinnerLeavesNoTrail: a spinner whose label is wider than the
// terminal used to wrap, and every frame left a copy of its first row
// (issue 20, item 1: status with six slow zones left about 40 rows of
// "⠙ checking the credentials of zones eu1…" at 79 columns; list
// --all-zones the same at 60). The spinner must be cut to the width and
// redrawn in place, and gone when the result is shown.
func TestSpinnerLeavesNoTrail(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildMaketoken(t)
	e := newScreenEnv(t, bin)
	e.slow(1500 * time.Millisecond)
	for _, args := range [][]string{{"status"}, {"list", "--all-zones"}} {
		for _, cols := range screenWidths {
			t.Run(fmt.Sprintf("%s/%d", strings.Join(args, " "), cols), func(t *testing.T) {
				r := e.runScreen(t, cols, args...)
				if r.code != 0 {
					t.Fatalf("exit %d:\n%s", r.code, r.screen.Text())
				}
				if !strings.ContainsAny(string(r.raw), spinnerFrames) {
					t.Fatalf("no spinner was drawn while six zones took 1.5s each:\n%q", r.raw)
				}
				checkScreen(t, strings.Join(args, " "), r)
				if first := r.screen.Lines()[0]; !strings.HasPrefix(first, "ZONE") {
					t.Errorf("the screen does not start with the table's header but %q:\n%s", first, r.screen.Text())
				}
			})
		}
	}
}
