package iostreams

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maketoken/maketoken/internal/output"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// progressEvery is how often a progress line is redrawn.
const progressEvery = 100 * time.Millisecond

// spinnerDelay is how long a step runs before its spinner shows: quick
// steps leave no flicker behind.
const spinnerDelay = 400 * time.Millisecond

var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// statusWriter is stderr at a terminal. It holds at most one status line
// (a progress counter, a spinner), drawn in place at the bottom; anything
// else written to stderr meanwhile (a warning, an error) gets the line to
// itself: the status is cleared first and drawn again after it.
type statusWriter struct {
	mu sync.Mutex
	w  io.Writer
	// width is the terminal's width: a status line is cut to fit it, for
	// a line that wraps cannot be redrawn in place (a carriage return goes
	// back to the start of the row the cursor is on, and every redraw
	// would leave the rows above behind). Nil: 80.
	width  func() int
	status string // the line shown now; "" for none
	active atomic.Pointer[Progress]
}

func (s *statusWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status == "" {
		return s.w.Write(p)
	}
	_, _ = io.WriteString(s.w, "\r\x1b[K")
	n, err := s.w.Write(p)
	if len(p) > 0 && p[len(p)-1] == '\n' {
		_, _ = io.WriteString(s.w, s.status)
	}
	return n, err
}

// show draws line as the status, or clears it (""). The line is cut to
// one column less than the terminal's width: some terminals move to the
// next row as soon as the last column is written.
func (s *statusWriter) show(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if line != "" {
		line = fitLine(line, s.cols()-1)
	}
	switch {
	case line != "":
		_, _ = io.WriteString(s.w, "\r"+line+"\x1b[K")
	case s.status != "":
		_, _ = io.WriteString(s.w, "\r\x1b[K")
	}
	s.status = line
}

func (s *statusWriter) cols() int {
	if s.width != nil {
		if w := s.width(); w > 0 {
			return w
		}
	}
	return 80
}

// fitLine cuts line to at most cols columns, ending it with "…" if it
// was cut.
func fitLine(line string, cols int) string {
	if twwidth.Width(line) <= cols {
		return line
	}
	return twwidth.Truncate(line, max(cols, 1), "…")
}

// ChildStderr is stderr as a child process gets it: the terminal itself,
// without the status line and the gate.
func (s *IOStreams) ChildStderr() io.Writer {
	w := s.ErrOut
	if sw, ok := w.(*statusWriter); ok {
		w = sw.w
	}
	return output.Ungated(w)
}

// statusLine is where a progress line is drawn: stderr's statusWriter, or
// one of its own when stderr was not wrapped (tests).
func (s *IOStreams) statusLine() *statusWriter {
	if sw, ok := s.ErrOut.(*statusWriter); ok {
		return sw
	}
	return &statusWriter{w: s.ErrOut, width: s.ErrWidth}
}

// ActiveProgress is the progress line shown on stderr now, if any.
func (s *IOStreams) ActiveProgress() *Progress {
	if sw, ok := s.ErrOut.(*statusWriter); ok {
		return sw.active.Load()
	}
	return nil
}

// Progress is the line a long step shows on stderr while it runs, redrawn
// in place: a counter ("⠹ revoked 3 of 40, 1 failed") or, for a step that
// waits on something, a spinner that says what for ("⠹ listing the tokens
// of eu1, us1"). A pause for Make's rate limit shows as a countdown. It is
// drawn only when stderr is a terminal; elsewhere it costs nothing and
// writes nothing. Its methods may be called from many goroutines at once.
type Progress struct {
	io     *IOStreams
	verb   string
	total  int
	count  atomic.Int64 // done, successfully
	failed atomic.Int64
	label  atomic.Pointer[string]
	// until is when a pause before a retry ends (Unix nanoseconds), 0:
	// none; why says what it waits for.
	until    atomic.Int64
	why      atomic.Pointer[string]
	start    time.Time
	frame    int
	line     *statusWriter
	stop     chan struct{}
	finished chan struct{}
}

// StartProgress starts the progress line of a step that does total
// things, each counted with Done (or Fail); verb says what ("revoked").
// Call Stop when the step ends; it clears the line, and the command then
// writes its one summary line.
func (s *IOStreams) StartProgress(verb string, total int) *Progress {
	if total == 0 {
		return &Progress{io: s}
	}
	return s.startProgress(verb, total, "")
}

// StartSpinner starts a spinner that says what the command waits for
// ("listing the tokens of eu1"); it shows only if the wait lasts. Change
// what it says with SetLabel; call Stop before writing to stdout.
func (s *IOStreams) StartSpinner(label string) *Progress {
	return s.startProgress("", 0, label)
}

func (s *IOStreams) startProgress(verb string, total int, label string) *Progress {
	p := &Progress{io: s, verb: verb, total: total, start: time.Now()}
	p.label.Store(&label)
	if !s.ErrTTY {
		return p
	}
	line := s.statusLine()
	p.line = line
	p.stop, p.finished = make(chan struct{}), make(chan struct{})
	line.active.Store(p)
	go func() {
		defer close(p.finished)
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if p.total > 0 || time.Since(p.start) >= spinnerDelay || p.until.Load() != 0 {
					line.show(p.text(time.Now()))
				}
			case <-p.stop:
				line.show("")
				return
			}
		}
	}()
	return p
}

// text is the progress line at now.
func (p *Progress) text(now time.Time) string {
	p.frame = (p.frame + 1) % len(spinnerFrames)
	var s string
	if p.total > 0 {
		s = fmt.Sprintf("%s %d of %d", p.verb, p.count.Load(), p.total)
		if n := p.failed.Load(); n > 0 {
			s += fmt.Sprintf(", %d failed", n)
		}
	} else {
		s = *p.label.Load()
	}
	if until := p.until.Load(); until != 0 {
		if left := time.Until(time.Unix(0, until)); left > 0 {
			why := "Make's rate limit"
			if w := p.why.Load(); w != nil && *w != "" {
				why = *w
			}
			s += fmt.Sprintf(" (%s: going on in %ds)", why, int(left.Seconds()+0.999))
		} else {
			p.until.CompareAndSwap(until, 0)
		}
	}
	return spinnerFrames[p.frame] + " " + output.Sanitize(s)
}

// Done counts one thing done successfully.
func (p *Progress) Done() { p.count.Add(1) }

// Fail counts one thing that failed: the counter never counts it as done.
func (p *Progress) Fail() { p.failed.Add(1) }

// Count counts one thing by its outcome: done when err is nil, else
// failed.
func (p *Progress) Count(err error) {
	if err == nil {
		p.Done()
	} else {
		p.Fail()
	}
}

// SetLabel changes what a spinner says it waits for.
func (p *Progress) SetLabel(label string) { p.label.Store(&label) }

// Wait shows a pause of d before a call is tried again as a countdown
// after what the line says, with why it waits ("Make's rate limit",
// "Make answered 503"; "": Make's rate limit). At a terminal this is how
// a retry is told: it adds no line, and is gone with the progress line.
func (p *Progress) Wait(d time.Duration, why string) {
	p.why.Store(&why)
	p.until.Store(time.Now().Add(d).UnixNano())
}

// Stop clears the line. It may be called more than once.
func (p *Progress) Stop() {
	if p.stop != nil {
		p.line.active.CompareAndSwap(p, nil)
		close(p.stop)
		<-p.finished
		p.stop = nil
	}
}
