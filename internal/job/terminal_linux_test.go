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
	"golang.org/x/sys/unix"
)

// TestTakeTerminal runs a helper (this test binary) as the leader of a
// session on a pseudo-terminal, as a shell would run maketoken: the job it
// starts must have the terminal's foreground while it runs, and the helper
// must get it back afterwards without being stopped, and without leaving
// SIGTTOU ignored or blocked anywhere (later commands would inherit it).
func TestTakeTerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skip("no pseudo-terminal:", err)
	}
	defer ptmx.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestTerminalHelper$")
	cmd.Env = append(os.Environ(), "JOB_TERMINAL_HELPER=1")
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
		t.Fatal("the helper did not end (stopped by SIGTTOU?)")
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	if err != nil || !strings.Contains(out.String(), "job-foreground=1") || !strings.Contains(out.String(), "taken-back=true ttou-ignored=false ttou-blocked=false") {
		t.Fatalf("%v:\n%s", err, out.String())
	}
}

func TestTerminalHelper(t *testing.T) {
	if os.Getenv("JOB_TERMINAL_HELPER") != "1" {
		t.Skip("run by TestTakeTerminal")
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

func anyThreadBlocks() bool {
	tasks, _ := filepath.Glob("/proc/self/task/*/status")
	for _, p := range tasks {
		if sigBit("SigBlk", p) {
			return true
		}
	}
	return false
}
