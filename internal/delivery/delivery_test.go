//go:build linux

package delivery

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const secret = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0" // 36 bytes, as Make's tokens

func run(t *testing.T, ctx context.Context, script string, envName string) (Result, string) {
	t.Helper()
	var out bytes.Buffer
	c := &Command{Args: []string{"sh", "-c", script}, Env: os.Environ(), EnvName: envName, Stdout: &out, Stderr: &out, Grace: 500 * time.Millisecond}
	res, err := c.Run(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	return res, out.String()
}

// stopAfter is a context that ends after d, as --timeout does.
func stopAfter(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// TestRule runs real commands through each case of the rule: what they
// did, what Run concludes, and what that means for the secret.
func TestRule(t *testing.T) {
	dir := t.TempDir()
	got := filepath.Join(dir, "got")
	for _, tc := range []struct {
		name    string
		stop    time.Duration // 0: not stopped
		script  string
		env     string
		outcome Outcome
		holding Holding
		read    int
		account string
	}{
		{name: "reads all, exits 0", script: "cat > " + got, outcome: Delivered, holding: Holds, read: 36, account: "exited with 0"},
		{name: "exit 0 without reading", script: "exit 0", outcome: LeftUnread, holding: DoesNotHold, account: "exited with 0 but read none of the 36 bytes of the token, so it cannot hold it"},
		{name: "reads 12 of 36, exits 0", script: "head -c 12 >/dev/null", outcome: LeftUnread, holding: DoesNotHold, read: 12, account: "exited with 0 but read only 12 of the 36 bytes of the token, so it cannot hold it"},
		{name: "reads all, exits 3", script: "cat >/dev/null; exit 3", outcome: Failed, holding: DoesNotHold, read: 36, account: "exited with 3"},
		{name: "exits 1 without reading", script: "exit 1", outcome: Failed, holding: DoesNotHold, account: "exited with 1"},
		{name: "stopped before reading", stop: 300 * time.Millisecond, script: "sleep 60", outcome: NotRead, holding: DoesNotHold, account: "did not finish in time and was stopped before it read the token"},
		{name: "stopped after reading part", stop: 300 * time.Millisecond, script: "head -c 5 >/dev/null; sleep 60", outcome: NotRead, holding: DoesNotHold, read: 5, account: "did not finish in time and was stopped after it read only 5 of the 36 bytes of the token, so it cannot hold it"},
		// Stopped after it read all, and it exits 1 on the polite signal,
		// by itself: it has not said it did not store it.
		{name: "stopped after reading, exits 1 on SIGTERM", stop: 300 * time.Millisecond, script: "cat >/dev/null; trap 'exit 1' TERM; sleep 60 & wait", outcome: Unknown, holding: MayHold, read: 36, account: "did not finish in time and was stopped after it read the token, so whether it stored it is not known"},
		{name: "stopped after reading, killed", stop: 300 * time.Millisecond, script: "cat >/dev/null; sleep 60", outcome: Unknown, holding: MayHold, read: 36},
		{name: "reads all, killed by a signal", script: "cat >/dev/null; kill -KILL $$", outcome: Unknown, holding: MayHold, read: 36, account: "was killed by SIGKILL after it read the token, so whether it stored it is not known"},
		{name: "reads none, killed by a signal", script: "kill -KILL $$", outcome: NotRead, holding: DoesNotHold, account: "was killed by SIGKILL before it read the token"},
		{name: "in the environment, exit 0", script: `[ "$V" = ` + secret + ` ]`, env: "V", outcome: Delivered, holding: Holds},
		{name: "in the environment, exit 1", script: "exit 1", env: "V", outcome: Failed, holding: DoesNotHold},
		{name: "in the environment, stopped", stop: 300 * time.Millisecond, script: "sleep 60", env: "V", outcome: Unknown, holding: MayHold, account: "did not finish in time and was stopped while it had the token in $V, so whether it stored it is not known"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.stop > 0 {
				ctx = stopAfter(t, tc.stop)
			}
			res, out := run(t, ctx, tc.script, tc.env)
			if res.Outcome != tc.outcome || res.Holding() != tc.holding || res.Read != tc.read {
				t.Fatalf("%+v (holding %v), want outcome %v, holding %v, read %d\n%s", res, res.Holding(), tc.outcome, tc.holding, tc.read, out)
			}
			if tc.env == "" && res.Size != len(secret) || tc.env != "" && res.Size != 0 {
				t.Errorf("size %d", res.Size)
			}
			if tc.account != "" && res.Account("the token") != tc.account {
				t.Errorf("account %q, want %q", res.Account("the token"), tc.account)
			}
			if tc.stop > 0 && !errors.Is(res.Stopped, context.DeadlineExceeded) {
				t.Errorf("stopped %v", res.Stopped)
			}
		})
	}
	if b, _ := os.ReadFile(got); string(b) != secret {
		t.Errorf("cat got %q", b)
	}
}

// The zero values never claim more than "may hold": a caller that
// switches on Holding with a default of "unknown" is safe.
func TestZeroIsUnknown(t *testing.T) {
	var r Result
	if r.Outcome != Unknown || r.Holding() != MayHold {
		t.Fatalf("zero Result: %v %v", r.Outcome, r.Holding())
	}
	if (Result{Outcome: 99}).Holding() != MayHold {
		t.Fatal("an outcome nobody knows must be MayHold")
	}
}

// A reader the command leaves behind finds the pipe drained: it can never
// read the secret after Run decided that the command did not take it.
func TestLateReaderFindsNothing(t *testing.T) {
	dir := t.TempDir()
	late := filepath.Join(dir, "late")
	for _, script := range []string{
		"exec 3<&0; (sleep 0.5; cat <&3 > " + late + ".tmp; mv " + late + ".tmp " + late + ") & exit 1",
		"exec 3<&0; (sleep 0.5; cat <&3 > " + late + ".tmp; mv " + late + ".tmp " + late + ") & exit 0",
	} {
		_ = os.Remove(late)
		res, out := run(t, context.Background(), script, "")
		if res.Holding() != DoesNotHold || res.Read != 0 {
			t.Fatalf("%+v\n%s", res, out)
		}
		waitFor(t, late)
		if b, _ := os.ReadFile(late); len(b) != 0 {
			t.Fatalf("the late reader read %q", b)
		}
	}
}

func waitFor(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared", path)
		}
	}
}

// A stopped command gets SIGTERM first, and time to act on it: here it
// writes a note and exits well within the grace time. Without the polite
// signal it would be killed at the end of the grace time, note unwritten.
func TestStopIsPolite(t *testing.T) {
	note := filepath.Join(t.TempDir(), "note")
	c := &Command{Args: []string{"sh", "-c", "trap 'echo term > " + note + "; exit 7' TERM; sleep 60 & wait"}, Grace: 5 * time.Second}
	start := time.Now()
	res, err := c.Run(stopAfter(t, 300*time.Millisecond), secret)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("took %v: the command was not asked to stop", d)
	}
	if b, _ := os.ReadFile(note); string(b) != "term\n" || res.ExitCode != 7 {
		t.Errorf("note %q, %+v", b, res)
	}
}

// A command that ignores SIGTERM, and leaves a child holding its output,
// is still ended after the grace time.
func TestStopIsForced(t *testing.T) {
	start := time.Now()
	res, _ := run(t, stopAfter(t, 200*time.Millisecond), "trap '' TERM; sleep 60 & sleep 60", "")
	if res.Outcome != NotRead || res.Signal != "SIGKILL" || !strings.Contains(res.Describe(), "stopped") {
		t.Fatalf("%+v", res)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("took %v", d)
	}
}

// The grace time is the time a stopped command has to finish: one that
// needs 1.2 s after SIGTERM finishes within the default grace time, and
// one that ignores SIGTERM is killed after it, within 2.8 s.
func TestDefaultGrace(t *testing.T) {
	note := filepath.Join(t.TempDir(), "note")
	slow := &Command{Args: []string{"sh", "-c", "trap 'sleep 1.2; echo done > " + note + "; exit 0' TERM; sleep 60 & wait"}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(300*time.Millisecond, cancel)
	if _, err := slow.Run(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(note); string(b) != "done\n" {
		t.Errorf("a command that needed 1.2 s was not given them (note %q)", b)
	}

	deaf := &Command{Args: []string{"sh", "-c", "trap '' TERM; sleep 60 & wait"}}
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	var at time.Time
	time.AfterFunc(300*time.Millisecond, func() { at = time.Now(); cancel2() })
	res, err := deaf.Run(ctx2, secret)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(at)
	if took < DefaultGrace-100*time.Millisecond || took > 2800*time.Millisecond {
		t.Errorf("killed %v after the stop; the documented grace time is 2s (%+v)", took, res)
	}
}

// What a stopped command started dies with it, even what ignores SIGTERM
// and outlives the command itself.
func TestStopKillsWhatItStarted(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	script := `sh -c 'trap "" TERM; echo $$ > ` + pidFile + `.tmp; mv ` + pidFile + `.tmp ` + pidFile + `; exec sleep 60' &
trap 'exit 0' TERM
while [ ! -e ` + pidFile + ` ]; do sleep 0.05; done
sleep 60 & wait`
	c := &Command{Args: []string{"sh", "-c", script}, Grace: 5 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { waitFor(t, pidFile); cancel() }()
	start := time.Now()
	if _, err := c.Run(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 4*time.Second {
		t.Fatal("the command itself did not stop on SIGTERM")
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(2 * time.Second); alive(pid); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("what the command started (pid %d) outlived it", pid)
		}
	}
}

// alive reports whether pid runs (a zombie has ended).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// A command that stops is not waited for until the time limit: it is
// ended at once, the stop named, and the rule applied.
func TestStoppedCommand(t *testing.T) {
	start := time.Now()
	res, out := run(t, stopAfter(t, 30*time.Second), "kill -STOP $$; cat >/dev/null", "")
	var s *SuspendedError
	if !errors.As(res.Stopped, &s) || res.Outcome != NotRead || res.Holding() != DoesNotHold {
		t.Fatalf("%+v\n%s", res, out)
	}
	if want := "was stopped by SIGSTOP and was ended before it read the token"; res.Account("the token") != want {
		t.Errorf("account %q, want %q", res.Account("the token"), want)
	}
	res, out = run(t, stopAfter(t, 30*time.Second), "cat >/dev/null; kill -TSTP $$; exit 0", "")
	if !errors.As(res.Stopped, &s) || res.Outcome != Unknown || res.Read != len(secret) {
		t.Fatalf("%+v\n%s", res, out)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v: the stops were waited out", d)
	}

	// Stopped, it is continued to act on SIGTERM: a command that traps it
	// writes its note and exits, long before the grace time.
	note := filepath.Join(t.TempDir(), "note")
	c := &Command{Args: []string{"sh", "-c", "trap 'echo term > " + note + "; exit 0' TERM; kill -STOP $$; sleep 60"}, Grace: 5 * time.Second}
	start = time.Now()
	if _, err := c.Run(stopAfter(t, 30*time.Second), secret); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(note); string(b) != "term\n" || time.Since(start) > 4*time.Second {
		t.Errorf("a stopped command was not continued to act on SIGTERM (note %q, %v)", b, time.Since(start))
	}
}
