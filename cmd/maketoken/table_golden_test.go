//go:build !windows

package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of TestTableGolden")

// tableEnv is an emulator with two zones, eu1 and us1, seeded with tokens
// whose labels and scope lists are the ones that made tables overflow: a
// long label, an admin credential with every scope, a wide character.
func tableEnv(t *testing.T) []string {
	t.Helper()
	env, _ := tableEnvServer(t)
	return env
}

// tableEnvServer is tableEnv with its emulator, for faults.
func tableEnvServer(t *testing.T) ([]string, *emulator.Server) {
	t.Helper()
	fixed := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	srv := emulator.New(emulator.Options{Zones: []string{"eu1", "us1"}, Now: func() time.Time { return fixed }})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	eu1, us1 := srv.Zone("eu1"), srv.Zone("us1")
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 8, 15, 0, 120e6, time.UTC) }
	eu1.AddToken("build", []string{"user:read", "user:write"}, day(2020, 1, 2))
	eu1.AddToken("build", []string{"scenarios:read", "scenarios:run"}, day(2021, 6, 30))
	eu1.AddToken("deploy bot", []string{"scenarios:read", "scenarios:write", "connections:read"}, day(2019, 12, 31))
	eu1.AddToken("ünïcode ✓", []string{"teams:read"}, day(2018, 3, 4))
	eu1.AddToken("nightly export of every scenario blueprint to the backup bucket in another region, kept for the auditors", []string{"scenarios:read"}, day(2022, 5, 6))
	us1.AddToken("build", []string{"user:read", "user:write"}, day(2022, 2, 22))

	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	yaml := fmt.Sprintf("zones:\n  eu1:\n    url: %s\n  us1:\n    url: %s\n", eu1.URL(), us1.URL())
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return append(homeIn(dir),
		"PATH="+os.Getenv("PATH"),
		"MAKETOKEN_CONFIG="+cfg,
		"MAKETOKEN_TOKEN_EU1="+eu1.AdminToken(),
		"MAKETOKEN_TOKEN_US1="+us1.AdminToken(),
		"TERM=dumb",
		"TZ=UTC",
	), srv
}

// runOnTerminal runs the binary on a pseudo-terminal of the given width
// and returns what it wrote, with the terminal's \r\n made \n.
func runOnTerminal(t *testing.T, bin string, env []string, cols uint16, args ...string) string {
	t.Helper()
	return runOnTerminalCode(t, bin, env, cols, 0, args...)
}

// runOnTerminalCode is runOnTerminal for a command that exits with code.
//
// The terminal's end is read until it says the other end is closed (EIO
// on Linux) after the process has been waited for: a read that ends
// before the exit is read again, so what the process wrote last, still in
// the terminal's buffer when it exited, is never lost; any other error
// fails the test instead of cutting the output short.
func runOnTerminalCode(t *testing.T, bin string, env []string, cols uint16, code int, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: cols})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var out bytes.Buffer // the reader's until read is closed
	exited := make(chan struct{})
	read := make(chan error, 1)
	go func() {
		buf := make([]byte, 4096)
		drained := false
		for {
			n, err := tty.Read(buf)
			out.Write(buf[:n])
			if err == nil {
				continue
			}
			if !terminalClosed(err) || drained {
				read <- err
				return
			}
			<-exited // then read once more to the end
			drained = true
		}
	}()
	err = cmd.Wait()
	close(exited)
	select {
	case rerr := <-read:
		if !terminalClosed(rerr) {
			t.Fatalf("%s: reading the terminal: %v\n%s", strings.Join(args, " "), rerr, out.String())
		}
	case <-time.After(time.Minute):
		// The reader still owns out: say nothing of it.
		t.Fatalf("%s: the terminal's output did not end a minute after the exit", strings.Join(args, " "))
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) || err != nil && ee.ExitCode() != code || err == nil && code != 0 {
		t.Fatalf("%s: %v, want exit %d\n%s", strings.Join(args, " "), err, code, out.String())
	}
	return strings.ReplaceAll(out.String(), "\r\n", "\n")
}

// terminalClosed tells whether err is how a read of a terminal's own end
// ends once the other end is closed: EIO (Linux) or end of file.
func terminalClosed(err error) bool {
	return errors.Is(err, syscall.EIO) || errors.Is(err, io.EOF)
}

// clearedStatus is a status line (a progress counter, a spinner) drawn at
// the terminal and cleared again: each drawing is a carriage return, the
// line and an erase to the end of the row; the clearing is the carriage
// return and the erase alone. Under load a step lasts long enough for it
// to show (progressEvery, spinnerDelay in internal/iostreams); once
// cleared the terminal shows nothing of it. One never cleared is not
// matched, and differs from the golden file.
var clearedStatus = regexp.MustCompile(`(?:\r[^\r\n\x1b]+\x1b\[K)+\r\x1b\[K`)

// withoutClearedStatus is what a terminal shows of out: out without the
// status lines drawn and cleared again.
func withoutClearedStatus(out string) string { return clearedStatus.ReplaceAllString(out, "") }

func runPiped(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Tokens are random: their visible part and the emulator's ports are
// replaced before comparing.
var (
	randomPrefix = regexp.MustCompile(`\b[0-9a-f]{8}(-\*{4}-\*{4}-\*{4}-\*{12}|…)`)
	loopbackPort = regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)
	// A credential's age in status counts from the real clock: digits
	// become N, keeping the width.
	credentialAge = regexp.MustCompile(`\b[0-9]+(d\b| days old)`)
)

func normalize(s string) string {
	s = randomPrefix.ReplaceAllString(s, "xxxxxxxx$1")
	s = credentialAge.ReplaceAllStringFunc(s, func(m string) string {
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return 'N'
			}
			return r
		}, m)
	})
	return loopbackPort.ReplaceAllString(s, "127.0.0.1:PORT")
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", "tables", name)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestTableGolden -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

// TestTableGolden pins what list (one zone and --all-zones), status,
// zones, scopes and the result tables of revoke and prune show at a
// terminal 60, 80 and 120 columns wide: no line is wider than the
// terminal, and what a narrow one gives up is what names a row least
// (issue 20, item 3). The same commands' TSV and JSON must stay byte for
// byte what they were before tables were fitted to the terminal.
func TestTableGolden(t *testing.T) {
	bin := buildMaketoken(t)
	env := tableEnv(t)
	commands := map[string][]string{
		"list":           {"list"},
		"list-all-zones": {"list", "--all-zones"},
		"status":         {"status"},
		"zones":          {"zones"},
		"scopes":         {"scopes"},
	}
	for name, args := range commands {
		t.Run(name, func(t *testing.T) {
			for _, cols := range []uint16{60, 80, 120} {
				got := normalize(withoutClearedStatus(runOnTerminal(t, bin, env, cols, args...)))
				for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
					if w := twwidth.Width(line); w > int(cols) {
						t.Errorf("at %d columns, a line is %d wide:\n%s", cols, w, line)
					}
				}
				checkGolden(t, fmt.Sprintf("%s.%d", name, cols), got)
			}
			if name == "zones" || name == "scopes" {
				return // their TSV and JSON are pinned by the scripts
			}
			checkGolden(t, name+".tsv", normalize(runPiped(t, bin, env, append(args, "-o", "tsv")...)))
			checkGolden(t, name+".json", normalize(runPiped(t, bin, env, append(args, "-o", "json")...)))
		})
	}
	// The result tables, asked for with -o table: each run revokes, so
	// each gets an emulator of its own; one token's revocation fails.
	results := map[string][]string{
		"revoke-result": {"revoke", "-z", "eu1", "--label", "build", "--all", "--yes", "-o", "table"},
		"prune-result":  {"prune", "--all-zones", "--older-than", "1d", "--label", "build", "--yes", "-o", "table"},
	}
	for name, args := range results {
		t.Run(name, func(t *testing.T) {
			for _, cols := range []uint16{60, 80, 120} {
				env, srv := tableEnvServer(t)
				eu1 := srv.Zone("eu1")
				for _, tok := range eu1.Tokens() {
					if tok.Label == "build" && strings.HasPrefix(tok.Created, "2021") {
						eu1.AddFault(emulator.Fault{Method: "DELETE", Path: "/users/me/api-tokens/" + tok.Created, Status: 500})
					}
				}
				got := normalize(withoutClearedStatus(runOnTerminalCode(t, bin, env, cols, 7, args...)))
				for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
					if w := twwidth.Width(line); w > int(cols) {
						t.Errorf("at %d columns, a line is %d wide:\n%s", cols, w, line)
					}
				}
				checkGolden(t, fmt.Sprintf("%s.%d", name, cols), got)
			}
		})
	}
}

// TestWithoutClearedStatus: a status line drawn and cleared again is
// gone from what TestTableGolden compares, a line written while it showed
// stays, and a status never cleared is kept (to differ from the golden
// file).
func TestWithoutClearedStatus(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plan\n\r⠙ revoked 2 of 3\x1b[K\r\x1b[KZONE\n", "plan\nZONE\n"},
		{"\r⠙ a\x1b[K\r⠹ b\x1b[K\r\x1b[Kwarning\n\r⠹ b\x1b[K\r\x1b[K", "warning\n"},
		{"plan\n\r⠙ revoked 2 of 3\x1b[KZONE\n", "plan\n\r⠙ revoked 2 of 3\x1b[KZONE\n"},
		{"a\r\x1b[Kb\n", "a\r\x1b[Kb\n"}, // nothing drawn: kept
	} {
		if got := withoutClearedStatus(c.in); got != c.want {
			t.Errorf("withoutClearedStatus(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
