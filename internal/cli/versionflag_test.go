package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/maketoken/maketoken/internal/buildinfo"
	"github.com/maketoken/maketoken/internal/iostreams"
)

// failingWriter fails every write, as a full disk does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestVersionFlag: the root's --version (-v) prints the version alone, as
// `maketoken version` does; --help given too wins; a failed write is an
// error, as it was with cobra's version flag.
func TestVersionFlag(t *testing.T) {
	build := buildinfo.Linked{Version: "1.2.3", Commit: "abc", Date: "2026-01-01T00:00:00Z"}
	want := build.Resolve().String() + "\n"
	run := func(out interface{ Write([]byte) (int, error) }, args ...string) (int, string) {
		var errOut bytes.Buffer
		d := Deps{IO: &iostreams.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: &errOut}, Build: build,
			Getenv: func(string) string { return "" }, Keyring: untouchedKeyring{t}, KernelKeyring: untouchedKeyring{t}}
		return Main(context.Background(), args, d), errOut.String()
	}
	for _, args := range [][]string{{"--version"}, {"-v"}, {"--version=true"}, {"--debug", "--version"}, {"-z", "eu1", "-v"}, {"version"}} {
		var out bytes.Buffer
		code, stderr := run(&out, args...)
		if code != 0 || out.String() != want || stderr != "" {
			t.Errorf("maketoken %s: exit %d, stdout %q, stderr %q; want exit 0 and %q", strings.Join(args, " "), code, out.String(), stderr, want)
		}
	}
	for _, args := range [][]string{{"--version", "--help"}, {"-h", "-v"}, {"--version=false"}} {
		var out bytes.Buffer
		code, _ := run(&out, args...)
		if code != 0 || !strings.Contains(out.String(), "Usage:") || strings.Contains(out.String(), "1.2.3") {
			t.Errorf("maketoken %s: exit %d, stdout %q; want the help", strings.Join(args, " "), code, out.String())
		}
	}
	code, stderr := run(failingWriter{}, "--version")
	if code != 2 || !strings.Contains(stderr, "no space left on device") {
		t.Errorf("--version to a full disk: exit %d, stderr %q; want exit 2 and the write's error", code, stderr)
	}
}
