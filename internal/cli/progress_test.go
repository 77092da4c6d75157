package cli

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	p := (&IOStreams{ErrOut: &buf, ErrTTY: true}).StartProgress("revoked", 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); p.Done() }()
	}
	wg.Wait()
	p.Stop()
	p.Stop() // a second Stop does nothing
	if out := buf.String(); !strings.HasPrefix(out, "\r") || !strings.HasSuffix(out, "\rmaketoken: revoked 8 of 8...\n") {
		t.Errorf("progress line %q, want it to end at 8 of 8 and a newline", out)
	}

	buf.Reset()
	p = (&IOStreams{ErrOut: &buf}).StartProgress("revoked", 8)
	p.Done()
	p.Stop()
	if buf.Len() > 0 {
		t.Errorf("without a terminal the progress wrote %q", buf.String())
	}
}
