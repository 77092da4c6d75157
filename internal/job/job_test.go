//go:build unix

package job

import (
	"bytes"
	"errors"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

func start(t *testing.T, script string) *Job {
	t.Helper()
	j, err := Start(exec.Command("sh", "-c", script), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A test that fails half-way must not leave its job running (several
	// loop until signalled): it would outlive go test, holding whatever
	// descriptors go test was given.
	t.Cleanup(j.Kill)
	return j
}

func next(t *testing.T, j *Job) Status {
	t.Helper()
	select {
	case st := <-j.Changes():
		return st
	case <-time.After(10 * time.Second):
		t.Fatal("no change")
	}
	return Status{}
}

func TestExitAndSignal(t *testing.T) {
	if st := next(t, start(t, "exit 3")); st.Exit == nil || st.Exit.Code != 3 || st.Exit.Signal != nil || st.Exit.Success() {
		t.Fatalf("%+v", st.Exit)
	}
	if st := next(t, start(t, "exit 0")); !st.Exit.Success() {
		t.Fatalf("%+v", st.Exit)
	}
	st := next(t, start(t, "kill -TERM $$"))
	if st.Exit.Signal != syscall.SIGTERM || st.Exit.Code != -1 || st.Exit.Success() || SignalName(st.Exit.Signal) != "SIGTERM" {
		t.Fatalf("%+v", st.Exit)
	}
}

// A stop is reported, and the job goes on when continued; signals go to
// its whole process group.
func TestStopContinueSignal(t *testing.T) {
	j := start(t, "kill -STOP $$; sleep 60 & wait")
	st := next(t, j)
	if st.Stopped != syscall.SIGSTOP || st.Exit != nil {
		t.Fatalf("%+v", st)
	}
	j.Continue()
	time.Sleep(100 * time.Millisecond)
	j.Signal(syscall.SIGTERM)
	if st := next(t, j); st.Exit == nil || st.Exit.Signal != syscall.SIGTERM {
		t.Fatalf("%+v", st)
	}
	if _, ok := <-j.Changes(); ok {
		t.Fatal("Changes not closed after the end")
	}
}

func TestOnlyFiles(t *testing.T) {
	cmd := exec.Command("true")
	cmd.Stdout = &bytes.Buffer{}
	if _, err := Start(cmd, Options{}); !errors.Is(err, ErrNotFile) {
		t.Fatalf("err = %v", err)
	}
}
