package runctx

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

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

// Interrupted reports the signal that ended ctx, or nil when ctx is still
// running or ended otherwise (--timeout, the caller).
func Interrupted(ctx context.Context) *InterruptedError {
	c := find(ctx)
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

// InterruptedErr returns the error of a command that ctx's signal cut
// short, with what was done and what was not; nil if ctx was not
// interrupted.
func InterruptedErr(ctx context.Context, format string, a ...any) error {
	ie := Interrupted(ctx)
	if ie == nil {
		return nil
	}
	return &InterruptedError{Signal: ie.Signal, Summary: fmt.Sprintf(format, a...)}
}

// As makes the error of a command during which sig was caught an
// *InterruptedError (exit 130): the one place that decides it. A command
// that reported its own summary keeps it; any other error is the summary
// (it says what became of the command's work); a silent error (one whose
// Silent method says the details are on stderr already) becomes a bare
// "interrupted". A command that finished its work in spite of the signal
// (err == nil; a rotation past its delivery revokes the old tokens all the
// same) still exits 130, as every caught signal makes it: the line says
// that nothing was left undone.
func As(err error, sig os.Signal) error {
	if sig == nil {
		return err
	}
	if err == nil {
		return &InterruptedError{Signal: sig, Summary: "it came too late to stop anything: all was done (see above)"}
	}
	var ie *InterruptedError
	if errors.As(err, &ie) {
		return ie
	}
	var quiet interface{ Silent() bool }
	if errors.As(err, &quiet) && quiet.Silent() {
		return &InterruptedError{Signal: sig}
	}
	return &InterruptedError{Signal: sig, Summary: err.Error()}
}

// contextKey finds a command's context among a context's values.
type contextKey struct{}

func find(ctx context.Context) *Context {
	c, _ := ctx.Value(contextKey{}).(*Context)
	return c
}

// Context is a command's context: it ends on a signal the Signals caught,
// when its parent ends, or when its timeout has passed. The timeout clock
// stops while the command waits for a person at a prompt (Hold), and
// starts again from the full timeout afterwards, so that the time taken to
// answer is never counted against the work.
//
// Signals are caught from the first call of Done, which is how anything
// waits on a context (a request, a keyring call, a prompt, a child
// process, a context made from this one), or of Catch. The timeout's
// timer is started at the first call of Done too (a timer starts Go's
// network poller, which a command that waits on nothing never needs);
// its deadline still counts from the moment the context was made, and
// Err checks the clock until then.
type Context struct {
	parent     context.Context
	done       chan struct{}
	timeout    time.Duration
	stopParent func() bool
	signals    *Signals
	unwatch    func()
	catchOnce  sync.Once

	armed atomic.Bool // the timeout's timer was asked for (Done)

	mu       sync.Mutex
	err      error
	cause    error
	timer    *time.Timer // nil until armed and not held
	deadline time.Time   // zero while held
	held     int
}

// Context makes a command's context: it ends at timeout, when parent
// ends, or on a signal s catches from its first wait on it.
func (s *Signals) Context(parent context.Context, timeout time.Duration) *Context {
	c := &Context{parent: parent, done: make(chan struct{}), timeout: timeout, signals: s}
	c.deadline = time.Now().Add(timeout)
	c.stopParent = context.AfterFunc(parent, func() { c.end(parent.Err(), context.Cause(parent)) })
	c.unwatch = s.watch(c.interrupt)
	return c
}

// Catch starts catching signals for ctx's command, if ctx is one's: for a
// change that does not wait on the context (a file written, a credential
// stored or deleted) but must not be cut in two by a signal's default
// action. Waiting on the context (Done) catches them too.
func Catch(ctx context.Context) {
	if c := find(ctx); c != nil {
		c.catch()
	}
}

func (c *Context) catch() { c.catchOnce.Do(c.signals.catch) }

// Deadline implements context.Context: none while a prompt holds the clock.
func (c *Context) Deadline() (time.Time, bool) {
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

// Done implements context.Context. Whatever waits on the context from now
// on may be cut short by a signal or the timeout: signals are caught, and
// the timeout's timer started, from the first call.
func (c *Context) Done() <-chan struct{} {
	c.catch()
	if !c.armed.Load() {
		c.arm()
	}
	return c.done
}

// arm starts the timer that ends the context at its deadline, unless a
// prompt holds the clock (the release starts it then).
func (c *Context) arm() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.armed.Swap(true) || c.err != nil || c.held > 0 {
		return
	}
	c.timer = time.AfterFunc(time.Until(c.deadline), c.expire)
}

// expire ends the context at its deadline.
func (c *Context) expire() { c.end(context.DeadlineExceeded, context.DeadlineExceeded) }

// Err implements context.Context: context.DeadlineExceeded after the
// timeout, context.Canceled otherwise. Before the timer is started (no
// one has waited yet) it reads the clock.
func (c *Context) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil && c.timer == nil && c.held == 0 && !time.Now().Before(c.deadline) {
		c.endLocked(context.DeadlineExceeded, context.DeadlineExceeded)
	}
	return c.err
}

// Value implements context.Context.
func (c *Context) Value(key any) any {
	if key == (contextKey{}) {
		return c
	}
	return c.parent.Value(key)
}

func (c *Context) end(err, cause error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endLocked(err, cause)
}

func (c *Context) endLocked(err, cause error) {
	if c.err != nil {
		return
	}
	c.err, c.cause = err, cause
	if c.timer != nil {
		c.timer.Stop()
	}
	close(c.done)
}

// interrupt ends the context as sig would.
func (c *Context) interrupt(sig os.Signal) {
	c.end(context.Canceled, &InterruptedError{Signal: sig})
}

// Stop ends the context, and signals no longer end it: for a context
// that other work outlives (exec looks its credential up, then runs its
// command). Signals are no longer caught once nothing else needs them.
func (c *Context) Stop() {
	c.unwatch()
	c.cancel()
}

// End ends the context of the run's last command: the process exits right
// after. Signals stay caught until it has (signal.Stop costs a few thread
// hand-offs); one that comes now still makes the command's error an
// interruption (As), if it comes before Main has asked for it.
func (c *Context) End() { c.cancel() }

func (c *Context) cancel() {
	c.end(context.Canceled, context.Canceled)
	c.stopParent()
}

// Hold stops the context's timeout clock until release is called; the
// clock then starts again with the whole timeout.
func (c *Context) Hold() (release func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held++
	if c.timer != nil {
		c.timer.Stop()
	}
	c.deadline = time.Time{}
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.held--
			if c.held == 0 && c.err == nil {
				c.deadline = time.Now().Add(c.timeout)
				switch {
				case c.timer != nil:
					c.timer.Reset(c.timeout)
				case c.armed.Load():
					c.timer = time.AfterFunc(c.timeout, c.expire)
				}
			}
		})
	}
}

// HoldTimeout stops the timeout clock of ctx's command, if ctx is one's,
// while a person is asked something; release starts it again from the
// full timeout.
func HoldTimeout(ctx context.Context) (release func()) {
	if c := find(ctx); c != nil {
		return c.Hold()
	}
	return func() {}
}
