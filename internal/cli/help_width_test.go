package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/spf13/cobra"
)

// TestHelpFitsEightyColumns: every command's --help, and every help topic,
// reads on an 80-column terminal without a line wrapping.
func TestHelpFitsEightyColumns(t *testing.T) {
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, sub := range c.Commands() {
			if sub.Hidden {
				continue
			}
			walk(sub, append(append([]string(nil), path...), sub.Name()))
		}
	}
	walk(NewRootCommand(Deps{IO: &iostreams.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, Getenv: func(string) string { return "" }}), nil)
	paths = append(paths, []string{"help", "exit-codes"}, []string{"help", "environment"}, []string{"help", "formatting"})
	if len(paths) < 10 {
		t.Fatalf("found only %d commands", len(paths))
	}
	for _, path := range paths {
		var out, errOut bytes.Buffer
		io := &iostreams.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
		home := t.TempDir()
		env := map[string]string{"HOME": home, "XDG_CONFIG_HOME": home + "/config", "XDG_CACHE_HOME": home + "/cache"}
		args := append([]string(nil), path...)
		if len(args) == 0 || args[0] != "help" {
			args = append(args, "--help")
		}
		if code := Main(context.Background(), args, Deps{IO: io, Getenv: func(k string) string { return env[k] }, Keyring: untouchedKeyring{t}, KernelKeyring: untouchedKeyring{t}}); code != 0 {
			t.Errorf("maketoken %s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
			continue
		}
		if out.Len() == 0 {
			t.Errorf("maketoken %s printed no help", strings.Join(args, " "))
		}
		for _, line := range strings.Split(out.String(), "\n") {
			if n := utf8.RuneCountInString(line); n > 80 {
				t.Errorf("maketoken %s: a line of %d columns:\n%s", strings.Join(args, " "), n, line)
			}
		}
	}
}
