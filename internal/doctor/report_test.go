package doctor

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// The text report fits 80 columns, shortens a zone's check to its first
// clause and lists every problem in full at the end.
func TestReportFitsAndListsProblems(t *testing.T) {
	long := "zone eu1: the OS keyring: the Secret Service did not answer within 5s (is a keyring unlocked?); log in with --store file where none can be"
	rep := Report{Config: Config{Zone: "eu1"}, Zones: []Zone{{Zone: "eu1", Host: "eu1.make.com", URL: "https://eu1.make.com/api/v2", Builtin: true,
		Keyring: long, KernelKeyring: "not used", CredentialsFile: "ok", CredentialSource: "none", RoundTripMs: -1, Call: "not made (no credential)"}},
		Problems: []string{long}}
	var b strings.Builder
	rep.Write(&b, 0)
	out := b.String()
	for _, line := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(line); n > reportWidth {
			t.Errorf("a line of %d columns: %q", n, line)
		}
	}
	for _, want := range []string{
		"  keyring      the OS keyring: the Secret Service did not answer within 5s\n",
		"Problems:\n- zone eu1: the OS keyring: the Secret Service did not answer within 5s (is a\n  keyring unlocked?); log in with --store file where none can be\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	rep.Problems = nil
	b.Reset()
	rep.Write(&b, 0)
	if !strings.HasSuffix(b.String(), "\nNo problems found.\n") {
		t.Errorf("a report without problems ends %q", b.String()[len(b.String())-30:])
	}
}

func TestWrapWords(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  []string
	}{
		{"", 10, []string{""}},
		{"a b c", 3, []string{"a b", "c"}},
		{"short averyveryverylongword x", 8, []string{"short", "averyveryverylongword", "x"}},
	} {
		if got := wrapWords(tc.in, tc.width); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("wrapWords(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

// On a terminal narrower than 80 columns every line fits it, a round trip
// with a long answer too (at 80 that line took 84 columns: the shortened
// answer was 60 wide after a 24-column start).
func TestReportFitsTheTerminal(t *testing.T) {
	dns := "zone eu1: DNS has no host eu1.make.com: this machine's DNS does not know Make's own host; check the network"
	rep := Report{Config: Config{Zone: "eu1"}, Zones: []Zone{{Zone: "eu1", Host: "eu1.make.com", URL: "https://eu1.make.com/api/v2", Builtin: true,
		Keyring: "ok", KernelKeyring: "the kernel keyring cannot be used here: this system does not offer the kernel's key-management calls",
		CredentialsFile: "ok", CredentialSource: "env", CredentialVariable: "MAKETOKEN_TOKEN_EU1", RoundTripMs: 1234, Call: dns}},
		Problems: []string{dns, "the record of accounts /home/someone/.config/maketoken/accounts.json is not valid JSON (fix it, or remove it and log in again)"}}
	for _, width := range []int{0, 200, 80, 79, 60} {
		var b strings.Builder
		rep.Write(&b, width)
		fits := width
		if width == 0 || width > reportWidth {
			fits = reportWidth
		}
		for _, line := range strings.Split(b.String(), "\n") {
			if n := utf8.RuneCountInString(line); n > fits {
				t.Errorf("width %d: a line of %d columns: %q", width, n, line)
			}
		}
		if !strings.Contains(b.String(), "  round trip   1234 ms, DNS has no host") {
			t.Errorf("width %d: no round trip line:\n%s", width, b.String())
		}
	}
}
