//go:build linux

package delivery

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/testkit"
)

func redactSecret(s string) string { return strings.ReplaceAll(s, secret, "[R]") }

// TestResolve: a command that cannot run is known before there is a
// secret to hand it, and Run never starts one.
func TestResolve(t *testing.T) {
	for _, args := range [][]string{nil, {}, {""}, {"no-such-command-here", "x"}} {
		c := &Command{Args: args}
		if err := c.Resolve(); err == nil {
			t.Errorf("Resolve(%q) = nil", args)
		}
	}
	c := &Command{Args: []string{"no-such-command-here"}}
	if _, err := c.Run(context.Background(), secret); err == nil || !strings.Contains(err.Error(), `"no-such-command-here": executable file not found`) {
		t.Errorf("Run of a missing command: %v", err)
	}
	c = &Command{Args: []string{"sh", "-c", "exit 0"}}
	if err := c.Resolve(); err != nil || !filepath.IsAbs(c.path) {
		t.Errorf("Resolve(sh) = %v, path %q", err, c.path)
	}
	if got := (&Command{Args: []string{"/usr/bin/vault", "kv", "put"}}).Name(); got != "vault" {
		t.Errorf("Name() = %q, want the program's base name", got)
	}
}

// TestStartFails: a program that is found but cannot start (its
// interpreter is missing) is an error, with nothing left open.
func TestStartFails(t *testing.T) {
	script := filepath.Join(t.TempDir(), "store")
	if err := os.WriteFile(script, []byte("#!/no/such/interpreter\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	before := testkit.OpenFiles(t)
	var out testkit.Buffer
	c := &Command{Args: []string{script}, Stdout: &out, Stderr: &out}
	if _, err := c.Run(context.Background(), secret); err == nil {
		t.Fatal("Run of a program that cannot start: no error")
	}
	if after := testkit.OpenFiles(t); after != before {
		t.Errorf("%d files open after a failed start, %d before", after, before)
	}
}

// TestRunLeavesNothingOpen: every pipe Run made is closed when it returns.
func TestRunLeavesNothingOpen(t *testing.T) {
	before := testkit.OpenFiles(t)
	var out testkit.Buffer
	for _, script := range []string{"cat >/dev/null; echo done", "echo out; echo err >&2", "exit 3"} {
		c := &Command{Args: []string{"sh", "-c", script}, Stdout: &out, Stderr: &out, Grace: 200 * time.Millisecond}
		if _, err := c.Run(context.Background(), secret); err != nil {
			t.Fatal(err)
		}
	}
	if after := testkit.OpenFiles(t); after != before {
		t.Errorf("%d files open after Run, %d before", after, before)
	}
}

// TestArgvZero: the command gets its name as it was given, not the path
// Resolve found (busybox-style programs go by it).
func TestArgvZero(t *testing.T) {
	var out testkit.Buffer
	c := &Command{Args: []string{"sh", "-c", `tr '\0' ' ' </proc/$$/cmdline`}, Stdout: &out, Stderr: &out}
	if _, err := c.Run(context.Background(), secret); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasPrefix(got, "sh -c ") {
		t.Errorf("the command's arguments were %q", got)
	}
}

// TestOutputGoesWhereItBelongs: standard output and error each go to
// their own writer, redacted, in order within each; a file that is not a
// terminal is no exception to the redaction.
func TestOutputGoesWhereItBelongs(t *testing.T) {
	var stdout, stderr testkit.Buffer
	script := `cat; echo; echo "out $(echo one)"; echo "err ` + secret + `" >&2; echo "out two"`
	c := &Command{Args: []string{"sh", "-c", script}, Stdout: &stdout, Stderr: &stderr, Redact: redactSecret}
	res, err := c.Run(context.Background(), secret)
	if err != nil || res.Outcome != Delivered {
		t.Fatalf("%+v, %v", res, err)
	}
	if got, want := stdout.String(), "[R]\nout one\nout two\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	if got, want := stderr.String(), "err [R]\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}

	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c = &Command{Args: []string{"sh", "-c", "cat; echo; echo " + secret + " >&2"}, Stdout: f, Stderr: f, Redact: redactSecret}
	if _, err := c.Run(context.Background(), secret); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(f.Name()); string(b) != "[R]\n[R]\n" {
		t.Errorf("a file got %q", b)
	}
}

// TestOutputIsComplete: when Run returns, all the command wrote has been
// passed on, however much it was, in one long line or many.
func TestOutputIsComplete(t *testing.T) {
	for script, size := range map[string]int{
		"head -c 2000000 /dev/zero | tr '\\0' a": 2000000,
		"yes line | head -n 200000":              1000000,
	} {
		var out testkit.Buffer
		c := &Command{Args: []string{"sh", "-c", script}, Stdout: &out, Stderr: &out, Redact: redactSecret}
		if _, err := c.Run(context.Background(), secret); err != nil {
			t.Fatal(err)
		}
		if got := len(out.String()); got != size {
			t.Errorf("%s: %d bytes passed on, want %d", script, got, size)
		}
	}
}

// TestOutputLineByLine: a line is passed on as soon as it ends, not when
// the command does.
func TestOutputLineByLine(t *testing.T) {
	var out testkit.Buffer
	c := &Command{Args: []string{"sh", "-c", "echo first; sleep 2; echo second"}, Stdout: &out, Stderr: &out, Redact: redactSecret}
	start := time.Now()
	if _, err := c.Run(context.Background(), secret); err != nil {
		t.Fatal(err)
	}
	if out.String() != "first\nsecond\n" || out.First().Sub(start) > 1500*time.Millisecond {
		t.Errorf("output %q, first line after %v", out.String(), out.First().Sub(start))
	}
}

// TestOutputOfLeftoversEnds: what a program the command left behind
// writes after the grace time is lost, not passed on later.
func TestOutputOfLeftoversEnds(t *testing.T) {
	var out testkit.Buffer
	c := &Command{Args: []string{"sh", "-c", "(sleep 1; echo late) & echo now"}, Stdout: &out, Stderr: &out, Redact: redactSecret, Grace: 200 * time.Millisecond}
	if _, err := c.Run(context.Background(), secret); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	if got := out.String(); got != "now\n" {
		t.Errorf("output %q, want only what came before the end", got)
	}
}

// TestCopyLinesLongLine: a line longer than maxLine, read in pieces, is
// passed on whole, and a secret across the cut is still found.
func TestCopyLinesLongLine(t *testing.T) {
	long := strings.Repeat("x", maxLine-10) + "s3cret-value" + strings.Repeat("y", 2*maxLine) + "\nend"
	var out bytes.Buffer
	copyLines(&out, &chunkReader{s: long, n: 1000}, redactS3cret)
	if want := strings.Replace(long, "s3cret-value", "[R]", 1); out.String() != want {
		t.Errorf("%d bytes passed on (want %d), secret left: %v", out.Len(), len(want), strings.Contains(out.String(), "s3cret"))
	}
}

// chunkReader hands over its text n bytes at a time.
type chunkReader struct {
	s string
	n int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, os.ErrClosed
	}
	n := copy(p[:min(len(p), r.n)], r.s)
	r.s = r.s[n:]
	return n, nil
}
