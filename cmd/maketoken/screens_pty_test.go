//go:build !windows

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
	env := append(homeIn(dir),
		"PATH="+os.Getenv("PATH"),
		"MAKETOKEN_CREDENTIAL_STORE=keyring",
		"TERM=xterm-256color",
		"LANG=C.UTF-8",
		"TZ=UTC",
	)
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
	return e.runScreenTyping(t, cols, "", args...)
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

// TestPartlyFailedPrune is issue 20's item 2 at 60, 79, 80 and 200
// columns (see pruneScene). No table of the 20 tokens (18 of them "yes"),
// no retry or rate-limit notice, no spinner, no line wider than the
// terminal.
func TestPartlyFailedPrune(t *testing.T) {
	bin := buildMaketoken(t)
	for _, cols := range screenWidths {
		t.Run(fmt.Sprint(cols), func(t *testing.T) {
			e := newScreenEnv(t, bin)
			p := newPruneScene(e)
			r := e.runScreen(t, cols, p.args()...)
			if r.code != 7 {
				t.Fatalf("exit %d, want 7:\n%s", r.code, r.screen.Text())
			}
			checkScreen(t, "prune", r)
			p.check(t, r.screen.Lines())
			if t.Failed() {
				t.Logf("the whole screen:\n%s", r.screen.Text())
			}
		})
	}
}

// pruneScene is issue 20's partly failed prune: 20 tokens to prune under
// Make's rate limit (ridden out), two of whose deletes Make answers with a
// long server error (the emulator's fault injection).
type pruneScene struct {
	zone          *emulator.Zone
	toks, failing []emulator.Token
}

func newPruneScene(e *screenEnv) *pruneScene {
	detail := "The server could not complete the request because an upstream dependency failed while the token was being removed; " +
		"please try the operation again later or contact support with the request id 7f9c2a1e-33b4-4d8e-9a51-0c6b1e2f4a77."
	p := &pruneScene{zone: e.srv.Zone("eu1")}
	for i := range 20 {
		p.toks = append(p.toks, p.zone.AddToken("old-ci", []string{"scenarios:read"}, time.Date(2020, 1, 1, 0, 0, i, 0, time.UTC)))
	}
	p.failing = []emulator.Token{p.toks[3], p.toks[14]}
	for _, tok := range p.failing {
		p.zone.AddFault(emulator.Fault{Method: "DELETE", Path: "/users/me/api-tokens/" + tok.Created, Status: 500,
			Body: fmt.Sprintf(`{"message":"Internal Server Error","detail":%q,"code":"SC500"}`, detail)})
	}
	p.zone.SetRateLimit(8, true)
	p.zone.SetRateWindow(2 * time.Second)
	return p
}

func (p *pruneScene) args() []string {
	return []string{"--timeout", "2m", "prune", "-z", "eu1", "--older-than", "30d", "--label", "old-ci", "--yes"}
}

// check looks at the rows the terminal shows once prune has ended: below
// the plan, one line per failed token, saying which and why, once; then
// one summary line, last.
func (p *pruneScene) check(t *testing.T, lines []string) {
	t.Helper()
	limited := 0
	for _, req := range p.zone.Requests() {
		if req.Status == 429 {
			limited++
		}
	}
	if limited == 0 {
		t.Error("Make's rate limit never answered 429: the test does not show that its notices are gone")
	}
	// The rows after the plan: the plan ends with its last token.
	last := 0
	for i, l := range lines {
		if strings.Contains(l, p.toks[19].Created) {
			last = i
		}
	}
	after := strings.Join(lines[last+1:], "\n")
	if strings.Contains(after, "REVOKED") || strings.Count(after, "old-ci") > len(p.failing)*2 {
		t.Errorf("a table of the tokens after the plan:\n%s", after)
	}
	for _, bad := range []string{"429", "retry", "rate limit", "DELETE", "http://"} {
		if strings.Contains(after, bad) {
			t.Errorf("%q is left on the screen:\n%s", bad, after)
		}
	}
	for _, tok := range p.failing {
		if n := strings.Count(strings.ReplaceAll(after, "\n  ", " "), tok.Created); n != 1 {
			t.Errorf("the failed token created %s is named %d times after the plan, want once:\n%s", tok.Created, n, after)
		}
	}
	if n := strings.Count(after, "\nmaketoken: ") + map[bool]int{true: 1}[strings.HasPrefix(after, "maketoken: ")]; n != len(p.failing) {
		t.Errorf("%d error lines after the plan, want one per failed token (%d):\n%s", n, len(p.failing), after)
	}
	if n := strings.Count(after, "Pruned "); n != 1 || !strings.HasPrefix(lines[len(lines)-1], "✗ Pruned 18 of 20 tokens") {
		t.Errorf("want one summary line, last, \"✗ Pruned 18 of 20 tokens\":\n%s", after)
	}
}

// TestRevokeAndPruneReportAlike (issue 20, item 9): revoke's and prune's
// results look the same at a terminal: the plan, a line for each token
// that failed, and one summary line, last; no table unless -o table asks
// for one. revoke used to print a table of every token (REVOKED yes) and
// its failures after the summary line.
func TestRevokeAndPruneReportAlike(t *testing.T) {
	bin := buildMaketoken(t)
	for _, c := range []struct {
		name    string
		args    []string
		summary string
	}{
		{"revoke", []string{"revoke", "-z", "eu1", "--label", "old-ci", "--all", "--yes"}, "✗ Revoked 4 of 5 tokens in zone eu1."},
		{"prune", []string{"prune", "-z", "eu1", "--older-than", "30d", "--label", "old-ci", "--yes"}, "✗ Pruned 4 of 5 tokens."},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newScreenEnv(t, bin)
			z := e.srv.Zone("eu1")
			var failed emulator.Token
			for i := range 5 {
				tok := z.AddToken("old-ci", []string{"scenarios:read"}, time.Date(2020, 1, 1, 0, 0, i, 0, time.UTC))
				if i == 2 {
					failed = tok
					z.AddFault(emulator.Fault{Method: "DELETE", Path: "/users/me/api-tokens/" + tok.Created, Status: 500})
				}
			}
			r := e.runScreen(t, 80, c.args...)
			if r.code != 7 {
				t.Fatalf("exit %d, want 7:\n%s", r.code, r.screen.Text())
			}
			checkScreen(t, c.name, r)
			lines := r.screen.Lines()
			want := []string{
				`maketoken: zone eu1: the token "old-ci" (created ` + failed.Created + `) was`,
				`  not revoked: Make answered 500 Internal Server Error: Internal Server Error.`,
				`  [SC500]; try again later`,
				c.summary,
			}
			if got := lines[len(lines)-len(want):]; strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("the screen ends with:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if strings.Contains(r.screen.Text(), "REVOKED") {
				t.Errorf("a table:\n%s", r.screen.Text())
			}
			// Asked for, the table comes, on stdout, before the lines.
			r = e.runScreen(t, 80, append(c.args, "-o", "table")...)
			if !strings.Contains(r.screen.Text(), "REVOKED") {
				t.Errorf("-o table: no table:\n%s", r.screen.Text())
			}
		})
	}
}

// TestEveryWaitShowsASpinner (issue 20, item 8): every step that waits on
// Make shows a spinner at a terminal, gone when the command ends: revoke's
// and prune's listing, create, scopes, doctor, login's check and logout
// --revoke (they used to sit silent; prune once waited 49 s on a 429 while
// listing without a word).
func TestEveryWaitShowsASpinner(t *testing.T) {
	bin := buildMaketoken(t)
	e := newScreenEnv(t, bin)
	z := e.srv.Zone("eu1")
	z.AddToken("old-ci", []string{"scenarios:read"}, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	login := z.AddToken("laptop", emulator.DefaultScopes(), time.Time{})
	z.SetLatency(1500 * time.Millisecond)
	// Stored credentials for login and logout: a file of the test's own,
	// and no variable that would take precedence in eu1.
	stored := append(withoutCredentialEnv(e.env), "MAKETOKEN_CREDENTIALS_FILE="+filepath.Join(t.TempDir(), "credentials"), "MAKETOKEN_CREDENTIAL_STORE=file")
	for _, c := range []struct {
		name  string
		env   []string
		args  []string
		input string
	}{
		{"revoke's listing", nil, []string{"revoke", "-z", "eu1", "--label", "old-ci", "--dry-run"}, ""},
		{"prune's listing", nil, []string{"prune", "-z", "eu1", "--older-than", "30d", "--dry-run"}, ""},
		{"create", nil, []string{"create", "-z", "eu1", "-l", "spun", "-s", "scenarios:read"}, ""},
		{"scopes", nil, []string{"scopes", "-z", "eu1"}, ""},
		{"doctor", nil, []string{"doctor", "-z", "eu1"}, ""},
		{"login's check", stored, []string{"login", "-z", "eu1"}, login.Token + "\r"},
		{"logout --revoke", stored, []string{"logout", "-z", "eu1", "--revoke", "--yes"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := e.env
			if c.env != nil {
				env = c.env
			}
			r := (&screenEnv{bin: e.bin, srv: e.srv, env: env}).runScreenTyping(t, 80, c.input, c.args...)
			if r.code != 0 {
				t.Fatalf("exit %d:\n%s", r.code, r.screen.Text())
			}
			if !strings.ContainsAny(string(r.raw), spinnerFrames) {
				t.Errorf("no spinner while Make took 1.5s to answer:\n%s", r.screen.Text())
			}
			if c.name == "doctor" {
				// Its report names the test's long temporary paths,
				// which no width can hold: only the spinner counts.
				r.screen.Wraps = 0
			}
			checkScreen(t, c.name, r)
		})
	}
}

// runScreenTyping is runScreen that types input ("": none) once the
// command asks for something (a prompt ends with ": " or "] ").
func (e *screenEnv) runScreenTyping(t *testing.T, cols int, input string, args ...string) screenRun {
	t.Helper()
	cmd := exec.Command(e.bin, args...)
	cmd.Env = e.env
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: uint16(cols)})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var raw []byte
	typed := input == "" // nothing to type
	buf := make([]byte, 4096)
	for {
		n, err := tty.Read(buf)
		raw = append(raw, buf[:n]...)
		if !typed && (strings.HasSuffix(string(raw), ": ") || strings.HasSuffix(string(raw), "] ")) {
			typed = true
			if _, err := tty.WriteString(input); err != nil {
				t.Fatal(err)
			}
		}
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

// TestCreateWithManyScopesFits (issue 20, item 7): create's ✓ line with
// -s '*:read' listed 27 scopes as one word of 480 columns, which the
// terminal cut wherever the row ended, over 8 rows. Many scopes are
// counted.
func TestCreateWithManyScopesFits(t *testing.T) {
	bin := buildMaketoken(t)
	e := newScreenEnv(t, bin)
	for _, cols := range screenWidths {
		t.Run(fmt.Sprint(cols), func(t *testing.T) {
			r := e.runScreen(t, cols, "create", "-z", "eu1", "-l", fmt.Sprint("many-", cols), "-s", "*:read")
			if r.code != 0 {
				t.Fatalf("exit %d:\n%s", r.code, r.screen.Text())
			}
			checkScreen(t, "create -s '*:read'", r)
			text := strings.ReplaceAll(r.screen.Text(), "\n  ", " ")
			if !regexp.MustCompile(`, \d\d scopes\)\.`).MatchString(text) {
				t.Errorf("the ✓ line does not count the scopes:\n%s", r.screen.Text())
			}
		})
	}
}
