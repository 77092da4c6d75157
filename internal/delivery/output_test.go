package delivery

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func redactS3cret(s string) string { return strings.ReplaceAll(s, "s3cret-value", "[R]") }

// oneByteReader hands over its text a byte at a time: a secret written in
// pieces must still be found whole.
type oneByteReader struct{ s string }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	p[0] = r.s[0]
	r.s = r.s[1:]
	return 1, nil
}

func TestCopyLines(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"+ v=s3cret-value\nstored\n", "+ v=[R]\nstored\n"},
		{"no newline at the end s3cret-value", "no newline at the end [R]"},
		{"", ""},
		{"a\n\nb\n", "a\n\nb\n"},
	} {
		var out bytes.Buffer
		copyLines(&out, &oneByteReader{tc.in}, redactS3cret)
		if out.String() != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, out.String(), tc.want)
		}
	}
	// A line longer than maxLine goes on in pieces, keeping the secret
	// near a cut whole.
	long := strings.Repeat("x", maxLine) + "s3cret-value" + strings.Repeat("y", 100) + "\n"
	var out bytes.Buffer
	copyLines(&out, strings.NewReader(long), redactS3cret)
	if strings.Contains(out.String(), "s3cret") || out.Len() != len(long)-len("s3cret-value")+len("[R]") {
		t.Errorf("long line: %d bytes, secret left: %v", out.Len(), strings.Contains(out.String(), "s3cret"))
	}
	// Without a redactor, lines pass as they are.
	out.Reset()
	copyLines(&out, strings.NewReader("s3cret-value\n"), nil)
	if out.String() != "s3cret-value\n" {
		t.Errorf("no redactor: %q", out.String())
	}
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) { w.n++; return 0, errors.New("closed") }

// A writer that fails does not stop the reading: the command must never
// block on a full pipe.
func TestCopyLinesReadsOnAfterAFailure(t *testing.T) {
	r := strings.NewReader(strings.Repeat("line\n", 100000))
	w := &failingWriter{}
	copyLines(w, r, nil)
	if r.Len() != 0 || w.n != 1 {
		t.Fatalf("%d bytes left unread, %d writes", r.Len(), w.n)
	}
}
