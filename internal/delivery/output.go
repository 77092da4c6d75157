package delivery

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"

	"golang.org/x/term"
)

// output carries the command's standard output and error. A terminal goes
// to the command as it is; any other writer gets a pipe, copied by
// maketoken through the redactor (when there is one). Either way the
// command's end is known at once (its process ended), and what its
// leftovers still write is waited for only for a while (finish).
type output struct {
	redact    func(string) string
	childEnds []*os.File // the pipes' writing ends, the command's
	ours      []*os.File // the pipes' reading ends
	copies    sync.WaitGroup
	done      chan struct{}
}

// startOutput gives cmd its standard output and error.
func startOutput(cmd *exec.Cmd, stdout, stderr io.Writer, redact func(string) string) (*output, error) {
	o := &output{redact: redact, done: make(chan struct{})}
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
	if f, ok := w.(*os.File); ok && (o.redact == nil || term.IsTerminal(int(f.Fd()))) {
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
		copyLines(w, r, o.redact)
	}()
	return cw, nil
}

// Lines longer than maxLine are passed on in pieces, all but their last
// keepTail bytes at a time, so that a secret is never cut in two unless a
// line is that long; even then the redactor removes any piece of 12
// characters or more of a known secret.
const (
	maxLine  = 64 << 10
	keepTail = 256
)

// copyLines copies src to dst line by line, each line through redact (if
// set). The last line is passed on at the end even without a newline. If
// dst fails, src is still read to its end, so that the command never
// blocks on a full pipe.
func copyLines(dst io.Writer, src io.Reader, redact func(string) string) {
	var line []byte
	chunk := make([]byte, 32<<10)
	failed := false
	emit := func(b []byte) {
		if failed || len(b) == 0 {
			return
		}
		if redact != nil {
			b = []byte(redact(string(b)))
		}
		if _, err := dst.Write(b); err != nil {
			failed = true
		}
	}
	for {
		n, err := src.Read(chunk)
		line = append(line, chunk[:n]...)
		if i := bytes.LastIndexByte(line, '\n'); i >= 0 {
			for _, l := range bytes.SplitAfter(line[:i+1], []byte{'\n'}) {
				emit(l)
			}
			line = append(line[:0], line[i+1:]...)
		}
		if len(line) > maxLine {
			emit(line[:len(line)-keepTail])
			line = append(line[:0], line[len(line)-keepTail:]...)
		}
		if err != nil {
			emit(line)
			return
		}
	}
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
	o.started()
	o.finish(0)
}
