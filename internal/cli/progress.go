package cli

import (
	"fmt"
	"sync/atomic"
	"time"
)

// progressEvery is how often a progress line is redrawn.
const progressEvery = 100 * time.Millisecond

// Progress is the line a long step shows on stderr while it runs, redrawn
// in place: "maketoken: revoked 3 of 40...". It is drawn only when stderr
// is a terminal; elsewhere it costs nothing and writes nothing. Done may
// be called from many goroutines at once.
type Progress struct {
	io       *IOStreams
	verb     string
	total    int
	count    atomic.Int64
	stop     chan struct{}
	finished chan struct{}
	erase    bool // the line is taken off the screen rather than finished
}

// StartProgress starts the progress line of a step that does total
// things, each counted with Done; verb says what ("revoked"). Call Stop
// when the step ends, before anything else is written to stderr.
func (s *IOStreams) StartProgress(verb string, total int) *Progress {
	p := &Progress{io: s, verb: verb, total: total}
	if !s.ErrTTY || total == 0 {
		return p
	}
	p.stop, p.finished = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(p.finished)
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.draw()
			case <-p.stop:
				if p.erase {
					fmt.Fprint(s.ErrOut, "\r\x1b[K")
					return
				}
				p.draw()
				fmt.Fprintln(s.ErrOut)
				return
			}
		}
	}()
	return p
}

func (p *Progress) draw() {
	fmt.Fprintf(p.io.ErrOut, "\rmaketoken: %s %d of %d...", p.verb, p.count.Load(), p.total)
}

// Done counts one thing done.
func (p *Progress) Done() { p.count.Add(1) }

// Stop draws the final count and ends the line.
func (p *Progress) Stop() {
	if p.stop != nil {
		close(p.stop)
		<-p.finished
		p.stop = nil
	}
}

// Abandon takes the progress line off the screen instead of finishing it:
// for a step cut short, whose summary line says how far it got.
func (p *Progress) Abandon() {
	p.erase = true
	p.Stop()
}
