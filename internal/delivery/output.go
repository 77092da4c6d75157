package delivery

import (
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// output carries the command's standard output and error. A writer that
// is a file goes to the command as it is; any other writer gets a pipe,
// copied by maketoken. Either way the command's end is known at once (its
// process ended), and what its leftovers still write is waited for only
// for a while (finish).
type output struct {
	childEnds []*os.File // the pipes' writing ends, the command's
	ours      []*os.File // the pipes' reading ends
	copies    sync.WaitGroup
	done      chan struct{}
}

// startOutput gives cmd its standard output and error.
func startOutput(cmd *exec.Cmd, stdout, stderr io.Writer) (*output, error) {
	o := &output{done: make(chan struct{})}
	var err error
	if cmd.Stdout, err = o.pipe(stdout); err != nil {
		o.abandon()
		return nil, err
	}
	if stderr == stdout {
		// One pipe keeps the order in which the two were written.
		cmd.Stderr = cmd.Stdout
		return o, nil
	}
	if cmd.Stderr, err = o.pipe(stderr); err != nil {
		o.abandon()
		return nil, err
	}
	return o, nil
}

// pipe is what the command writes to for w.
func (o *output) pipe(w io.Writer) (io.Writer, error) {
	if w == nil {
		return nil, nil // the null device
	}
	if f, ok := w.(*os.File); ok {
		return f, nil
	}
	r, cw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	o.childEnds = append(o.childEnds, cw)
	o.ours = append(o.ours, r)
	o.copies.Add(1)
	go func() {
		defer o.copies.Done()
		_, _ = io.Copy(w, r)
	}()
	return cw, nil
}

// started closes maketoken's copies of the command's ends, so that a copy
// ends when the command and whatever it left behind have closed theirs.
func (o *output) started() {
	for _, f := range o.childEnds {
		_ = f.Close()
	}
	o.childEnds = nil
	go func() { o.copies.Wait(); close(o.done) }()
}

// finish waits for the copies to end, at most grace: a program the
// command left behind may hold its output open for as long as it runs.
// Then the pipes are closed, and what such a program writes later is lost.
func (o *output) finish(grace time.Duration) {
	select {
	case <-o.done:
	case <-time.After(grace):
	}
	for _, f := range o.ours {
		_ = f.Close()
	}
	<-o.done
}

// abandon closes every pipe of a command that did not start.
func (o *output) abandon() {
	for _, f := range o.childEnds {
		_ = f.Close()
	}
	o.childEnds = nil
	o.started()
	o.finish(0)
}
