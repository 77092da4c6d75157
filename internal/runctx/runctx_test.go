//go:build unix

package runctx

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
)

// silentError is an error whose command reported everything already.
type silentError struct{}

func (silentError) Error() string { return "exit code 7" }
func (silentError) Silent() bool  { return true }

// waitFor fails the test unless ctx ends within 10 s.
func waitFor(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal(what)
	}
}

// Signals are caught from the first wait on a command's context (Done),
// for every command context made, and no longer once none is watched.
func TestCatchFromTheFirstWait(t *testing.T) {
	var s Signals
	ctx1 := s.Context(context.Background(), time.Hour)
	defer ctx1.Stop()
	ctx2 := s.Context(context.Background(), time.Hour)
	if s.Catching() {
		t.Fatal("catching signals before anything waited on a command's context")
	}
	_ = ctx1.Done()
	_ = ctx1.Done() // idempotent
	if !s.Catching() {
		t.Fatal("not catching signals once a command's context is waited on")
	}

	// Safe: SIGHUP is caught now, so it does not end the test process.
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for _, ctx := range []*Context{ctx1, ctx2} {
		waitFor(t, ctx, "a caught SIGHUP did not end every watched context")
		ie := Interrupted(ctx)
		if ie == nil || ie.Signal != syscall.SIGHUP {
			t.Fatalf("Interrupted = %v, want SIGHUP", ie)
		}
		if !errors.Is(ctx.Err(), context.Canceled) {
			t.Fatalf("Err = %v, want context.Canceled", ctx.Err())
		}
	}
	if got := s.Caught(); got != syscall.SIGHUP {
		t.Fatalf("Caught = %v", got)
	}
	ctx2.Stop()
	if !s.Catching() {
		t.Fatal("stopped catching while a context is still watched")
	}
	ctx1.Stop()
	if s.Catching() {
		t.Fatal("still catching signals after the last context was stopped")
	}
}

// A change that does not wait on the context catches the signals first;
// a context made from the command's (a request's timeout) waits on it.
func TestCatchBeforeAChange(t *testing.T) {
	for name, start := range map[string]func(context.Context){
		"Catch":         Catch,
		"a derived ctx": func(ctx context.Context) { _, cancel := context.WithTimeout(ctx, time.Minute); cancel() },
	} {
		var s Signals
		ctx := s.Context(context.Background(), time.Hour)
		start(ctx)
		if !s.Catching() {
			t.Errorf("%s: signals are not caught", name)
		}
		ctx.Stop()
	}
	Catch(context.Background()) // not a command's: nothing to do
}

// The run's last command ends without stopping the catching: the process
// exits right after. A signal then still makes the run an interruption.
func TestEndKeepsCatching(t *testing.T) {
	var s Signals
	ctx := s.Context(context.Background(), time.Hour)
	_ = ctx.Done()
	ctx.End()
	if !s.Catching() {
		t.Fatal("End stopped catching signals")
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.Caught() == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s.Caught() != syscall.SIGHUP || Interrupted(ctx) != nil {
		t.Fatalf("Caught = %v, Interrupted = %v; want SIGHUP caught and the ended context left as it ended", s.Caught(), Interrupted(ctx))
	}
}

// The timeout's timer is started at the first wait, not when the context
// is made (a timer starts Go's network poller, which zones never needs),
// yet the timeout counts from the start: Err reads the clock until then,
// and a wait begun past the deadline ends at once.
func TestTimeoutArmedAtTheFirstWait(t *testing.T) {
	var s Signals
	ctx := s.Context(context.Background(), 50*time.Millisecond)
	defer ctx.Stop()
	start := time.Now()
	if ctx.Err() != nil {
		t.Fatalf("Err = %v at once", ctx.Err())
	}
	ctx.mu.Lock()
	timer := ctx.timer
	ctx.mu.Unlock()
	if timer != nil {
		t.Fatal("a timer started before anything waited on the context")
	}
	dl, ok := ctx.Deadline()
	if !ok || dl.Before(start) || dl.After(start.Add(50*time.Millisecond)) {
		t.Fatalf("Deadline = %v, %v; want the timeout from the context's start", dl, ok)
	}
	time.Sleep(time.Until(dl) + 20*time.Millisecond)
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("Err = %v past the deadline, before any wait; want DeadlineExceeded", ctx.Err())
	}
	select {
	case <-ctx.Done():
	default:
		t.Fatal("Done not closed once Err saw the deadline pass")
	}
	if Interrupted(ctx) != nil {
		t.Fatal("a timeout counted as an interruption")
	}

	// A first wait past the deadline (Err never asked) ends at once, not
	// a whole timeout later.
	late := s.Context(context.Background(), 200*time.Millisecond)
	defer late.Stop()
	time.Sleep(250 * time.Millisecond)
	waitStart := time.Now()
	waitFor(t, late, "the timeout never ended the context")
	if d := time.Since(waitStart); d >= 200*time.Millisecond {
		t.Fatalf("a wait begun past the deadline ended after %v: the timeout was counted from the wait", d)
	}
	if !errors.Is(late.Err(), context.DeadlineExceeded) {
		t.Fatalf("Err = %v, want DeadlineExceeded", late.Err())
	}

	// A wait begun before the deadline is ended by the timer.
	early := s.Context(context.Background(), 100*time.Millisecond)
	defer early.Stop()
	waitFor(t, early, "the timer never ended the context")
	if !errors.Is(early.Err(), context.DeadlineExceeded) || time.Now().Before(start.Add(100*time.Millisecond)) {
		t.Fatalf("Err = %v; want DeadlineExceeded, not before the timeout", early.Err())
	}
}

func TestTimeoutStopsWhileHeld(t *testing.T) {
	var s Signals
	ctx := s.Context(context.Background(), 200*time.Millisecond)
	defer ctx.Stop()
	release := HoldTimeout(ctx)
	if _, ok := ctx.Deadline(); ok {
		t.Fatal("a deadline while a prompt holds the clock")
	}
	time.Sleep(400 * time.Millisecond) // longer than the timeout: must not count
	if ctx.Err() != nil {
		t.Fatalf("ended while held: %v", ctx.Err())
	}
	release()
	release() // once only
	dl, ok := ctx.Deadline()
	if !ok || time.Until(dl) < 100*time.Millisecond {
		t.Fatalf("after the prompt the deadline is %v (%v), want the whole timeout from now", dl, ok)
	}
	waitFor(t, ctx, "the timeout never ended the context")
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("Err = %v, want DeadlineExceeded", ctx.Err())
	}
	if Interrupted(ctx) != nil {
		t.Fatal("a timeout counted as an interruption")
	}
	// A child context sees the deadline error too.
	child, cancel := context.WithCancel(ctx)
	defer cancel()
	if !errors.Is(child.Err(), context.DeadlineExceeded) {
		t.Fatalf("child Err = %v", child.Err())
	}
}

func TestAs(t *testing.T) {
	sig := os.Signal(syscall.SIGINT)
	if err := As(nil, nil); err != nil {
		t.Fatalf("a command without a signal became %v", err)
	}
	plain := errors.New("boom")
	if !errors.Is(As(plain, nil), plain) {
		t.Fatal("an error without a signal changed")
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{plain, "interrupted: boom"},
		{silentError{}, "interrupted"},
		{&InterruptedError{Signal: sig, Summary: "revoked 1 of 2"}, "interrupted: revoked 1 of 2"},
		// Finished in spite of the signal: still an interruption, saying so.
		{nil, "interrupted: it came too late to stop anything: all was done (see above)"},
	} {
		got := As(tc.err, sig)
		var ie *InterruptedError
		if got.Error() != tc.want || !errors.As(got, &ie) {
			t.Errorf("As(%v) = %q, want %q, an *InterruptedError", tc.err, got, tc.want)
		}
	}
}

// A signal passed on to a child (exec) does not interrupt the command; a
// Ctrl-C the child got from the terminal (Raise) interrupts it as if
// maketoken had caught it, and is not passed on again.
func TestPassAndRaise(t *testing.T) {
	var s Signals
	got := make(chan os.Signal, 4)
	unpass := s.Pass(func(sig os.Signal) { got <- sig })
	if !s.Catching() {
		t.Fatal("Pass does not catch signals")
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	select {
	case sig := <-got:
		if sig != syscall.SIGHUP {
			t.Fatalf("passed %v", sig)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the signal was not passed on")
	}
	if s.Caught() != nil {
		t.Fatal("a signal passed on to a child counted as an interruption")
	}

	ctx := s.Context(context.Background(), time.Hour)
	s.Raise(syscall.SIGINT)
	if ie := Interrupted(ctx); ie == nil || ie.Signal != syscall.SIGINT || ctx.Err() == nil {
		t.Fatalf("Raise did not interrupt the command at once: %v", ie)
	}
	if s.Caught() != syscall.SIGINT {
		t.Fatalf("Caught = %v", s.Caught())
	}
	select {
	case sig := <-got:
		t.Fatalf("a raised signal was passed on: %v", sig)
	default:
	}
	ctx.Stop()
	unpass()
	if s.Catching() {
		t.Fatal("still catching with nothing watched or passed")
	}
}

// TestHold: signals are caught from Hold on without interrupting
// anything; first tells the first one, and release stops catching.
func TestHold(t *testing.T) {
	var s Signals
	first, release := s.Hold()
	if !s.Catching() || first() != nil {
		t.Fatalf("after Hold: catching %v, first %v", s.Catching(), first())
	}
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGINT} {
		if err := syscall.Kill(syscall.Getpid(), sig); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for first() == nil && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	time.Sleep(100 * time.Millisecond) // the SIGINT, caught too
	if first() != syscall.SIGHUP {
		t.Errorf("first = %v, want SIGHUP", first())
	}
	if s.Caught() != nil {
		t.Errorf("a held signal counted as an interruption: %v", s.Caught())
	}
	release()
	if s.Catching() {
		t.Error("still catching after release")
	}
}
