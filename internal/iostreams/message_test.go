package iostreams

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// terminalStreams are streams whose stderr is a terminal cols wide.
func terminalStreams(cols int) (*IOStreams, *bytes.Buffer) {
	var buf bytes.Buffer
	noColor := func(k string) string { return map[string]string{"NO_COLOR": "1", "TERM": "xterm-256color"}[k] }
	return &IOStreams{ErrOut: &buf, ErrTTY: true, ErrTerminalWidth: func() int { return cols }, Getenv: noColor}, &buf
}

func TestWrap(t *testing.T) {
	for _, c := range []struct {
		name, in string
		width    int
		want     string
	}{
		{"fits", "short line", 20, "short line"},
		{"no terminal: as it is", strings.Repeat("word ", 30), 0, strings.Repeat("word ", 30)},
		{"hanging indent", "maketoken: warning: the quick brown fox jumps over the lazy dog", 30,
			"maketoken: warning: the quick\n  brown fox jumps over the\n  lazy dog"},
		{"an indented line keeps its indent and hangs further",
			"  2026-08-22T09:42:31.691Z  \"a label that is long\"  2c86b93c…", 40,
			"  2026-08-22T09:42:31.691Z \"a label that\n    is long\" 2c86b93c…"},
		{"a URL is never split", "Create an API token for zone eu1 at https://eu1.make.com/user/api (your profile)", 30,
			"Create an API token for zone\n  eu1 at\n  https://eu1.make.com/user/api\n  (your profile)"},
		{"a backquoted command that fits stays whole", "revoke it with `maketoken revoke -z eu1 --prefix 2c86b93c` if it is no longer needed", 45,
			"revoke it with\n  `maketoken revoke -z eu1 --prefix 2c86b93c`\n  if it is no longer needed"},
		{"a comma list wider than a row breaks after a comma", "scopes a:read,b:read,c:read,d:read,e:read,f:read", 20,
			"scopes a:read,\n  b:read,c:read,\n  d:read,e:read,\n  f:read"},
		{"a comma list that fits a row is not broken", "with the scopes a:read,b:read,c:read to the end", 24,
			"with the scopes\n  a:read,b:read,c:read\n  to the end"},
		{"each line of several", "Zone eu1: the credential is 95 days old; rotate it:\n  maketoken rotate -z eu1 --self", 40,
			"Zone eu1: the credential is 95 days old;\n  rotate it:\n  maketoken rotate -z eu1 --self"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := wrap(c.in, c.width)
			if got != c.want {
				t.Errorf("wrap(%q, %d) =\n%s\nwant\n%s", c.in, c.width, got, c.want)
			}
			if c.width == 0 {
				return
			}
			for _, row := range strings.Split(got, "\n") {
				if w := twwidth.Width(row); w > c.width && !strings.Contains(row, "://") {
					t.Errorf("a row of %d columns: %q", w, row)
				}
			}
		})
	}
}

// One prefix style: errors, warnings and notes all start with
// "maketoken:", and nothing else marks them; at a terminal they are
// wrapped with a hanging indent, elsewhere they stay on one line.
func TestMessageShapes(t *testing.T) {
	long := "zone eu1: the token \"old-ci\" (created 2020-01-01T00:00:15.000Z) was not revoked: Make answered 500 Internal Server Error"
	write := func(s *IOStreams) {
		s.PrintError(errors.New(long))
		s.Warn("the config file can be written by others")
		s.Note("zone %s comes from MAKE_ZONE", "acme")
		s.Result(true, "Revoked %d of %d tokens in zone %s.", 1, 1, "eu1")
		s.Result(false, "Pruned %d of %d tokens.", 11, 20)
		s.Say("Revoking %d tokens in zone %s:", 2, "eu1")
	}
	pipe := &bytes.Buffer{}
	terminal, buf := terminalStreams(60)
	for _, c := range []struct {
		where string
		s     *IOStreams
		out   *bytes.Buffer
		want  string
	}{
		{"without a terminal", &IOStreams{ErrOut: pipe}, pipe, "maketoken: " + long + "\n" +
			"maketoken: warning: the config file can be written by others\n" +
			"maketoken: note: zone acme comes from MAKE_ZONE\n" +
			"Revoked 1 of 1 tokens in zone eu1.\n" +
			"Pruned 11 of 20 tokens.\n" +
			"Revoking 2 tokens in zone eu1:\n"},
		{"at a terminal 60 wide", terminal, buf, "maketoken: zone eu1: the token \"old-ci\" (created\n" +
			"  2020-01-01T00:00:15.000Z) was not revoked: Make answered\n" +
			"  500 Internal Server Error\n" +
			"maketoken: warning: the config file can be written by others\n" +
			"maketoken: note: zone acme comes from MAKE_ZONE\n" +
			"✓ Revoked 1 of 1 tokens in zone eu1.\n" +
			"✗ Pruned 11 of 20 tokens.\n" +
			"Revoking 2 tokens in zone eu1:\n"},
	} {
		write(c.s)
		if got := c.out.String(); got != c.want {
			t.Errorf("%s:\n%s\nwant\n%s", c.where, got, c.want)
		}
	}
}

// With colour the prefix is coloured after the text was wrapped: the
// escape sequences take no room.
func TestColouredPrefixAfterWrapping(t *testing.T) {
	s, buf := terminalStreams(40)
	s.Getenv = func(k string) string { return map[string]string{"TERM": "xterm-256color"}[k] }
	s.Warn("the credentials file can be read by others: chmod 600 it")
	want := "maketoken: \x1b[33mwarning:\x1b[0m the credentials file\n  can be read by others: chmod 600 it\n"
	if got := buf.String(); got != want {
		t.Errorf("%q\nwant %q", got, want)
	}
}

// A message's own text makes its lines; what it quotes (a server's
// answer, a label) cannot start a line of its own, nor carry a secret.
func TestSayMakesArgumentsSafe(t *testing.T) {
	var buf bytes.Buffer
	s := &IOStreams{ErrOut: &buf}
	s.Say("Revoked the token %s:\n  %v", "evil\n✓ Revoked everything\x1b[2J", errors.New("answer\r\nspoof"))
	want := "Revoked the token evil\\n\\u2713 Revoked everything\\x1b[2J:\n  answer\\r\\nspoof\n"
	if got := buf.String(); got != want {
		t.Errorf("%q\nwant %q", got, want)
	}
}

func TestPrintErrorSaysTheTimeRanOut(t *testing.T) {
	var buf bytes.Buffer
	(&IOStreams{ErrOut: &buf}).PrintError(fmt.Errorf("zone eu1: listing: %w", context.DeadlineExceeded))
	if got, want := buf.String(), "maketoken: zone eu1: listing: context deadline exceeded (the command ran out of time; raise --timeout)\n"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

// A prompt is wrapped too, and leaves the cursor after its last word.
func TestPrompt(t *testing.T) {
	s, buf := terminalStreams(40)
	s.Prompt("%s [y/N]", "Revoke 20 tokens older than 1y in zones eu1, us1?")
	if got, want := buf.String(), "Revoke 20 tokens older than 1y in zones\n  eu1, us1? [y/N] "; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}
