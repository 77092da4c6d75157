package iostreams

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestProgressCountsOnlySuccesses(t *testing.T) {
	p := (&IOStreams{ErrOut: &bytes.Buffer{}}).StartProgress("revoked", 8)
	var wg sync.WaitGroup
	for i := range 7 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%3 == 0 {
				p.Count(errors.New("429"))
			} else {
				p.Count(nil)
			}
		}()
	}
	wg.Wait()
	if got := p.text(time.Now()); !strings.HasSuffix(got, " revoked 4 of 8, 3 failed") {
		t.Errorf("progress %q, want 4 of 8 revoked and 3 failed", got)
	}
	p.Wait(30*time.Second, "")
	if got := p.text(time.Now()); !strings.HasSuffix(got, "(Make's rate limit: going on in 30s)") {
		t.Errorf("progress %q, want a countdown", got)
	}
	p.Wait(2*time.Second, "Make answered 503")
	if got := p.text(time.Now()); !strings.HasSuffix(got, "(Make answered 503: going on in 2s)") {
		t.Errorf("progress %q, want the countdown to say why", got)
	}
	p.Stop()
}

// A warning written while a progress line is shown gets a line of its
// own: the status is cleared first and drawn again after it.
func TestStatusWriter(t *testing.T) {
	var buf bytes.Buffer
	sw := &statusWriter{w: &buf}
	sw.show("⠋ revoked 1 of 3")
	fmt.Fprintln(sw, "maketoken: warning: slow zone")
	sw.show("")
	fmt.Fprintln(sw, "Pruned 3 of 3 tokens.")
	want := "\r⠋ revoked 1 of 3\x1b[K" + "\r\x1b[K" + "maketoken: warning: slow zone\n" + "⠋ revoked 1 of 3" + "\r\x1b[K" + "Pruned 3 of 3 tokens.\n"
	if got := buf.String(); got != want {
		t.Errorf("stderr %q,\nwant   %q", got, want)
	}
}

func TestProgressOnlyOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	p := (&IOStreams{ErrOut: &buf}).StartProgress("revoked", 8)
	p.Done()
	time.Sleep(3 * progressEvery)
	p.Stop()
	s := (&IOStreams{ErrOut: &buf}).StartSpinner("listing")
	time.Sleep(spinnerDelay + 2*progressEvery)
	s.Stop()
	if buf.Len() > 0 {
		t.Errorf("without a terminal the progress wrote %q", buf.String())
	}

	// On a terminal the counter shows and Stop clears it (twice is fine).
	sw := &statusWriter{w: &buf}
	p = (&IOStreams{ErrOut: sw, ErrTTY: true}).StartProgress("revoked", 8)
	p.Done()
	for !strings.Contains(syncString(sw, &buf), "revoked 1 of 8") {
		time.Sleep(10 * time.Millisecond)
	}
	p.Stop()
	p.Stop()
	if out := syncString(sw, &buf); !strings.HasSuffix(out, "\r\x1b[K") {
		t.Errorf("the progress line was not cleared: %q", out)
	}
}

func syncString(sw *statusWriter, buf *bytes.Buffer) string {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	return buf.String()
}

// A status line wider than the terminal would wrap, and a carriage return
// cannot take it back: each redraw would leave its first rows behind. It
// is cut to one column less than the width, and the cut shows.
func TestStatusLineFitsTheTerminal(t *testing.T) {
	var buf bytes.Buffer
	cols := 30
	sw := &statusWriter{w: &buf, width: func() int { return cols }}
	sw.show("⠙ checking the credentials of zones eu1, eu2, us1, us2, celonis-eu1, celonis-us1")
	want := "\r⠙ checking the credentials o…\x1b[K"
	if got := buf.String(); got != want {
		t.Errorf("status %q, want %q", got, want)
	}
	buf.Reset()
	cols = 200 // the terminal was widened: the next redraw uses the room
	sw.show("⠹ checking the credentials of zones eu1, eu2")
	if got, want := buf.String(), "\r⠹ checking the credentials of zones eu1, eu2\x1b[K"; got != want {
		t.Errorf("status %q, want %q", got, want)
	}
}
