package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/iostreams"
)

// untouchedKeyring fails the test if a command reaches the keyring.
type untouchedKeyring struct{ t *testing.T }

func (k untouchedKeyring) Get(string, string) (string, error) {
	k.t.Error("the keyring was read")
	return "", nil
}

func (k untouchedKeyring) Set(string, string, string) error {
	k.t.Error("the keyring was written")
	return nil
}

func (k untouchedKeyring) Delete(string, string) error {
	k.t.Error("the keyring was written")
	return nil
}

// runInProcess runs maketoken with args in this process, with no
// terminal, environment, keyring or network, and returns its exit code and
// stderr.
func runInProcess(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	io := &iostreams.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	home := t.TempDir() // no user's config, cache or credentials file is read
	env := map[string]string{"HOME": home, "XDG_CONFIG_HOME": home + "/config", "XDG_CACHE_HOME": home + "/cache"}
	getenv := func(k string) string { return env[k] }
	code := Main(context.Background(), args, Deps{IO: io, Getenv: getenv, Keyring: untouchedKeyring{t}, KernelKeyring: untouchedKeyring{t}})
	if out.Len() > 0 {
		t.Errorf("maketoken %s: stdout %q, want nothing", strings.Join(args, " "), out.String())
	}
	return code, errOut.String()
}

// TestNewCmdExclusiveFlags: flags that exclude each other are refused with
// one wording and exit 2, before any config, keyring or network is used.
func TestNewCmdExclusiveFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"list", "-z", "eu1", "--all-zones"}, "use either -z or --all-zones, not both"},
		{[]string{"status", "--zone", "us1", "--all-zones"}, "use either -z or --all-zones, not both"},
		{[]string{"prune", "--older-than", "1d", "--all-zones", "-z", "eu1"}, "use either -z or --all-zones, not both"},
		{[]string{"prune", "--older-than", "1d", "--label", "a", "--label-prefix", "b"}, "use either --label or --label-prefix, not both"},
		{[]string{"rotate", "-l", "ci", "--self"}, "use either --label or --self, not both"},
		{[]string{"prune", "--older-than", "1d", "--expired"}, "use either --older-than or --expired, not both"},
		{[]string{"create", "-l", "x", "--ttl", "1h", "--save"}, "use either --ttl or --save, not both: the zone's credential must not expire"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stderr := runInProcess(t, tt.args...)
			if code != cmderr.Usage {
				t.Errorf("exit code %d, want %d", code, cmderr.Usage)
			}
			if want := "maketoken: " + tt.want + "\n"; stderr != want {
				t.Errorf("stderr %q, want %q", stderr, want)
			}
		})
	}
}

// TestNewCmdFlagsAccepted: the flags each command documents parse, and
// the one-zone forms are not mistaken for conflicts.
func TestNewCmdFlagsAccepted(t *testing.T) {
	_, root := newRoot(Deps{IO: &iostreams.IOStreams{}})
	for _, args := range [][]string{
		{"list", "--all-zones", "--label", "x"},
		{"status", "-z", "eu1"},
		{"prune", "--older-than", "90d", "--label-prefix", "ci-", "--keep", "2", "--yes", "--dry-run"},
		{"rotate", "--self", "-s", "user:read", "--keep-old", "--out-file", "t", "--yes", "--dry-run"},
		{"revoke", "2024-01-01T00:00:00.000Z", "--label", "l", "--prefix", "p", "--all", "-y", "--dry-run"},
		{"create", "-l", "x", "-s", "a,b", "--out-file", "f", "--force", "--save"},
	} {
		cmd, rest, err := root.Find(args)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if err := cmd.ParseFlags(rest); err != nil {
			t.Errorf("%v: %v", args, err)
		}
		if cmd.PreRunE != nil {
			if err := cmd.PreRunE(cmd, cmd.Flags().Args()); err != nil {
				t.Errorf("%v: %v", args, err)
			}
		}
	}
}

// TestNewCmdUsage: what each command refuses before it needs a credential:
// exit 2 with the message that says what to do, no keyring, no request.
func TestNewCmdUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"create", "-s", "user:read"}, "a label is required: pass -l LABEL"},
		{[]string{"create", "-l", " ", "-s", "user:read"}, "the label cannot be blank"},
		{[]string{"create", "-l", "x\x1b[2J", "-s", "user:read"}, "contains a control character"},
		{[]string{"create", "-l", "x", "-s", "user:read", "--force"}, "--force only applies to --out-file"},
		{[]string{"revoke", "--yes"}, "say which tokens to revoke"},
		{[]string{"revoke", "--label", " "}, "--label cannot be blank"},
		{[]string{"rotate", "--yes"}, "say what to rotate: --label L"},
		{[]string{"prune", "--yes"}, "--older-than AGE"},
		{[]string{"prune", "--older-than", "3mo"}, "months are ambiguous"},
		{[]string{"prune", "--older-than", "1d", "--keep", "-1"}, "--keep cannot be negative"},
		{[]string{"exec"}, "name the command to run"},
		{[]string{"list", "extra"}, "unknown command"},
		{[]string{"list", "--no-such-flag"}, "unknown flag --no-such-flag"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stderr := runInProcess(t, tt.args...)
			if code != cmderr.Usage {
				t.Errorf("exit code %d, want %d (stderr %q)", code, cmderr.Usage, stderr)
			}
			if !strings.HasPrefix(stderr, "maketoken: ") || !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q, want a maketoken: line saying %q", stderr, tt.want)
			}
		})
	}
}
