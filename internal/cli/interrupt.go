package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"time"
)

// The signal model, one for every command (see docs/security.md):
//
//   - SIGINT (Ctrl-C), SIGTERM, SIGHUP (the terminal or SSH session closed)
//     and SIGQUIT (Ctrl-\) all do the same: they end the command's context
//     (CommandContext), from the moment it is made until it is done. A
//     prompt returns at once and puts the terminal back; requests stop; a
//     half-done change is undone or finished with a context of its own
//     (cleanupContext), temporary files are removed by the command's
//     deferred clean-up, and the command exits 130 with one line that says
//     what was done and what was not (InterruptedError).
//   - A second signal does not cut that clean-up short: signals stay caught
//     until the command's context is done.
//   - Outside a command's context (help, version, `exec`'s command, which
//     gets the signals itself) a signal does what it always does.

// interrupts ends the contexts of running commands on a caught signal.
type interrupts struct {
	mu      sync.Mutex
	next    int
	stops   map[int]func(os.Signal)
	ch      chan os.Signal // nil while not catching
	done    chan struct{}  // closed to end the catching goroutine
	caughtS os.Signal      // the first signal caught
}

// watch makes a caught signal call stop; the returned function undoes
// that, and stops catching signals once nothing is watched.
func (in *interrupts) watch(stop func(os.Signal)) (unwatch func()) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.stops == nil {
		in.stops = make(map[int]func(os.Signal))
	}
	id := in.next
	in.next++
	in.stops[id] = stop
	return func() {
		in.mu.Lock()
		defer in.mu.Unlock()
		delete(in.stops, id)
		if len(in.stops) == 0 && in.ch != nil {
			signal.Stop(in.ch)
			close(in.done)
			in.ch, in.done = nil, nil
		}
	}
}

// catch starts catching the signals of the model if something is watched
// and they are not caught yet. A signal stops everything watched; later
// ones are caught too, so that a second Ctrl-C does not cut short the
// clean-up the first one started.
func (in *interrupts) catch() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.ch != nil || len(in.stops) == 0 {
		return
	}
	ch, done := make(chan os.Signal, 1), make(chan struct{})
	signal.Notify(ch, caughtSignals...)
	in.ch, in.done = ch, done
	go func() {
		for {
			select {
			case sig := <-ch:
				in.mu.Lock()
				if in.caughtS == nil {
					in.caughtS = sig
				}
				for _, stop := range in.stops {
					stop(sig)
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

// caught returns the first signal caught, or nil.
func (in *interrupts) caught() os.Signal {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.caughtS
}

// InterruptedError is a command cut short by a signal. Summary says in one
// line what was done and what was not.
type InterruptedError struct {
	Signal  os.Signal
	Summary string
}

func (e *InterruptedError) Error() string {
	if e.Summary == "" {
		return "interrupted"
	}
	return "interrupted: " + e.Summary
}

// Is makes an interruption a cancellation, for code that asks whether a
// context was cancelled.
func (e *InterruptedError) Is(target error) bool { return target == context.Canceled }

// interrupted reports the signal that ended ctx, or nil when ctx is still
// running or ended otherwise (--timeout, the caller).
func interrupted(ctx context.Context) *InterruptedError {
	c, _ := ctx.Value(commandContextKey{}).(*runContext)
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var ie *InterruptedError
	if errors.As(c.cause, &ie) {
		return ie
	}
	return nil
}

// interruptedErr returns the error of a command that ctx's signal cut
// short, with what was done and what was not; nil if ctx was not
// interrupted.
func interruptedErr(ctx context.Context, format string, a ...any) error {
	ie := interrupted(ctx)
	if ie == nil {
		return nil
	}
	return &InterruptedError{Signal: ie.Signal, Summary: fmt.Sprintf(format, a...)}
}

// asInterrupted makes the error of a command during which a signal was
// caught an *InterruptedError (exit 130): the one place that decides it.
// A command that reported its own summary keeps it; any other error is
// the summary (it says what became of the command's work); a silent
// error (the details are on stderr already) becomes a bare
// "interrupted". A command that finished its work in spite of the
// signal (err == nil) succeeded.
func asInterrupted(err error, sig os.Signal) error {
	if err == nil || sig == nil {
		return err
	}
	var ie *InterruptedError
	if errors.As(err, &ie) {
		return ie
	}
	var ee *ExitError
	if errors.As(err, &ee) && ee.Err == nil {
		return &InterruptedError{Signal: sig}
	}
	return &InterruptedError{Signal: sig, Summary: err.Error()}
}

// commandContextKey finds a command's context among a context's values.
type commandContextKey struct{}

// runContext is a command's context: it ends on a caught signal (see
// interrupts), when its parent ends, or when --timeout has passed. The
// timeout clock stops while the command waits for a person at a prompt
// (hold), and starts again from the full timeout afterwards, so that the
// time taken to answer is never counted against the work.
type runContext struct {
	parent     context.Context
	done       chan struct{}
	timeout    time.Duration
	stopParent func() bool

	mu       sync.Mutex
	err      error
	cause    error
	timer    *time.Timer
	deadline time.Time // zero while held
	held     int
}

func newRunContext(parent context.Context, timeout time.Duration) *runContext {
	c := &runContext{parent: parent, done: make(chan struct{}), timeout: timeout}
	c.mu.Lock()
	c.deadline = time.Now().Add(timeout)
	c.timer = time.AfterFunc(timeout, func() { c.end(context.DeadlineExceeded, context.DeadlineExceeded) })
	c.mu.Unlock()
	c.stopParent = context.AfterFunc(parent, func() { c.end(parent.Err(), context.Cause(parent)) })
	return c
}

// Deadline implements context.Context: none while a prompt holds the clock.
func (c *runContext) Deadline() (time.Time, bool) {
	c.mu.Lock()
	d := c.deadline
	c.mu.Unlock()
	pd, ok := c.parent.Deadline()
	switch {
	case d.IsZero():
		return pd, ok
	case ok && pd.Before(d):
		return pd, true
	}
	return d, true
}

// Done implements context.Context.
func (c *runContext) Done() <-chan struct{} { return c.done }

// Err implements context.Context: context.DeadlineExceeded after
// --timeout, context.Canceled otherwise.
func (c *runContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Value implements context.Context.
func (c *runContext) Value(key any) any {
	if key == (commandContextKey{}) {
		return c
	}
	return c.parent.Value(key)
}

func (c *runContext) end(err, cause error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	c.err, c.cause = err, cause
	c.timer.Stop()
	close(c.done)
}

func (c *runContext) interrupt(sig os.Signal) {
	c.end(context.Canceled, &InterruptedError{Signal: sig})
}

func (c *runContext) cancel() {
	c.end(context.Canceled, context.Canceled)
	c.stopParent()
}

// hold stops the timeout clock until release is called; the clock then
// starts again with the whole --timeout.
func (c *runContext) hold() (release func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held++
	c.timer.Stop()
	c.deadline = time.Time{}
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.held--
			if c.held == 0 && c.err == nil {
				c.deadline = time.Now().Add(c.timeout)
				c.timer.Reset(c.timeout)
			}
		})
	}
}

// holdTimeout stops ctx's --timeout clock while a person is asked
// something; release starts it again from the full timeout.
func holdTimeout(ctx context.Context) (release func()) {
	if c, _ := ctx.Value(commandContextKey{}).(*runContext); c != nil {
		return c.hold()
	}
	return func() {}
}
