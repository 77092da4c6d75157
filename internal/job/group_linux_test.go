package job

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// gone reports whether the process pid has ended (a zombie nobody reaped
// counts: it runs no more).
func gone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) == 0 || fields[0] == "Z"
}

func waitGone(pid int, d time.Duration) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if gone(pid) {
			return true
		}
	}
	return gone(pid)
}

// readPid waits for a process id written to path.
func readPid(t *testing.T, path string) int {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil && strings.HasSuffix(string(b), "\n") {
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			return pid
		}
	}
	t.Fatalf("no process id in %s", path)
	return 0
}

// TestStartFails: a program that cannot start is an error, and no job.
func TestStartFails(t *testing.T) {
	if j, err := Start(exec.Command("/no/such/program"), Options{}); err == nil || j != nil {
		t.Fatalf("Start of a missing program = %v, %v", j, err)
	}
}

// TestKillReachesTheGroup: Kill and Signal reach what the command started
// in its process group, not the command alone.
func TestKillReachesTheGroup(t *testing.T) {
	for _, end := range []func(j *Job){
		func(j *Job) { j.Kill() },
		func(j *Job) { j.Signal(syscall.SIGTERM) },
	} {
		pidFile := filepath.Join(t.TempDir(), "pid")
		j := start(t, "sleep 60 & echo $! > "+pidFile+"; wait")
		child := readPid(t, pidFile)
		end(j)
		st := next(t, j)
		if st.Exit == nil || st.Exit.Success() {
			t.Fatalf("%+v", st)
		}
		if !waitGone(child, 5*time.Second) {
			_ = syscall.Kill(child, syscall.SIGKILL)
			t.Errorf("the command's child %d outlived it", child)
		}
	}
	j := start(t, "sleep 60")
	j.Kill()
	if st := next(t, j); st.Exit == nil || st.Exit.Signal != syscall.SIGKILL {
		t.Fatalf("Kill: %+v", st.Exit)
	}
}

// TestDieWithParent: with DieWithParent the command dies with the process
// that started it (here a helper that is killed); without, it lives on.
func TestDieWithParent(t *testing.T) {
	for _, die := range []bool{true, false} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDieWithParentHelper$")
		cmd.Env = append(os.Environ(), "JOB_ORPHAN_HELPER="+strconv.FormatBool(die))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		pid, perr := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(line), "job="))
		if err != nil || perr != nil {
			_ = cmd.Process.Kill()
			t.Fatalf("helper said %q: %v %v", line, err, perr)
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		wait := time.Second // enough for a SIGKILL that was coming
		if die {
			wait = 10 * time.Second
		}
		died := waitGone(pid, wait)
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		if died != die {
			t.Errorf("DieWithParent %v: the command died with its parent: %v", die, died)
		}
	}
}

func TestDieWithParentHelper(t *testing.T) {
	die, err := strconv.ParseBool(os.Getenv("JOB_ORPHAN_HELPER"))
	if err != nil {
		t.Skip("run by TestDieWithParent")
	}
	j, err := Start(exec.Command("sleep", "60"), Options{DieWithParent: die})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("job=%d\n", j.pid)
	time.Sleep(time.Minute)
}
