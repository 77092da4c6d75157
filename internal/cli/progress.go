package cli

import (
	"fmt"
	"sync/atomic"
	"time"
)

// The progress line a long-running command (prune) shows on stderr.

// progressEvery is how often the progress line is redrawn.
const progressEvery = 100 * time.Millisecond

// progress shows "n of N" on stderr while a prune runs, if stderr is a
// terminal.
type progress struct {
	f        *Factory
	total    int
	count    atomic.Int64
	stop     chan struct{}
	finished chan struct{}
}

func (f *Factory) newProgress(total int) *progress {
	p := &progress{f: f, total: total}
	if !f.IO.ErrTTY || total == 0 {
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
				p.draw()
				fmt.Fprintln(f.IO.ErrOut)
				return
			}
		}
	}()
	return p
}

func (p *progress) draw() {
	fmt.Fprintf(p.f.IO.ErrOut, "\rmaketoken: revoked %d of %d...", p.count.Load(), p.total)
}

// done counts one finished delete.
func (p *progress) done() { p.count.Add(1) }

// finish ends the progress line.
func (p *progress) finish() {
	if p.stop != nil {
		close(p.stop)
		<-p.finished
	}
}
