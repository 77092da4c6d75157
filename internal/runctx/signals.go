// Package runctx is a command's run: its context, which ends at --timeout
// (held while a person is asked) and on a signal of the model, and
// Signals, the one owner of maketoken's signal handling. Nothing else in
// maketoken calls signal.Notify.
//
// The signal model, one for every command (see docs/security.md):
//
//   - SIGINT (Ctrl-C), SIGTERM, SIGHUP (the terminal or SSH session closed)
//     and SIGQUIT (Ctrl-\) all do the same: they end the command's context.
//     A prompt returns at once and puts the terminal back; requests stop; a
//     half-done change is undone or finished with a context of its own
//     (tokens.CleanupContext), temporary files are removed by the
//     command's deferred clean-up, and the command exits 130 with one line
//     that says what was done and what was not (InterruptedError) -- also
//     when the signal came too late to stop anything (As).
//   - Signals are caught from the moment the command first waits on
//     something outside -- a keyring call, a request, a prompt, a child
//     process all wait on its context (Context.Done) -- or is about to
//     change something without waiting (Catch: a credential stored or
//     deleted, a command that writes a file). Until then the command has
//     read its settings and its environment and changed nothing, so a
//     signal ends it as it ends any program (the shell reports 128+N):
//     there is nothing to undo or report. Catching costs about half a
//     millisecond (os/signal's threads), which a command that waits on
//     nothing outside (zones with the credentials in the environment)
//     never pays.
//   - A second signal does not cut the clean-up short: once caught,
//     signals stay caught until the command's context is done, and for the
//     last command of the run until the process exits (Context.End): a
//     signal after the command finished makes it exit 130 all the same,
//     saying that nothing was left undone.
//   - While a child process runs (exec's COMMAND, a store command), the
//     child is in a process group of its own and, on a terminal, in the
//     foreground (package job): the terminal's Ctrl-C and Ctrl-\ reach the
//     child alone, and a signal sent to maketoken's process group reaches
//     maketoken alone. exec passes each signal it gets on to COMMAND once
//     (Pass); a store command is stopped by maketoken when the command's
//     context ends, and a Ctrl-C that ended a store command holding the
//     terminal is acted on as if maketoken had caught it (Raise).
//   - SIGPIPE: once a command starts delivering a token (BrokenPipeFails),
//     a write to a closed stdout or stderr fails with EPIPE instead of
//     ending maketoken, to the end of the run: the command reports the
//     failed write (exit 1), or revokes a token it could not print.
//   - Outside a command's context and a child (help, version) a signal does
//     what it always does.
package runctx

import (
	"os"
	"os/signal"
	"sync"
)

// Signals owns maketoken's signal handling: it ends the contexts of
// running commands on a caught signal and passes signals on to a child.
// The zero value is ready to use.
type Signals struct {
	mu     sync.Mutex
	next   int
	stops  map[int]func(os.Signal) // command contexts: the signal interrupts the command
	passes map[int]func(os.Signal) // children: the signal is passed on
	ch     chan os.Signal          // nil while not catching
	done   chan struct{}           // closed to end the catching goroutine
	// caught is the first signal that interrupted a command.
	caught os.Signal
}

// watch makes a caught signal call stop; the returned function undoes
// that, and stops catching signals once nothing is watched.
func (s *Signals) watch(stop func(os.Signal)) (unwatch func()) {
	return s.add(&s.stops, stop)
}

// Pass makes every caught signal call fn, from now on (signals are caught
// at once) until the returned function is called. A signal passed on does
// not interrupt the command.
func (s *Signals) Pass(fn func(os.Signal)) (unpass func()) {
	unpass = s.add(&s.passes, fn)
	s.catch()
	return unpass
}

// Hold catches signals from now on (at once) until release is called,
// without interrupting anything, as a step that must not be cut in two
// does (exec --ephemeral between its create and its revoke); first tells
// the first signal that came meanwhile, nil if none did.
func (s *Signals) Hold() (first func() os.Signal, release func()) {
	var (
		mu  sync.Mutex
		sig os.Signal
	)
	release = s.Pass(func(got os.Signal) {
		mu.Lock()
		defer mu.Unlock()
		if sig == nil {
			sig = got
		}
	})
	return func() os.Signal {
		mu.Lock()
		defer mu.Unlock()
		return sig
	}, release
}

func (s *Signals) add(m *map[int]func(os.Signal), fn func(os.Signal)) (remove func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if *m == nil {
		*m = make(map[int]func(os.Signal))
	}
	id := s.next
	s.next++
	(*m)[id] = fn
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			delete(*m, id)
			if len(s.stops)+len(s.passes) == 0 && s.ch != nil {
				signal.Stop(s.ch)
				close(s.done)
				s.ch, s.done = nil, nil
			}
		})
	}
}

// catch starts catching the signals of the model if something is watched
// and they are not caught yet. A signal stops everything watched; later
// ones are caught too, so that a second Ctrl-C does not cut short the
// clean-up the first one started.
func (s *Signals) catch() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil || len(s.stops)+len(s.passes) == 0 {
		return
	}
	ch, done := make(chan os.Signal, 4), make(chan struct{})
	signal.Notify(ch, caughtSignals...)
	s.ch, s.done = ch, done
	go func() {
		for {
			select {
			case sig := <-ch:
				s.deliver(sig)
			case <-done:
				return
			}
		}
	}()
}

// deliver acts on a caught signal.
func (s *Signals) deliver(sig os.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.stops) > 0 && s.caught == nil {
		s.caught = sig
	}
	for _, stop := range s.stops {
		stop(sig)
	}
	for _, fn := range s.passes {
		fn(sig)
	}
}

// Raise acts on sig as if it had been caught, for the command contexts
// only: a store command holding the terminal got the terminal's Ctrl-C
// instead of maketoken, and maketoken acts on it as a shell does for its
// foreground job. It returns once the contexts have ended.
func (s *Signals) Raise(sig os.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.stops) == 0 {
		return
	}
	if s.caught == nil {
		s.caught = sig
	}
	for _, stop := range s.stops {
		stop(sig)
	}
}

// Catching reports whether signals are being caught.
func (s *Signals) Catching() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ch != nil
}

// Caught returns the first signal that interrupted a command, or nil.
func (s *Signals) Caught() os.Signal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.caught
}

// BrokenPipeFails makes a write to a stdout or stderr pipe that nobody
// reads fail with EPIPE, from now until maketoken exits. By default Go
// ends the program on it (SIGPIPE, exit 141); a command that delivers a
// token must live on to report the failed write, or to revoke a token it
// could not print. It is never undone: a record printed after the
// delivery must fail the same way. (Process-wide, as the signal is.)
func BrokenPipeFails() {
	brokenPipeOnce.Do(func() {
		if brokenPipe != nil {
			signal.Notify(make(chan os.Signal, 1), brokenPipe)
		}
	})
}

var brokenPipeOnce sync.Once
