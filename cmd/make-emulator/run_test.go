//go:build unix

package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runEmulator starts `make-emulator run -- ARGS...` without a terminal, in
// a session of its own, with TMPDIR pointing at an empty folder.
func runEmulator(t *testing.T, bin string, args ...string) (cmd *exec.Cmd, stdout *bufio.Reader, stderr *strings.Builder, tmp string) {
	t.Helper()
	tmp = t.TempDir()
	cmd = exec.Command(filepath.Join(bin, "make-emulator"), append([]string{"run", "--"}, args...)...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + tmp, "TMPDIR=" + tmp}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	stderr = &strings.Builder{}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewReader(out), stderr, tmp
}

func exitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return exitWithin(t, done, func() string {
		_ = cmd.Process.Kill()
		return "make-emulator did not end"
	})
}

// exitWithin is the exit code of the wait that done reports, within a
// minute; if it does not, the test ends with what timedOut says (after
// doing what it must).
func exitWithin(t *testing.T, done <-chan error, timedOut func() string) int {
	t.Helper()
	select {
	case err := <-done:
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			return ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(time.Minute):
		t.Fatal(timedOut())
		return -1
	}
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("%s after the run: %v %v", dir, entries, err)
	}
}

func TestRunExitsWithTheCommandsCode(t *testing.T) {
	bin := buildBinaries(t)
	for _, tc := range []struct {
		script string
		want   int
	}{
		{`maketoken list -z us1 -o json --jq '.[].label' | grep -qx reporting`, 0},
		{"exit 3", 3},
		{"kill -KILL $$", 128 + 9},
	} {
		cmd, out, stderr, tmp := runEmulator(t, bin, "sh", "-c", tc.script)
		go func() { _, _ = out.WriteTo(devNull{}) }()
		if code := exitCode(t, cmd); code != tc.want {
			t.Errorf("%q: exit %d, want %d; stderr:\n%s", tc.script, code, tc.want, stderr)
		}
		if !strings.HasPrefix(stderr.String(), "make-emulator: maketoken is wired to an in-memory emulator") {
			t.Errorf("%q: the first line does not say it is the emulator:\n%s", tc.script, stderr)
		}
		assertEmpty(t, tmp)
	}

	cmd, _, stderr, tmp := runEmulator(t, bin, "no-such-command-here")
	if code := exitCode(t, cmd); code != 127 || !strings.Contains(stderr.String(), "no-such-command-here: command not found") {
		t.Errorf("unknown command: exit %d, stderr %q; want 127", code, stderr)
	}
	assertEmpty(t, tmp)

	cmd, _, stderr, _ = runEmulator(t, bin)
	if code := exitCode(t, cmd); code != 2 || !strings.Contains(stderr.String(), "usage: make-emulator run") {
		t.Errorf("no command: exit %d, stderr %q; want 2", code, stderr)
	}
}

type devNull struct{}

func (devNull) Write(p []byte) (int, error) { return len(p), nil }

// A signal sent to make-emulator (not from a terminal) reaches the command;
// make-emulator waits for it, then stops the emulator and cleans up.
func TestRunForwardsSignals(t *testing.T) {
	bin := buildBinaries(t)
	for _, tc := range []struct {
		sig  syscall.Signal
		trap string
		want int
	}{
		{syscall.SIGTERM, "TERM", 7},
		{syscall.SIGINT, "INT", 8},
		{syscall.SIGHUP, "HUP", 9},
	} {
		cmd, out, stderr, tmp := runEmulator(t, bin, "sh", "-c",
			`trap 'echo caught; exit `+strconv.Itoa(tc.want)+`' `+tc.trap+`; echo ready; while :; do sleep 0.05; done`)
		if line, err := out.ReadString('\n'); err != nil || line != "ready\n" {
			t.Fatalf("%v: %q %v; stderr:\n%s", tc.sig, line, err, stderr)
		}
		if err := cmd.Process.Signal(tc.sig); err != nil {
			t.Fatal(err)
		}
		go func() { _, _ = out.WriteTo(devNull{}) }()
		if code := exitCode(t, cmd); code != tc.want {
			t.Errorf("%v: exit %d, want the command's %d; stderr:\n%s", tc.sig, code, tc.want, stderr)
		}
		assertEmpty(t, tmp)
	}
}
