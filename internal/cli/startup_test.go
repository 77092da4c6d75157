package cli

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/iostreams"
)

// TestCommandsTable: each entry of commands() makes the command of its
// name, and the whole tree has no other command but the help topics and
// cobra's help and completion commands.
func TestCommandsTable(t *testing.T) {
	f, root := newRoot(Deps{IO: &iostreams.IOStreams{}})
	names := map[string]bool{}
	for _, c := range commands() {
		if got := c.new(f).Name(); got != c.name {
			t.Errorf("commands(): %q makes %q", c.name, got)
		}
		names[c.name] = true
	}
	for _, c := range root.Commands() {
		cobras := c.Name() == "help" || c.Name() == "completion"
		if !names[c.Name()] && !c.IsAdditionalHelpTopicCommand() && !cobras {
			t.Errorf("the tree has %q, which commands() does not list", c.Name())
		}
	}
}

// TestOneCommandTree: a run of a command makes that command alone, found
// past the global flags as cobra finds it; anything else makes the whole
// tree.
func TestOneCommandTree(t *testing.T) {
	d := Deps{IO: &iostreams.IOStreams{}}
	for _, tt := range []struct {
		args []string
		one  string // "": the whole tree
	}{
		{[]string{"zones"}, "zones"},
		{[]string{"version"}, "version"},
		{[]string{"zones", "--help"}, "zones"},
		{[]string{"-z", "eu1", "list", "--all-zones"}, "list"},
		{[]string{"--zone=eu1", "--debug", "status"}, "status"},
		{[]string{"--jq", "zones", "list"}, "list"},
		{[]string{"-o", "json", "--timeout", "5s", "--config", "c.yaml", "token"}, "token"},
		{[]string{"--config", "zones"}, ""}, // "zones" is the flag's value
		{[]string{"--debug", "version"}, "version"},
		{[]string{"rotate", "--", "zones"}, "rotate"},
		{nil, ""},
		{[]string{"--help"}, ""},
		{[]string{"help", "zones"}, ""},
		{[]string{"completion", "bash"}, ""},
		{[]string{"__complete", "zones", ""}, ""},
		{[]string{"zone"}, ""},
		{[]string{"environment"}, ""},
		{[]string{"--", "zones"}, ""},
	} {
		_, root := newRootFor(d, tt.args)
		var got []string
		for _, c := range root.Commands() {
			got = append(got, c.Name())
		}
		switch {
		case tt.one == "" && len(got) < len(commands()):
			t.Errorf("%q: commands %q, want the whole tree", tt.args, got)
		case tt.one != "" && (len(got) != 1 || got[0] != tt.one):
			t.Errorf("%q: commands %q, want %q alone", tt.args, got, tt.one)
		}
		// Whatever the tree, cobra finds in it what it finds in the whole.
		_, whole := newRoot(d)
		want, _, werr := whole.Find(tt.args)
		found, _, ferr := root.Find(tt.args)
		if found.CommandPath() != want.CommandPath() || (werr == nil) != (ferr == nil) {
			t.Errorf("%q: finds %q (%v), the whole tree %q (%v)", tt.args, found.CommandPath(), ferr, want.CommandPath(), werr)
		}
	}
}

// emptyKeyring is a keyring with no entry.
type emptyKeyring struct{}

func (emptyKeyring) Get(string, string) (string, error) { return "", credentials.ErrNotFound }
func (emptyKeyring) Set(string, string, string) error   { return nil }
func (emptyKeyring) Delete(string, string) error        { return credentials.ErrNotFound }

// Signals are caught from a command's first wait on something outside
// (see runctx): zones with every credential in the environment waits on
// nothing and never pays for catching them (docs/performance.md); asking a
// keyring is a wait. A command that changes something catches them from
// its start.
func TestSignalsCaughtFromTheFirstWait(t *testing.T) {
	home := t.TempDir()
	inEnv := map[string]string{"HOME": home, "XDG_CONFIG_HOME": home + "/config", "XDG_CACHE_HOME": home + "/cache"}
	for _, z := range []string{"EU1", "EU2", "US1", "US2", "CELONIS_EU1", "CELONIS_US1"} {
		inEnv["MAKETOKEN_TOKEN_"+z] = "3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e"
	}
	for _, tt := range []struct {
		name    string
		env     map[string]string
		keyring credentials.Keyring
		args    []string
		catches bool
	}{
		{"zones, credentials in the environment", inEnv, untouchedKeyring{t}, []string{"zones"}, false},
		{"zones, a keyring to ask", map[string]string{"HOME": home}, emptyKeyring{}, []string{"zones"}, true},
		{"create, refused before any request", inEnv, untouchedKeyring{t}, []string{"create", "-l", "x", "-s", "nope", "-z", "eu1", "--out-file", home + "/no/such/dir/t"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			d := Deps{IO: &iostreams.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
				Getenv: func(k string) string { return tt.env[k] }, Keyring: tt.keyring, KernelKeyring: untouchedKeyring{t}}
			f, root := newRootFor(d, tt.args)
			root.SetArgs(tt.args)
			_ = root.Execute()
			if got := f.signals.Catching(); got != tt.catches {
				t.Errorf("catching signals: %v, want %v (stderr %q)", got, tt.catches, errOut.String())
			}
		})
	}
}

// TestRootHelpOfStandIns: the root's help, made from stand-ins of the
// commands (a name and a summary each), is the help the whole tree shows,
// byte for byte.
func TestRootHelpOfStandIns(t *testing.T) {
	run := func(args []string, whole bool) string {
		var out, errOut bytes.Buffer
		d := Deps{IO: &iostreams.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
			Getenv: func(string) string { return "" }, Keyring: untouchedKeyring{t}, KernelKeyring: untouchedKeyring{t}}
		f, root := newRootFor(d, args)
		if whole {
			f, root = newRoot(d)
		}
		code := execute(context.Background(), f, root, args)
		return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	for _, args := range [][]string{nil, {"--help"}, {"-h"}, {"help"}, {"--version"}, {"-v"}} {
		_, root := newRootFor(Deps{IO: &iostreams.IOStreams{}}, args)
		if c, _, err := root.Find([]string{"zones"}); err != nil || c.HasAvailableFlags() {
			t.Errorf("%q: the tree has the zones command itself, not its stand-in", args)
		}
		got, want := run(args, false), run(args, true)
		if got != want {
			t.Errorf("maketoken %s from stand-ins:\n%s\nthe whole tree's:\n%s", strings.Join(args, " "), got, want)
		}
	}
}
