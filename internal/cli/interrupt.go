package cli

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interrupts ends the contexts of running commands on Ctrl-C or SIGTERM,
// so that their requests stop and a half-done change is undone.
//
// It catches the signals only from the moment a command with such a
// context begins to talk to Make (catch, called by Factory.HTTPClient), or
// may prompt on a terminal, until the last such context is done. Before
// that, a signal ends the process as usual: nothing needs undoing yet. Commands that send no
// request (version, help, zones) so start without the signal machinery,
// which costs a thread and about a third of a millisecond: a tenth of
// maketoken's start-up (see docs/performance.md).
type interrupts struct {
	mu      sync.Mutex
	next    int
	cancels map[int]context.CancelFunc
	ch      chan os.Signal // nil while not catching
	done    chan struct{}  // closed to end the catching goroutine
}

// watch makes a caught signal cancel the context; the returned function
// undoes that, and stops catching signals once nothing is watched.
func (in *interrupts) watch(cancel context.CancelFunc) (unwatch func()) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.cancels == nil {
		in.cancels = make(map[int]context.CancelFunc)
	}
	id := in.next
	in.next++
	in.cancels[id] = cancel
	return func() {
		in.mu.Lock()
		defer in.mu.Unlock()
		delete(in.cancels, id)
		if len(in.cancels) == 0 && in.ch != nil {
			signal.Stop(in.ch)
			close(in.done)
			in.ch, in.done = nil, nil
		}
	}
}

// catch starts catching Ctrl-C and SIGTERM if a context is watched and
// they are not caught yet. A signal cancels every watched context; later
// ones are caught too, so that a second Ctrl-C does not cut short the
// clean-up the first one started.
func (in *interrupts) catch() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.ch != nil || len(in.cancels) == 0 {
		return
	}
	ch, done := make(chan os.Signal, 1), make(chan struct{})
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	in.ch, in.done = ch, done
	go func() {
		for {
			select {
			case <-ch:
				in.mu.Lock()
				for _, cancel := range in.cancels {
					cancel()
				}
				in.mu.Unlock()
			case <-done:
				return
			}
		}
	}()
}

// catching reports whether signals are being caught.
func (in *interrupts) catching() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.ch != nil
}
