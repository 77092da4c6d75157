package ctxwait

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSleep(t *testing.T) {
	ctx := context.Background()
	start := time.Now()
	if err := Sleep(ctx, 20*time.Millisecond); err != nil || time.Since(start) < 20*time.Millisecond {
		t.Errorf("a full wait: %v after %v", err, time.Since(start))
	}
	if err := Sleep(ctx, 0); err != nil {
		t.Errorf("no wait: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	start = time.Now()
	if err := Sleep(short, time.Minute); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Errorf("cut short: %v after %v", err, time.Since(start))
	}
	if err := Sleep(short, 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("no wait on an ended context: %v", err)
	}
}

func TestCall(t *testing.T) {
	ctx := context.Background()
	v, err, ended := Call(ctx, func() (string, error) { return "answer", context.Canceled })
	if v != "answer" || !errors.Is(err, context.Canceled) || ended {
		t.Errorf("a call that returns: %q, %v, %v", v, err, ended)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	block := make(chan struct{})
	defer close(block)
	v, err, ended = Call(short, func() (string, error) { <-block; return "late", nil })
	if v != "" || err != nil || !ended {
		t.Errorf("a call that blocks: %q, %v, %v", v, err, ended)
	}
}
