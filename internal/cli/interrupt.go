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

// The signal model, one for every command (see docs/security.md). The
// interrupts below are the one owner of signals in maketoken: nothing else
// calls signal.Notify.
//
//   - SIGINT (Ctrl-C), SIGTERM, SIGHUP (the terminal or SSH session closed)
//     and SIGQUIT (Ctrl-\) all do the same: they end the command's context
//     (CommandContext), from the moment it is made until it is done. A
//     prompt returns at once and puts the terminal back; requests stop; a
//     half-done change is undone or finished with a context of its own
//     (tokens.CleanupContext), temporary files are removed by the
//     command's deferred clean-up, and the command exits 130 with one line
//     that says what was done and what was not (InterruptedError) -- also
//     when the signal came too late to stop anything (asInterrupted).
//   - A second signal does not cut that clean-up short: signals stay caught
//     until the command's context is done.
//   - While a child process runs (exec's COMMAND, a store command), the
//     child is in a process group of its own and, on a terminal, in the
//     foreground (package job): the terminal's Ctrl-C and Ctrl-\ reach the
//     child alone, and a signal sent to maketoken's process group reaches
//     maketoken alone. exec passes each signal it gets on to COMMAND once
//     (pass); a store command is stopped by maketoken when the command's
//     context ends, and a Ctrl-C that ended a store command holding the
//     terminal is acted on as if maketoken had caught it (raise).
//   - SIGPIPE: once a command starts delivering a token (brokenPipeFails),
//     a write to a closed stdout or stderr fails with EPIPE instead of
//     ending maketoken, to the end of the run: the command reports the
//     failed write (exit 1), or revokes a token it could not print.
//   - Outside a command's context and a child (help, version) a signal does
//     what it always does.

// interrupts owns maketoken's signal handling: it ends the contexts of
// running commands on a caught signal and passes signals on to a child.
type interrupts struct {
	mu     sync.Mutex
	next   int
	stops  map[int]func(os.Signal) // command contexts: the signal interrupts the command
	passes map[int]func(os.Signal) // children: the signal is passed on
	ch     chan os.Signal          // nil while not catching
	done   chan struct{}           // closed to end the catching goroutine
	// caughtS is the first signal that interrupted a command.
	caughtS os.Signal
}

// watch makes a caught signal call stop; the returned function undoes
// that, and stops catching signals once nothing is watched.
func (in *interrupts) watch(stop func(os.Signal)) (unwatch func()) {
	return in.add(&in.stops, stop)
}

// pass makes every caught signal call fn, from now on (signals are caught
// at once) until the returned function is called. A signal passed on does
// not interrupt the command.
func (in *interrupts) pass(fn func(os.Signal)) (unpass func()) {
	unpass = in.add(&in.passes, fn)
	in.catch()
	return unpass
}

func (in *interrupts) add(m *map[int]func(os.Signal), fn func(os.Signal)) (remove func()) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if *m == nil {
		*m = make(map[int]func(os.Signal))
	}
	id := in.next
	in.next++
	(*m)[id] = fn
	var once sync.Once
	return func() {
		once.Do(func() {
			in.mu.Lock()
			defer in.mu.Unlock()
			delete(*m, id)
			if len(in.stops)+len(in.passes) == 0 && in.ch != nil {
				signal.Stop(in.ch)
				close(in.done)
				in.ch, in.done = nil, nil
			}
		})
	}
}

// catch starts catching the signals of the model if something is watched
// and they are not caught yet. A signal stops everything watched; later
// ones are caught too, so that a second Ctrl-C does not cut short the
// clean-up the first one started.
func (in *interrupts) catch() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.ch != nil || len(in.stops)+len(in.passes) == 0 {
		return
	}
	ch, done := make(chan os.Signal, 4), make(chan struct{})
	signal.Notify(ch, caughtSignals...)
	in.ch, in.done = ch, done
	go func() {
		for {
			select {
			case sig := <-ch:
				in.deliver(sig)
			case <-done:
				return
			}
		}
	}()
}

// deliver acts on a caught signal.
func (in *interrupts) deliver(sig os.Signal) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.stops) > 0 && in.caughtS == nil {
		in.caughtS = sig
	}
	for _, stop := range in.stops {
		stop(sig)
	}
	for _, fn := range in.passes {
		fn(sig)
	}
}

// raise acts on sig as if it had been caught, for the command contexts
// only: a store command holding the terminal got the terminal's Ctrl-C
// instead of maketoken, and maketoken acts on it as a shell does for its
// foreground job. It returns once the contexts have ended.
func (in *interrupts) raise(sig os.Signal) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.stops) == 0 {
		return
	}
	if in.caughtS == nil {
		in.caughtS = sig
	}
	for _, stop := range in.stops {
		stop(sig)
	}
}

// catching reports whether signals are being caught.
func (in *interrupts) catching() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.ch != nil
}

// caught returns the first signal that interrupted a command, or nil.
func (in *interrupts) caught() os.Signal {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.caughtS
}

// brokenPipeFails makes a write to a stdout or stderr pipe that nobody
// reads fail with EPIPE, from now until maketoken exits. By default Go
// ends the program on it (SIGPIPE, exit 141); a command that delivers a
// token must live on to report the failed write, or to revoke a token it
// could not print. It is never undone: a record printed after the
// delivery must fail the same way. (Process-wide, as the signal is: not
// one Factory's.)
func brokenPipeFails() {
	brokenPipeOnce.Do(func() {
		if brokenPipe != nil {
			signal.Notify(make(chan os.Signal, 1), brokenPipe)
		}
	})
}

var brokenPipeOnce sync.Once

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
// signal (err == nil; a rotation past its delivery revokes the old tokens
// all the same) still exits 130, as every caught signal makes it: the line
// says that nothing was left undone.
func asInterrupted(err error, sig os.Signal) error {
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
