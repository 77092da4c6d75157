package job

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/maketoken/maketoken/internal/testkit"
	"golang.org/x/sys/unix"
)

// TestTakeTerminal runs a helper (this test binary) as the leader of a
// session on a pseudo-terminal, as a shell would run maketoken: the job it
// starts must have the terminal's foreground while it runs, and the helper
// must get it back afterwards without being stopped, and without leaving
// SIGTTOU ignored or blocked anywhere (later commands would inherit it).
func TestTakeTerminal(t *testing.T) {
	out, err := runOnTerminal(t, "TestTerminalHelper", "1", "the helper did not end (stopped by SIGTTOU?)")
	if err != nil || !strings.Contains(out.String(), "job-foreground=1") || !strings.Contains(out.String(), "taken-back=true ttou-ignored=false ttou-blocked=false") {
		t.Fatalf("%v:\n%s", err, out.String())
	}
	// A job that stops: the terminal comes back, and goes to the job again
	// when it is continued; nothing stays open.
	for _, want := range []string{"failed-start-left-open=0", "after-failed-start-foreground-is-ours=true", "closed-left-open=0", "stopped-taken-back=true hung-up=false", "continued-foreground=1", "continued-left-open=0"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the helper did not say %q:\n%s", want, out.String())
		}
	}
}

// runOnTerminal runs the helper test named (this test binary, with
// JOB_TERMINAL_HELPER=env) as the leader of a session on a
// pseudo-terminal, as a shell would run maketoken, and returns what it
// wrote there and how it ended; stuck says what it means if it does not
// end.
func runOnTerminal(t *testing.T, helper, env, stuck string) (*bytes.Buffer, error) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skip("no pseudo-terminal:", err)
	}
	defer ptmx.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^"+helper+"$")
	cmd.Env = append(os.Environ(), "JOB_TERMINAL_HELPER="+env)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	var out bytes.Buffer
	done := make(chan struct{})
	go func() { _, _ = io.Copy(&out, ptmx); close(done) }()
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err = <-waited:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal(stuck)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	return &out, err
}

func TestTerminalHelper(t *testing.T) {
	if os.Getenv("JOB_TERMINAL_HELPER") != "1" {
		t.Skip("run by TestTakeTerminal")
	}
	// The runtime's poller, made at the first pipe, stays open: count
	// after it.
	if r, w, err := os.Pipe(); err == nil {
		r.Close()
		w.Close()
	}
	open := testkit.OpenFiles(t)
	// A job that cannot start leaves the terminal closed, and in
	// maketoken's hands (the child took it before its exec failed).
	if _, err := Start(exec.Command("/no/such/program"), Options{Terminal: true}); err == nil {
		t.Fatal("a missing program started")
	}
	fmt.Printf("failed-start-left-open=%d\n", testkit.OpenFiles(t)-open)
	if tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
		fg, _ := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
		fmt.Printf("after-failed-start-foreground-is-ours=%v\n", fg == unix.Getpgrp())
		tty.Close()
	}

	// The job says whether its process group is the terminal's
	// foreground group (fields 5 and 8 of /proc/PID/stat).
	cmd := exec.Command("sh", "-c", `awk '{ print "job-foreground=" ($5 == $8) }' /proc/$$/stat`)
	cmd.Stdout = os.Stdout
	j, err := Start(cmd, Options{Terminal: true})
	if err != nil {
		t.Fatal(err)
	}
	for st := range j.Changes() {
		if st.Exit != nil && !st.Exit.Success() {
			t.Fatalf("%+v", st.Exit)
		}
	}
	j.TakeTerminal()
	fg, _ := unix.IoctlGetInt(int(j.Terminal().Fd()), unix.TIOCGPGRP)
	j.Close()
	fmt.Printf("taken-back=%v ttou-ignored=%v ttou-blocked=%v\n", fg == unix.Getpgrp(), sigBit("SigIgn", "/proc/self/status"), anyThreadBlocks())
	fmt.Printf("closed-left-open=%d\n", testkit.OpenFiles(t)-open)

	// A job that stops itself (as Ctrl-Z would), and is continued in the
	// foreground (fg).
	cmd = exec.Command("sh", "-c", `kill -STOP $$; awk '{ print "continued-foreground=" ($5 == $8) }' /proc/$$/stat`)
	cmd.Stdout = os.Stdout
	if j, err = Start(cmd, Options{Terminal: true}); err != nil {
		t.Fatal(err)
	}
	if st := <-j.Changes(); st.Stopped == nil {
		t.Fatalf("%+v", st)
	}
	j.TakeTerminal()
	fg, _ = unix.IoctlGetInt(int(j.Terminal().Fd()), unix.TIOCGPGRP)
	fmt.Printf("stopped-taken-back=%v hung-up=%v\n", fg == unix.Getpgrp(), j.TerminalHungUp())
	j.Continue()
	for st := range j.Changes() {
		if st.Exit != nil && !st.Exit.Success() {
			t.Fatalf("%+v", st.Exit)
		}
	}
	j.TakeTerminal()
	j.Close()
	fmt.Printf("continued-left-open=%d\n", testkit.OpenFiles(t)-open)
}

// sigBit reports whether SIGTTOU is in the mask named field of a status
// file.
func sigBit(field, path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			m, _ := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return m&(1<<(unix.SIGTTOU-1)) != 0
		}
	}
	return false
}

// anyThreadBlocks reports whether a thread of this process keeps SIGTTOU
// blocked. A thread seen blocking it is looked at again: Go's runtime
// blocks every signal for the moment it starts or ends a thread, which a
// loaded machine shows now and then, and a mask that foreground left
// behind would stay.
func anyThreadBlocks() bool {
	tasks, _ := filepath.Glob("/proc/self/task/*/status")
	for _, p := range tasks {
		blocked := true
		for i := 0; i < 5 && blocked; i++ {
			if i > 0 {
				time.Sleep(10 * time.Millisecond)
			}
			blocked = sigBit("SigBlk", p)
		}
		if blocked {
			return true
		}
	}
	return false
}

// TestRestoreTerminal: a command that turns the terminal's echo off as
// the first thing it does (a password prompt) and is then killed must
// not leave echo off. The settings RestoreTerminal puts back are the
// ones from before the command ran: maketoken used to read them after
// starting it, and on a loaded machine the command had already turned
// echo off by then, so that echo was "restored" off
// (TestStoreCommandOnTerminal/echo_put_back failed under load). Here the
// command has ended before RestoreTerminal is called, so settings read
// any time after it started would be its own.
func TestRestoreTerminal(t *testing.T) {
	out, err := runOnTerminal(t, "TestRestoreTerminalHelper", "restore", "the helper did not end")
	if err != nil || !strings.Contains(out.String(), "echo-during=false echo-after=true") {
		t.Fatalf("%v:\n%s", err, out.String())
	}
}

func TestRestoreTerminalHelper(t *testing.T) {
	if os.Getenv("JOB_TERMINAL_HELPER") != "restore" {
		t.Skip("run by TestRestoreTerminal")
	}
	echo := func(tty *os.File) bool {
		tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		return err == nil && tio.Lflag&unix.ECHO != 0
	}
	cmd := exec.Command("sh", "-c", "stty -echo < /dev/tty; kill -KILL $$")
	j, err := Start(cmd, Options{Terminal: true})
	if err != nil {
		t.Fatal(err)
	}
	for range j.Changes() {
	}
	during := echo(j.Terminal())
	j.TakeTerminal()
	j.RestoreTerminal()
	after := echo(j.Terminal())
	j.Close()
	fmt.Printf("echo-during=%v echo-after=%v\n", during, after)
}
