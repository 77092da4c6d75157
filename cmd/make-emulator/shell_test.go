//go:build linux

package main

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// shellOnTerminal starts `make-emulator shell` with the given $SHELL on a
// pseudo-terminal, with a fresh HOME.
func shellOnTerminal(t *testing.T, bin, shell string) (*exec.Cmd, *terminal, chan error) {
	t.Helper()
	return shellOnTerminalIn(t, bin, shell, t.TempDir())
}

// shellOnTerminalIn is shellOnTerminal with the given HOME, and more
// variables for the environment.
func shellOnTerminalIn(t *testing.T, bin, shell, home string, env ...string) (*exec.Cmd, *terminal, chan error) {
	t.Helper()
	if _, err := os.Stat(shell); err != nil {
		t.Skipf("no %s", shell)
	}
	cmd := exec.Command(filepath.Join(bin, "make-emulator"), "shell")
	cmd.Dir = home
	cmd.Env = append([]string{"HOME=" + home, "PATH=/usr/bin:/bin", "SHELL=" + shell, "TERM=xterm-256color", "LANG=C.UTF-8", "TMPDIR=" + home}, env...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	term := &terminal{f: f, changed: make(chan struct{}, 1)}
	go term.read()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() }) // fails harmlessly once it has ended
	return cmd, term, done
}

// sessionDetails asks the shell for the session's folder and eu1's URL.
func sessionDetails(t *testing.T, term *terminal) (dir, url string) {
	t.Helper()
	term.send(t, `echo "dir=${MAKETOKEN_CONFIG%/*} url=$(sed -n 's/^ *url: //p' "$MAKETOKEN_CONFIG" | head -n 1)"`+"\r")
	re := regexp.MustCompile(`dir=(/\S+) url=(http://\S+)`)
	term.wait(t, func(s string) bool { return re.MatchString(s) }, time.Minute)
	m := re.FindStringSubmatch(term.text())
	return m[1], m[2]
}

func exitOf(t *testing.T, done chan error, term *terminal) int {
	t.Helper()
	return exitWithin(t, done, func() string {
		return "make-emulator shell did not end; the terminal showed:\n" + term.text()
	})
}

// stopped checks that the session's emulator and folder are gone.
func stopped(t *testing.T, dir, url string) {
	t.Helper()
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the session's folder %s is still there: %v", dir, err)
	}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url+"/users/me", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("the emulator still answers at %s", url)
	}
}

func TestShellOnTerminal(t *testing.T) {
	bin := buildBinaries(t)
	for _, shell := range []string{"/bin/bash", "/bin/sh"} {
		t.Run(filepath.Base(shell), func(t *testing.T) {
			_, term, done := shellOnTerminal(t, bin, shell)
			term.waitFor(t, "(make-emulator) ", time.Minute)
			if first := strings.SplitN(term.text(), "\n", 2)[0]; !strings.HasPrefix(first, "make-emulator: maketoken is wired to an in-memory emulator") {
				t.Errorf("first line %q does not say it is the emulator", first)
			}
			term.send(t, "maketoken list\r")
			row := regexp.MustCompile(`(?m)^ci-nightly +`)
			term.wait(t, func(s string) bool { return row.MatchString(s) }, time.Minute)
			dir, url := sessionDetails(t, term)
			term.send(t, "exit 5\r")
			if code := exitOf(t, done, term); code != 5 {
				t.Errorf("exit %d, want the shell's 5", code)
			}
			stopped(t, dir, url)
		})
	}
}

// SIGTERM for make-emulator ends the shell (as a hang-up: an interactive
// shell ignores SIGTERM), and with it the emulator.
func TestShellEndsOnSIGTERM(t *testing.T) {
	bin := buildBinaries(t)
	cmd, term, done := shellOnTerminal(t, bin, "/bin/bash")
	term.waitFor(t, "(make-emulator) ", time.Minute)
	dir, url := sessionDetails(t, term)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := exitOf(t, done, term); code != 128+int(syscall.SIGHUP) {
		t.Errorf("exit %d, want %d (the shell ended by SIGHUP)", code, 128+int(syscall.SIGHUP))
	}
	stopped(t, dir, url)
}

// A shell that ignores SIGHUP gets it again each second, then is killed:
// make-emulator never waits for ever, and still cleans up.
func TestShellKilledWhenItIgnoresHangUps(t *testing.T) {
	bin := buildBinaries(t)
	cmd, term, done := shellOnTerminal(t, bin, "/bin/bash")
	term.waitFor(t, "(make-emulator) ", time.Minute)
	term.send(t, "trap '' HUP\r")
	dir, url := sessionDetails(t, term)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := exitOf(t, done, term); code != 128+int(syscall.SIGKILL) {
		t.Errorf("exit %d, want %d (the shell killed)", code, 128+int(syscall.SIGKILL))
	}
	stopped(t, dir, url)
}

// The user's startup files cannot undo the session: what ~/.bashrc or the
// file $ENV names exports of maketoken's or Make's variables (its own
// XDG_CONFIG_HOME, a real credential, MAKE_API_KEY) is put back to the
// session's, so a login inside still leaves the user's files alone.
func TestShellStartupFilesCannotUndoTheSession(t *testing.T) {
	bin := buildBinaries(t)
	const startup = `export XDG_CONFIG_HOME="$HOME/.config" XDG_CACHE_HOME="$HOME/.cache"
export MAKETOKEN_TOKEN_EU1=the-users-real-token MAKETOKEN_CONFIG="$HOME/real.yaml" MAKETOKEN_ZONE=us2
export MAKE_API_KEY=the-users-real-key MAKE_ZONE=eu2.make.com
`
	for _, shell := range []string{"/bin/bash", "/bin/sh"} {
		t.Run(filepath.Base(shell), func(t *testing.T) {
			home := t.TempDir()
			for _, name := range []string{".bashrc", ".shrc"} {
				if err := os.WriteFile(filepath.Join(home, name), []byte(startup), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, term, done := shellOnTerminalIn(t, bin, shell, home, "ENV=$HOME/.shrc")
			term.waitFor(t, "(make-emulator) ", time.Minute)
			dir, url := sessionDetails(t, term)
			term.send(t, `echo "cfg=$XDG_CONFIG_HOME cache=$XDG_CACHE_HOME zone=${MAKETOKEN_ZONE-none} key=${MAKE_API_KEY-none},${MAKE_ZONE-none} eu1=${MAKETOKEN_TOKEN_EU1%%-*}"`+"\r")
			term.send(t, `printf '%s\n' "$MAKETOKEN_TOKEN_EU2" | maketoken login -z eu2 --with-token --insecure-storage; echo "login=$?"`+"\r")
			term.waitFor(t, "login=", time.Minute)
			term.send(t, "exit\r")
			exitOf(t, done, term)
			out := term.text()
			want := regexp.MustCompile(`cfg=` + regexp.QuoteMeta(dir) + `/config cache=` + regexp.QuoteMeta(dir) + `/cache zone=none key=none,none eu1=[0-9a-f]{8}\b`)
			if !want.MatchString(out) {
				t.Errorf("the startup file's settings won inside the session (want %s):\n%s", want, out)
			}
			if !strings.Contains(out, "login=0") {
				t.Errorf("login inside the session failed:\n%s", out)
			}
			if _, err := os.Stat(filepath.Join(home, ".config")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the login inside wrote to the user's config folder: %v", err)
			}
			stopped(t, dir, url)
		})
	}
}
