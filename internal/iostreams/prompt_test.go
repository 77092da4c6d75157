package iostreams

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// lines gives one line per Read, as a terminal does.
type lines []string

func (l *lines) Read(p []byte) (int, error) {
	if len(*l) == 0 {
		return 0, io.EOF
	}
	n := copy(p, (*l)[0])
	*l = (*l)[1:]
	return n, nil
}

// TestChoose: the numbered list, an answer out of range asked again, the
// index of a good one; nothing cancels.
func TestChoose(t *testing.T) {
	for _, tt := range []struct {
		name    string
		answers lines
		want    int
		err     error
		retries int
	}{
		{"second", lines{"2\n"}, 1, nil, 0},
		{"out of range, then third", lines{"7\n", "x\n", " 3 \n"}, 2, nil, 2},
		{"empty line", lines{"\n"}, 0, ErrCancelled, 0},
		{"Ctrl-D", lines{}, 0, ErrCancelled, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			s := &IOStreams{In: &tt.answers, ErrOut: &out}
			got, err := s.Choose(context.Background(), "Zone eu1 has 3 accounts:", "Switch to", []string{"ann", "bob  (active)", "cy"})
			if !errors.Is(err, tt.err) || (err == nil && got != tt.want) {
				t.Fatalf("Choose = %d, %v; want %d, %v", got, err, tt.want, tt.err)
			}
			if !strings.HasPrefix(out.String(), "Zone eu1 has 3 accounts:\n  1. ann\n  2. bob  (active)\n  3. cy\nSwitch to [1-3]:") {
				t.Errorf("shown:\n%s", out.String())
			}
			if n := strings.Count(out.String(), "Type a number from 1 to 3 (or nothing to cancel)."); n != tt.retries {
				t.Errorf("asked again %d times; want %d", n, tt.retries)
			}
		})
	}
}

// TestReadToken: the first line of standard input; no terminal to ask on
// (ErrNoTerminal, in the caller's words); a standard input never closed
// until the time is up.
func TestReadToken(t *testing.T) {
	ctx := context.Background()
	s := &IOStreams{In: strings.NewReader("  tok-1  \nsecond line\n"), ErrOut: io.Discard}
	if got, err := s.ReadToken(ctx, true, "Paste:", "no terminal"); err != nil || got != "  tok-1  " {
		t.Errorf("from stdin: %q, %v; want the first line as read", got, err)
	}
	s = &IOStreams{In: strings.NewReader("tok\n"), ErrOut: io.Discard}
	if _, err := s.ReadToken(ctx, false, "Paste:", "no terminal to ask on"); !errors.Is(err, ErrNoTerminal) || err.Error() != "no terminal to ask on" {
		t.Errorf("without a terminal: %v; want ErrNoTerminal in the caller's words", err)
	}
	r, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	s = &IOStreams{In: r, ErrOut: io.Discard}
	if _, err := s.ReadToken(ctx, true, "Paste:", ""); err == nil || !strings.Contains(err.Error(), "it was never closed); nothing was stored") {
		t.Errorf("stdin never closed: %v", err)
	}
}
