//go:build unix

package job

import (
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// exec's signal forwarding, tested here where it lives (the scripts and
// pty tests in cmd/maketoken run it end to end): a signal caught before
// the job started is passed on once it has, the same signal twice within
// BurstWindow reaches the job once, and again after it; a hang-up is
// passed on when the terminal has not gone.
func TestForwarderPassesEachSignalOnce(t *testing.T) {
	dir := t.TempDir()
	log, ready := filepath.Join(dir, "log"), filepath.Join(dir, "ready")
	// Run under nohup, this process ignores SIGHUP and so would the job,
	// whose trap a shell then refuses to set: caught here, the job gets
	// the default action back at its exec.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	fw := &Forwarder{}
	fw.Pass(syscall.SIGUSR1) // no job yet: held
	j := start(t, "trap 'echo USR1 >> "+log+"' USR1; trap 'echo USR2 >> "+log+"' USR2; trap 'echo HUP >> "+log+"' HUP; trap 'echo TERM >> "+log+"; exit 0' TERM; touch "+ready+"; while :; do sleep 0.02; done")
	waitFor(t, func() bool { _, err := os.Stat(ready); return err == nil })
	fw.Start(j)
	waitFor(t, func() bool { return strings.Count(read(log), "USR1") == 1 })
	fw.Pass(syscall.SIGUSR2)
	waitFor(t, func() bool { return strings.Count(read(log), "USR2") == 1 })
	fw.Pass(syscall.SIGUSR2) // within BurstWindow of the first: the same signal
	time.Sleep(BurstWindow + 50*time.Millisecond)
	if n := strings.Count(read(log), "USR2"); n != 1 {
		t.Fatalf("the same signal twice within BurstWindow reached the job %d times", n)
	}
	fw.Pass(syscall.SIGUSR2) // after it: a new one
	waitFor(t, func() bool { return strings.Count(read(log), "USR2") == 2 })
	// A hang-up is passed on like any other signal while the terminal
	// has not hung up (here the job has no terminal at all): only a
	// terminal that went away delivers one itself.
	fw.Pass(syscall.SIGHUP)
	waitFor(t, func() bool { return strings.Count(read(log), "HUP") == 1 })
	fw.Pass(syscall.SIGTERM)
	if st := next(t, j); st.Exit == nil || !st.Exit.Success() {
		t.Fatalf("%+v", st)
	}
	if got := read(log); got != "USR1\nUSR2\nUSR2\nHUP\nTERM\n" {
		t.Errorf("the job got:\n%s", got)
	}
}

// Run hands the forwarder's Pass to the signal owner for as long as the
// job runs, returns how it ended, and fails for a command that cannot
// start.
func TestRunReturnsTheExit(t *testing.T) {
	var passed, unpassed int
	pass := func(func(os.Signal)) func() { passed++; return func() { unpassed++ } }
	exit, err := Run(exec.Command("sh", "-c", "exit 3"), pass)
	if err != nil || exit == nil || exit.Code != 3 || passed != 1 || unpassed != 1 {
		t.Fatalf("Run = %+v, %v (pass %d, unpass %d)", exit, err, passed, unpassed)
	}
	if exit, err := Run(exec.Command(filepath.Join(t.TempDir(), "no-such-program")), pass); err == nil || exit != nil {
		t.Errorf("Run of a program that is not there = %+v, %v", exit, err)
	}
}

func read(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("timed out")
		}
	}
}

// A signal Run's owner passes on reaches the command.
func TestRunPassesSignalsOn(t *testing.T) {
	pass := func(p func(os.Signal)) func() {
		time.AfterFunc(300*time.Millisecond, func() { p(syscall.SIGTERM) })
		return func() {}
	}
	exit, err := Run(exec.Command("sh", "-c", "trap 'exit 7' TERM; sleep 10 & wait"), pass)
	if err != nil || exit == nil || exit.Code != 7 {
		t.Errorf("Run = %+v, %v; want exit 7 from the passed SIGTERM", exit, err)
	}
}

// exec exits with the command's code, or 128+N when signal N killed it,
// as a shell reports it.
func TestExitStatus(t *testing.T) {
	if s := (&Exit{Code: 3}).Status(); s != 3 {
		t.Errorf("exit 3: status %d", s)
	}
	if s := (&Exit{Code: -1, Signal: syscall.SIGTERM}).Status(); s != 143 {
		t.Errorf("SIGTERM: status %d, want 143", s)
	}
}
