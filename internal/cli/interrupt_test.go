//go:build unix

package cli

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestInterruptsCatchOnlyWhileWatchedAndAsked(t *testing.T) {
	var in interrupts
	in.catch() // nothing watched: nothing to catch for
	if in.catching() {
		t.Fatal("catching signals with no command context watched")
	}

	ctx1 := newRunContext(context.Background(), time.Hour)
	defer ctx1.cancel()
	ctx2 := newRunContext(context.Background(), time.Hour)
	defer ctx2.cancel()
	unwatch1 := in.watch(ctx1.interrupt)
	unwatch2 := in.watch(ctx2.interrupt)
	if in.catching() {
		t.Fatal("catching signals before asked to")
	}
	in.catch()
	in.catch() // idempotent
	if !in.catching() {
		t.Fatal("not catching signals after catch")
	}

	// Safe: SIGHUP is caught now, so it does not end the test process.
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for _, ctx := range []*runContext{ctx1, ctx2} {
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("a caught SIGHUP did not end every watched context")
		}
		ie := interrupted(ctx)
		if ie == nil || ie.Signal != syscall.SIGHUP {
			t.Fatalf("interrupted = %v, want SIGHUP", ie)
		}
		if !errors.Is(ctx.Err(), context.Canceled) {
			t.Fatalf("Err = %v, want context.Canceled", ctx.Err())
		}
	}
	if got := in.caught(); got != syscall.SIGHUP {
		t.Fatalf("caught = %v", got)
	}

	unwatch1()
	if !in.catching() {
		t.Fatal("stopped catching while a context is still watched")
	}
	unwatch2()
	if in.catching() {
		t.Fatal("still catching signals after the last context was done")
	}
}

func TestRunContextTimeoutStopsWhileHeld(t *testing.T) {
	ctx := newRunContext(context.Background(), 200*time.Millisecond)
	defer ctx.cancel()
	release := holdTimeout(ctx)
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
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the timeout never ended the context")
	}
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("Err = %v, want DeadlineExceeded", ctx.Err())
	}
	if interrupted(ctx) != nil {
		t.Fatal("a timeout counted as an interruption")
	}
	// A child context sees the deadline error too.
	child, cancel := context.WithCancel(ctx)
	defer cancel()
	if !errors.Is(child.Err(), context.DeadlineExceeded) {
		t.Fatalf("child Err = %v", child.Err())
	}
}

func TestAsInterrupted(t *testing.T) {
	sig := os.Signal(syscall.SIGINT)
	if err := asInterrupted(nil, nil); err != nil {
		t.Fatalf("a command without a signal became %v", err)
	}
	plain := errors.New("boom")
	if !errors.Is(asInterrupted(plain, nil), plain) {
		t.Fatal("an error without a signal changed")
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{plain, "interrupted: boom"},
		{errSilent(ExitPartial), "interrupted"},
		{&InterruptedError{Signal: sig, Summary: "revoked 1 of 2"}, "interrupted: revoked 1 of 2"},
		// Finished in spite of the signal: still 130, saying so.
		{nil, "interrupted: it came too late to stop anything: all was done (see above)"},
	} {
		got := asInterrupted(tc.err, sig)
		if got.Error() != tc.want || ExitCode(got) != ExitInterrupted {
			t.Errorf("asInterrupted(%v) = %q exit %d, want %q exit 130", tc.err, got, ExitCode(got), tc.want)
		}
	}
}

// A signal passed on to a child (exec) does not interrupt the command; a
// Ctrl-C the child got from the terminal (raise) interrupts it as if
// maketoken had caught it, and is not passed on again.
func TestInterruptsPassAndRaise(t *testing.T) {
	var in interrupts
	got := make(chan os.Signal, 4)
	unpass := in.pass(func(sig os.Signal) { got <- sig })
	if !in.catching() {
		t.Fatal("pass does not catch signals")
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
	if in.caught() != nil {
		t.Fatal("a signal passed on to a child counted as an interruption")
	}

	ctx := newRunContext(context.Background(), time.Hour)
	defer ctx.cancel()
	unwatch := in.watch(ctx.interrupt)
	in.raise(syscall.SIGINT)
	if ie := interrupted(ctx); ie == nil || ie.Signal != syscall.SIGINT || ctx.Err() == nil {
		t.Fatalf("raise did not interrupt the command at once: %v", ie)
	}
	if in.caught() != syscall.SIGINT {
		t.Fatalf("caught = %v", in.caught())
	}
	select {
	case sig := <-got:
		t.Fatalf("a raised signal was passed on: %v", sig)
	default:
	}
	unwatch()
	unpass()
	if in.catching() {
		t.Fatal("still catching with nothing watched or passed")
	}
}
