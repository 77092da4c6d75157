//go:build unix

package cli

import (
	"context"
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

	ctx1, cancel1 := context.WithCancel(context.Background())
	defer cancel1()
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	unwatch1 := in.watch(cancel1)
	unwatch2 := in.watch(cancel2)
	if in.catching() {
		t.Fatal("catching signals before the command talks to Make")
	}
	in.catch()
	in.catch() // idempotent
	if !in.catching() {
		t.Fatal("not catching signals after catch")
	}

	// Safe: SIGINT is caught now, so it does not end the test process.
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for _, ctx := range []context.Context{ctx1, ctx2} {
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("a caught SIGINT did not cancel every watched context")
		}
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
