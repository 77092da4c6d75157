package testkit

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// recorder keeps the failures Answers reports instead of failing.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func TestAnswersReportsEachWrongAnswer(t *testing.T) {
	r := &recorder{TB: t}
	Answers(r, "ToUpper", strings.ToUpper, map[string]string{"a": "A", "b": "b", "c": "C"})
	if len(r.failures) != 1 || r.failures[0] != `ToUpper("b") = "B", want "b"` {
		t.Errorf("failures %q", r.failures)
	}
	r.failures = nil
	Answers(r, "Hours", func(d time.Duration) float64 { return d.Hours() }, map[time.Duration]float64{time.Hour: 2})
	if len(r.failures) != 1 || r.failures[0] != "Hours(1h0m0s) = 1, want 2" {
		t.Errorf("failures %q", r.failures)
	}
}

func TestBufferKeepsWhatWasWritten(t *testing.T) {
	var b Buffer
	if !b.First().IsZero() {
		t.Error("First before any byte")
	}
	done := make(chan struct{})
	go func() { fmt.Fprint(&b, "one "); close(done) }()
	<-done
	fmt.Fprint(&b, "two")
	if b.String() != "one two" || b.First().IsZero() {
		t.Errorf("%q, first %v", b.String(), b.First())
	}
}

func TestTempFileIsPrivate(t *testing.T) {
	dir, path := TempFile(t, "f.yaml", "text")
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 || filepath.Dir(path) != dir {
		t.Fatalf("%s in %s: %v, %v", path, dir, fi, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "text" {
		t.Errorf("holds %q", b)
	}
}
