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
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/maketoken/maketoken/internal/vtscreen"
)

// TestPasteAtTheHiddenPrompt pastes at login's hidden prompt on a real
// pseudo-terminal, as a person does (issue #20, item 6): a paste that
// starts with a newline is asked again, not taken as an empty token; a
// multi-line paste logs in with its first line; a paste shows that it
// arrived (a count of characters, never the characters); and whatever
// maketoken did not read is thrown away before the terminal is given
// back: a shell reading the same terminal afterwards receives nothing
// (before, it ran the token, or the paste's other lines, as commands).
func TestPasteAtTheHiddenPrompt(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash to stand for the shell")
	}
	bin := buildMaketoken(t)
	e := newPtyEnv(t, bin)
	token := e.zone.AdminToken()
	// The credential must come from the prompt, not the environment.
	e.env = withoutCredentialEnv(e.env)
	// Each login stores in a credentials file of its own.
	var credentials string
	login := func(t *testing.T, cols int) *ptySession {
		credentials = filepath.Join(t.TempDir(), "credentials.yaml")
		return startOnPty(t, e, cols, []string{"MAKETOKEN_CREDENTIALS_FILE=" + credentials}, "login", "-z", "eu1", "--insecure-storage")
	}
	const question = "shown:"
	count := fmt.Sprintf("(%d characters)", len(token))

	stored := func(t *testing.T) {
		t.Helper()
		data, err := os.ReadFile(credentials)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), token) {
			t.Fatalf("the pasted token was not stored:\n%s", data)
		}
	}
	secret := func(t *testing.T, out string) {
		t.Helper()
		if strings.Contains(out, token) || strings.Contains(out, token[:8]) {
			t.Fatalf("the token was shown on the terminal:\n%s", out)
		}
	}

	// At the widths a person's terminal has (and the issue tried).
	for _, cols := range []int{60, 79, 80, 200} {
		t.Run(fmt.Sprintf("a paste that starts with a newline is asked again at %d columns", cols), func(t *testing.T) {
			p := login(t, cols)
			p.expect(question)
			p.send("\n" + token + "\n")
			if code := p.wait(); code != 0 {
				t.Fatalf("exit %d, want 0 (asked again, then logged in):\n%s", code, p.output())
			}
			questionFits(t, p.output(), cols, question)
			out := vtscreen.Render([]byte(p.output()), cols).Text()
			if n := strings.Count(out, question); n != 2 {
				t.Errorf("the question was shown %d times, want 2 (asked again after the empty line):\n%s", n, out)
			}
			if !strings.Contains(out, question+" "+count) {
				t.Errorf("the second question does not show the paste arrived (%s):\n%s", count, out)
			}
			if strings.Contains(out, "empty") || !strings.Contains(out, "Logged in to zone eu1") {
				t.Errorf("not logged in with the pasted token:\n%s", out)
			}
			secret(t, out)
			stored(t)
			p.shellReceivesNothing()
		})
	}

	t.Run("a multi-line paste sends nothing to the shell", func(t *testing.T) {
		p := login(t, 200)
		p.expect(question)
		p.send(token + "\necho second line\necho third line\n")
		if code := p.wait(); code != 0 {
			t.Fatalf("exit %d, want 0 (logged in with the first line):\n%s", code, p.output())
		}
		secret(t, p.output())
		stored(t)
		p.shellReceivesNothing()
	})

	t.Run("a refused paste sends nothing to the shell either", func(t *testing.T) {
		p := login(t, 200)
		p.expect(question)
		p.send("not a token\n" + token + "\n")
		if code := p.wait(); code != 2 {
			t.Fatalf("exit %d, want 2 (not a token):\n%s", code, p.output())
		}
		secret(t, p.output())
		p.shellReceivesNothing()
	})

	t.Run("a paste shows that it arrived", func(t *testing.T) {
		p := login(t, 200)
		p.expect(question)
		p.send(token) // no newline: the person has yet to press Enter
		p.expect(count)
		secret(t, p.output())
		p.send("\r")
		if code := p.wait(); code != 0 {
			t.Fatalf("exit %d:\n%s", code, p.output())
		}
		secret(t, p.output())
		stored(t)
	})

	t.Run("at 60 columns the question wraps and the count stays on its row", func(t *testing.T) {
		p := login(t, 60)
		p.expect(question)
		questionFits(t, p.output(), 60, question)
		p.send(token[:10])
		p.expect("(10 characters)")
		p.send(token[10:])
		p.expect(count)
		p.send("\x7f\x7f") // Backspace: two fewer
		p.expect(fmt.Sprintf("(%d characters)", len(token)-2))
		p.send(token[len(token)-2:] + "\r")
		if code := p.wait(); code != 0 {
			t.Fatalf("exit %d:\n%s", code, p.output())
		}
		questionFits(t, p.output(), 60, question)
		screen := vtscreen.Render([]byte(p.output()), 60)
		var last string
		for _, l := range screen.Lines() {
			if strings.Contains(l, question) {
				last = l
			}
		}
		if !strings.HasSuffix(last, question+" "+count) {
			t.Errorf("the question's last row is %q, want it to end %q:\n%s", last, question+" "+count, screen.Text())
		}
		secret(t, p.output())
		stored(t)
	})
}

// questionFits fails t unless the hidden prompt's question, as out shows
// it on a terminal cols wide, fits: no row of it wider than the terminal,
// and each row after its first at the hanging indent (raw mode must not
// turn off the newline's carriage return: the rows would stair-step).
func questionFits(t *testing.T, out string, cols int, question string) {
	t.Helper()
	screen := vtscreen.Render([]byte(out), cols)
	for _, row := range screen.WrappedRows {
		if strings.Contains(row, "API token for") || strings.Contains(row, question) || strings.Contains(row, "characters)") {
			t.Fatalf("the question is wider than %d columns: %q\n%s", cols, row, screen.Text())
		}
	}
	rows, first := screen.Lines(), -1
	for i, l := range rows {
		if strings.HasPrefix(l, "Paste the Make API token") {
			first = i
		}
		if first >= 0 && strings.Contains(l, question) {
			for _, r := range rows[first+1 : i+1] {
				if !strings.HasPrefix(r, "  ") || strings.HasPrefix(r, "   ") {
					t.Fatalf("a row of the question %q does not start at the hanging indent (a newline without a carriage return?):\n%s", r, screen.Text())
				}
			}
			return
		}
	}
	t.Fatalf("no question on the screen:\n%s", screen.Text())
}

// ptySession is a session whose test keeps the terminal's own end, to run
// something else on the same terminal after maketoken has gone.
type ptySession struct {
	*session
	tty *os.File
}

// startOnPty runs maketoken on a new pseudo-terminal cols wide, as its
// controlling terminal, as a shell would, with env added to e's.
func startOnPty(t *testing.T, e *ptyEnv, cols int, env []string, args ...string) *ptySession {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: uint16(cols)}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(e.bin, args...)
	cmd.Env = append(e.env[:len(e.env):len(e.env)], env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := newSession(t, cmd, ptmx)
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		tty.Close()
		ptmx.Close()
	})
	return &ptySession{session: s, tty: tty}
}

// wait is session's, without waiting for the output to end: the test
// keeps the terminal open, so it never does.
func (p *ptySession) wait() int {
	p.t.Helper()
	err := p.cmd.Wait()
	time.Sleep(200 * time.Millisecond) // the last output, read by the reader
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		p.t.Fatalf("wait: %v", err)
	}
	return 0
}

// shellReceivesNothing runs bash on the terminal maketoken has left, as
// the shell that started it would read its next command, and fails if any
// input was waiting for it.
func (p *ptySession) shellReceivesNothing() {
	p.t.Helper()
	const script = `IFS= read -r -t 1 -n 4096 got; printf 'SHELL GOT [%s]\n' "$got"`
	cmd := exec.Command("bash", "--norc", "--noprofile", "-c", script)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "TERM=dumb"}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = p.tty, p.tty, p.tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	before := len(p.output())
	if err := cmd.Run(); err != nil {
		p.t.Fatalf("the shell: %v", err)
	}
	answer := regexp.MustCompile(`SHELL GOT \[[^]]*\]`)
	p.waitUntil(5*time.Second, "no answer from the shell", func() bool { return answer.MatchString(p.output()[before:]) })
	got := p.output()[before:]
	if !strings.Contains(got, "SHELL GOT []") {
		p.t.Errorf("the shell received input maketoken left on the terminal:\n%s", got)
	}
}
