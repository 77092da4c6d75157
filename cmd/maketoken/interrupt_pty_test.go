//go:build !windows

package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/maketoken/maketoken/internal/emulator"
)

// These tests press Ctrl-C, Ctrl-D and Ctrl-\ (and send SIGTERM) at the
// real binary on a pseudo-terminal, as issue #12 describes: every prompt
// returns at once, puts the terminal back, sends nothing to Make, and the
// command exits 130 with one line saying what was done.

// startKeepingTTY is start, but the test keeps the terminal's own end open
// after maketoken has gone, to see what state maketoken left it in.
func (e *ptyEnv) startKeepingTTY(t *testing.T, args ...string) *session {
	t.Helper()
	return startOnPty(t, e, 200, nil, args...).session
}

// waitWithin is wait, failing the test (and killing maketoken) if it has
// not ended within d: "at once", with room for a loaded machine.
func (s *session) waitWithin(d time.Duration) int {
	s.t.Helper()
	ended := make(chan struct{})
	go func() {
		select {
		case <-ended:
		case <-time.After(d):
			_ = s.cmd.Process.Kill()
		}
	}()
	start := time.Now()
	code := s.exitCode()
	close(ended)
	if time.Since(start) >= d {
		s.t.Fatalf("maketoken did not end within %s:\n%s", d, s.output())
	}
	return code
}

func (s *session) exitCode() int {
	err := s.cmd.Wait()
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	s.t.Fatalf("wait: %v", err)
	return -1
}

// expectEcho checks that the terminal echoes again: what is typed after
// maketoken has gone shows up.
func (s *session) expectEcho() {
	s.t.Helper()
	s.send("echo-is-on\r")
	s.expect("echo-is-on")
}

// withoutCredentialEnv drops MAKETOKEN_TOKEN_* so that login asks.
func withoutCredentialEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "MAKETOKEN_TOKEN_") {
			out = append(out, kv)
		}
	}
	return out
}

func TestPromptsOnInterrupt(t *testing.T) {
	bin := buildMaketoken(t)

	for _, tc := range []struct {
		name, key string
		code      int
		line      string
	}{
		{"Ctrl-C", "\x03", 130, "maketoken: interrupted: nothing was stored"},
		{`Ctrl-\`, "\x1c", 130, "maketoken: interrupted: nothing was stored"},
		{"Ctrl-D", "\x04", 3, "maketoken: no token was given; nothing was stored"},
	} {
		t.Run(tc.name+" at the hidden login prompt", func(t *testing.T) {
			e := newPtyEnv(t, bin)
			e.env = withoutCredentialEnv(e.env)
			s := e.startKeepingTTY(t, "login", "-z", "eu1", "--insecure-storage")
			s.expect("it will not be shown: ")
			if tc.key != "\x04" {
				s.send("11111111-2222") // half a paste: must be thrown away
			}
			s.send(tc.key)
			if code := s.waitWithin(10 * time.Second); code != tc.code {
				t.Fatalf("exit %d, want %d:\n%q", code, tc.code, s.output())
			}
			s.expect(tc.line + "\r\n")
			if strings.Contains(s.output(), "11111111") {
				t.Errorf("the half-typed token was echoed:\n%q", s.output())
			}
			if strings.Contains(s.output(), "goroutine ") {
				t.Errorf("a goroutine dump:\n%s", s.output())
			}
			s.expectEcho()
			if reqs := e.zone.Requests(); len(reqs) != 0 {
				t.Errorf("%d requests sent to Make after an interrupted prompt: %v", len(reqs), reqs)
			}
		})
	}

	t.Run("SIGTERM at the hidden login prompt", func(t *testing.T) {
		e := newPtyEnv(t, bin)
		e.env = withoutCredentialEnv(e.env)
		s := e.startKeepingTTY(t, "login", "-z", "eu1", "--insecure-storage")
		s.expect("it will not be shown: ")
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := s.waitWithin(10 * time.Second); code != 130 {
			t.Fatalf("exit %d, want 130:\n%q", code, s.output())
		}
		s.expect("maketoken: interrupted: nothing was stored\r\n")
		s.expectEcho()
		if reqs := e.zone.Requests(); len(reqs) != 0 {
			t.Errorf("requests sent to Make: %v", reqs)
		}
	})

	for _, tc := range []struct {
		name string
		do   func(s *session)
	}{
		{"Ctrl-C", func(s *session) { s.send("y\x03") }},
		{"SIGTERM", func(s *session) { _ = s.cmd.Process.Signal(syscall.SIGTERM) }},
		{"SIGHUP", func(s *session) { _ = s.cmd.Process.Signal(syscall.SIGHUP) }},
	} {
		t.Run(tc.name+" at a [y/N] prompt", func(t *testing.T) {
			e := newPtyEnv(t, bin)
			old := e.zone.AddToken("ci", []string{"scenarios:read"}, time.Time{})
			s := e.startKeepingTTY(t, "rotate", "--label", "ci")
			s.expect("[y/N] ")
			asked := len(e.zone.Requests())
			tc.do(s)
			if code := s.waitWithin(10 * time.Second); code != 130 {
				t.Fatalf("exit %d, want 130:\n%q", code, s.output())
			}
			s.expect("\r\nmaketoken: interrupted: nothing was changed\r\n")
			if n := strings.Count(s.output(), "maketoken:"); n != 1 {
				t.Errorf("%d lines of maketoken messages, want the one summary:\n%s", n, s.output())
			}
			s.expectEcho()
			if reqs := e.zone.Requests(); len(reqs) != asked {
				t.Errorf("requests sent to Make after the prompt: %v", reqs[asked:])
			}
			for _, r := range e.zone.Requests() {
				if r.Method != http.MethodGet {
					t.Errorf("%s %s sent", r.Method, r.Path)
				}
			}
			if !e.zone.HasToken(old.Token) || len(e.zone.Tokens()) != 2 {
				t.Errorf("the tokens changed: %v", e.zone.Tokens())
			}
		})
	}
}

// TestPruneInterrupted presses Ctrl-C in the middle of a 40-token prune:
// exit 130, one line saying how far it got, no table, no error per token.
func TestPruneInterrupted(t *testing.T) {
	bin := buildMaketoken(t)
	e := newPtyEnv(t, bin)
	for i := range 40 {
		e.zone.AddToken("old", []string{"scenarios:read"}, time.Date(2024, 1, 1, 0, 0, i, 0, time.UTC))
	}
	e.zone.SetLatency(250 * time.Millisecond)
	s := e.startKeepingTTY(t, "prune", "--older-than", "90d", "--yes")
	// Wait until some, not all, are revoked.
	progress := regexp.MustCompile(`revoked ([1-9]|[1-3][0-9]) of 40`)
	s.waitUntil(30*time.Second, "no progress", func() bool { return progress.MatchString(s.output()) })
	s.send("\x03")
	if code := s.waitWithin(10 * time.Second); code != 130 {
		t.Fatalf("exit %d, want 130:\n%q", code, s.output())
	}
	s.expect("run the command again to finish\r\n") // the output may lag the exit
	time.Sleep(200 * time.Millisecond)              // and anything after it
	out := s.output()
	summary := regexp.MustCompile(`maketoken: interrupted: revoked ([0-9]+) of 40; run the command again to finish\r\n`).FindStringSubmatch(out)
	if summary == nil {
		t.Fatalf("no summary line:\n%q", out)
	}
	after := out[strings.Index(out, "^C")+2:]
	if lines := strings.Count(strings.TrimLeft(after, "\r\n\x1b[K"), "\n"); lines != 1 {
		t.Errorf("%d lines after Ctrl-C, want the summary alone:\n%q", lines, after)
	}
	for _, bad := range []string{"context canceled", "REVOKED", "Pruned ", "was not revoked"} {
		if strings.Contains(out, bad) {
			t.Errorf("%q on the terminal after Ctrl-C:\n%q", bad, out)
		}
	}
	left := 0
	for _, tok := range e.zone.Tokens() {
		if tok.Label == "old" {
			left++
		}
	}
	said, _ := strconv.Atoi(summary[1])
	// A delete cut off in flight may have happened anyway: the summary may
	// undercount (never overcount) by the few that were in flight.
	if gone := 40 - left; gone < said || gone > said+4 || said == 40 {
		t.Errorf("the summary says %d revoked; %d are gone", said, gone)
	}
}

// TestLoginTimeoutStartsAfterThePrompt takes longer at login's prompt than
// --timeout allows (3s against 1s, rather than the 35s against 5s,
// to keep the suite quick): the time at the prompt does not count.
func TestLoginTimeoutStartsAfterThePrompt(t *testing.T) {
	bin := buildMaketoken(t)
	e := newPtyEnv(t, bin)
	e.env = withoutCredentialEnv(e.env)
	s := e.startKeepingTTY(t, "login", "-z", "eu1", "--insecure-storage", "--timeout", "1s")
	s.expect("it will not be shown: ")
	time.Sleep(3 * time.Second) // a person finding the token page
	s.send(e.zone.AdminToken() + "\r")
	if code := s.waitWithin(20 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, s.output())
	}
	s.expect("Logged in to zone eu1")
}

// sigCounter is what `exec` runs: a bash script that counts each SIGINT,
// SIGQUIT and SIGTERM it gets (bash runs a trap once per delivery) for
// three seconds, then prints the counts. Its sleep runs in the background,
// where a terminal's Ctrl-C does not end it.
const sigCounter = `n_INT=0 n_QUIT=0 n_TERM=0
for s in INT QUIT TERM; do trap "n_$s=\$((n_$s+1))" $s; done
sleep 3 & pid=$!
echo ready
while kill -0 $pid 2>/dev/null; do wait $pid; done
echo "SIGINT=$n_INT SIGQUIT=$n_QUIT SIGTERM=$n_TERM"
`

// TestExecSignalsOnce presses Ctrl-C (and Ctrl-\) while `exec` runs a
// command on a terminal: the terminal delivers it to the command, and
// maketoken must not deliver it a second time. SIGTERM, sent to maketoken
// alone, is passed on once.
func TestExecSignalsOnce(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to count signals with")
	}
	bin := buildMaketoken(t)
	for _, tc := range []struct {
		name string
		send func(s *session)
		want string
	}{
		{"Ctrl-C", func(s *session) { s.send("\x03") }, "SIGINT=1 SIGQUIT=0 SIGTERM=0"},
		{`Ctrl-\`, func(s *session) { s.send("\x1c") }, "SIGINT=0 SIGQUIT=1 SIGTERM=0"},
		{"SIGTERM to maketoken", func(s *session) { _ = s.cmd.Process.Signal(syscall.SIGTERM) }, "SIGINT=0 SIGQUIT=0 SIGTERM=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newPtyEnv(t, bin)
			s := e.startKeepingTTY(t, "exec", "-z", "eu1", "--", bash, "-c", sigCounter)
			s.expect("ready")
			tc.send(s)
			if code := s.waitWithin(20 * time.Second); code != 0 {
				t.Fatalf("exit %d:\n%s", code, s.output())
			}
			s.expect(tc.want)
		})
	}
}

// TestTerminalGate puts escape sequences, C1 controls and bidi marks in
// what the server sends (labels, scope names, a header) and checks that
// none reaches the terminal raw: not on stderr (rotate's plan lists the
// scopes of the old tokens as Make gave them), not in --jq's or JSON's
// output, not in --debug's trace.
func TestTerminalGate(t *testing.T) {
	bin := buildMaketoken(t)
	const hostile = "x\x1b[2J\x1b]0;owned\x07\u009b31m\u202eright"
	raw := func(out string) bool {
		return strings.ContainsAny(out, "\x07\u009b\u202e") || strings.Contains(out, "\x1b]") || strings.Contains(out, "\x1b[2J")
	}
	e := newPtyEnv(t, bin)
	e.zone.AddToken("mixed", []string{"scenarios:read"}, time.Time{})
	e.zone.AddToken("mixed", []string{"scenarios:" + hostile}, time.Time{})
	e.zone.AddToken(hostile, []string{"scenarios:read"}, time.Time{})

	for _, args := range [][]string{
		{"rotate", "--label", "mixed"},
		{"list", "--jq", ".[].label"},
		{"list", "--jq", ".[].scopes[]"},
		{"list", "-o", "json"},
		{"list", "--debug", "-o", "tsv"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			s := e.startKeepingTTY(t, args...)
			s.waitWithin(20 * time.Second)
			s.send("end-of-output\r") // echoed once everything before is read
			s.expect("end-of-output")
			out := s.output()
			if raw(out) {
				t.Errorf("a control character from the server reached the terminal raw:\n%q", out)
			}
			if !strings.Contains(out, `\u202eright`) && !strings.Contains(out, `\x1b[2J`) && !strings.Contains(out, "?right") {
				t.Errorf("the hostile text is not shown at all:\n%q", out)
			}
		})
	}
}

// TestDebugTraceIsSafe: a header from the server with C1 and bidi
// characters does not reach --debug's trace raw, even when stderr is not
// a terminal (a CI log shown in a browser or with cat).
func TestDebugTraceIsSafe(t *testing.T) {
	bin := buildMaketoken(t)
	e := newPtyEnv(t, bin)
	e.zone.AddFault(emulator.Fault{Method: "GET", Path: "/users/me/api-tokens", Status: 503, RetryAfter: "0 \u009b31m\u202eright", Times: 1})
	cmd := exec.Command(bin, "list", "--debug")
	cmd.Env = e.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if !strings.Contains(string(out), "< Retry-After: 0 ?31m?right") {
		t.Errorf("the header is not in the trace, made safe:\n%q", out)
	}
	if strings.ContainsAny(string(out), "\u009b\u202e") {
		t.Errorf("a control character from the server reached the trace raw:\n%q", out)
	}
}

// TestExecJobControl: exec's COMMAND runs as a job of its own, in the
// terminal's foreground. Ctrl-Z stops it, and maketoken stops too, so that
// the shell sees its job stopped (not a hang); continued as the shell's
// `fg` does (SIGCONT to maketoken's group, which has the terminal),
// maketoken gives the terminal back to COMMAND and continues it, and
// COMMAND reads what is typed next.
func TestExecJobControl(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads process states from /proc")
	}
	bin := buildMaketoken(t)
	e := newPtyEnv(t, bin)
	s := e.startKeepingTTY(t, "exec", "-z", "eu1", "--", "sh", "-c", `echo ready; read line; echo "got $line"`)
	s.expect("ready")
	s.send("\x1a")
	pid := s.cmd.Process.Pid
	s.waitUntil(10*time.Second, "maketoken did not stop with its COMMAND", func() bool { return procState(pid) == 'T' })
	if err := syscall.Kill(-pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	s.send("typed after fg\r")
	if code := s.waitWithin(20 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%q", code, s.output())
	}
	s.expect("got typed after fg")
}

// procState is the state letter of a process (R, S, T, Z...), or 0.
func procState(pid int) byte {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return 0
	}
	return b[i+2]
}

// hupCounter is exec's COMMAND in TestExecHangUp: a bash script that
// counts the SIGHUPs it gets into the file $1 and ends two seconds after
// the first (its sleeps run in the background, so a trap runs at once).
const hupCounter = `f=$1 n=0
trap 'n=$((n+1)); echo $n > "$f.tmp"; mv "$f.tmp" "$f"' HUP
echo ready
i=0
while [ $i -lt 20 ]; do
	sleep 0.1 & wait $!
	[ $n -eq 0 ] || i=$((i+1))
done
`

// TestExecHangUp closes the terminal (its window, an SSH connection) while
// exec's COMMAND holds it: COMMAND gets SIGHUP exactly once, and ends.
// When a shell leads the session, the shell passes the hang-up on to
// maketoken and the kernel sends COMMAND its own once the shell exits, so
// maketoken must not pass it on; when maketoken leads the session (run
// directly by the terminal or `ssh -t`), nobody else will, so it must.
func TestExecHangUp(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to count signals with")
	}
	bin := buildMaketoken(t)
	shellLed := func(hups string) []string {
		// `; true`: the shell must not exec maketoken in its place.
		script := fmt.Sprintf("%s exec -z eu1 -- %s -c %s counter %s; true", shellQuote(bin), shellQuote(bash), shellQuote(hupCounter), shellQuote(hups))
		return []string{bash, "--norc", "-i", "-c", script}
	}
	for _, tc := range []struct {
		name string
		args func(hups string) []string
	}{
		{"maketoken leads the session", func(hups string) []string {
			return []string{bin, "exec", "-z", "eu1", "--", bash, "-c", hupCounter, "counter", hups}
		}},
		// Three times: when the two SIGHUPs came close together, the
		// kernel merged them, and the command counted one.
		{"a shell leads the session", shellLed},
		{"a shell leads the session, again", shellLed},
		{"a shell leads the session, a third time", shellLed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newPtyEnv(t, bin)
			hups := filepath.Join(t.TempDir(), "hups")
			args := tc.args(hups)
			ptmx, tty, err := pty.Open()
			if err != nil {
				t.Fatal(err)
			}
			// pty.Open's file is blocking: a Read in progress would keep
			// the terminal open after Close. A non-blocking copy of it can
			// be closed under a reader, which hangs the terminal up.
			ptmx = nonBlocking(t, ptmx)
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Env = e.env
			cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			tty.Close()
			s := newSession(t, cmd, ptmx)
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			s.expect("ready")
			ptmx.Close() // the terminal goes away
			ended := make(chan struct{})
			go func() { _ = cmd.Wait(); close(ended) }()
			select {
			case <-ended:
			case <-time.After(20 * time.Second):
				t.Fatalf("the session leader did not end after the hang-up:\n%q", s.output())
			}
			// COMMAND ends two seconds after its first SIGHUP; then the
			// count is final.
			deadline := time.Now().Add(20 * time.Second)
			for {
				b, _ := os.ReadFile(hups)
				if len(b) > 0 {
					time.Sleep(3 * time.Second)
					b, _ = os.ReadFile(hups)
					if got := strings.TrimSpace(string(b)); got != "1" {
						t.Fatalf("COMMAND got SIGHUP %s times, want once:\n%q", got, s.output())
					}
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("COMMAND never got SIGHUP:\n%q", s.output())
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

// nonBlocking replaces f with a non-blocking copy of its descriptor, which
// Go's poller serves: Close then ends a Read in progress and closes the
// descriptor at once.
func nonBlocking(t *testing.T, f *os.File) *os.File {
	t.Helper()
	fd, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	syscall.CloseOnExec(fd) // or the command would hold the terminal open
	if err := syscall.SetNonblock(fd, true); err != nil {
		t.Fatal(err)
	}
	return os.NewFile(uintptr(fd), "ptmx")
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
