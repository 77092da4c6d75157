package doctor

import (
	"fmt"
	"io"
	"strings"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/output"
)

// brief shortens a check's message to its first clause, for the zone's
// section; the problems list at the end has it in full.
func brief(msg, zone string) string {
	msg = strings.TrimPrefix(msg, "zone "+zone+": ")
	if i := strings.IndexAny(msg, ";("); i > 0 {
		msg = strings.TrimSpace(msg[:i])
	}
	if r := []rune(msg); len(r) > 60 {
		msg = string(r[:59]) + "…"
	}
	return msg
}

// Write writes the report for a person: short lines, the problems last.
func (r Report) Write(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	p("maketoken doctor: a report for a bug report; it holds no secret.")
	p("")
	p("maketoken %s (%s, %s)", r.Version.Version, r.Version.Platform, r.Version.GoVersion)
	file := r.Config.File
	if file == "" {
		file = "none"
	}
	p("config file       %s", output.Sanitize(file))
	p("selected zone     %s", r.Config.Zone)
	p("timeouts          command %s, keyring %s", r.Config.Timeout, r.Config.KeyringTimeout)
	p("credentials file  %s", output.Sanitize(r.Config.CredentialsFile))
	storeSetting := r.Config.CredentialStore
	if storeSetting == "" {
		storeSetting = "not set"
	}
	p("credential store  %s", storeSetting)
	for _, z := range r.Zones {
		p("")
		kind := "private instance from MAKE_ZONE"
		switch {
		case z.Moved:
			kind = "built-in, its URL from the config file"
		case z.Builtin:
			kind = "built-in"
		case !z.AdHoc:
			kind = "from the config file"
		}
		p("zone %s (%s, %s)", z.Zone, output.Sanitize(z.Host), kind)
		p("  url          %s", output.Sanitize(z.URL))
		p("  keyring      %s", brief(z.Keyring, z.Zone))
		if z.KernelKeyring != "not used" {
			p("  kernel       %s", brief(z.KernelKeyring, z.Zone))
		}
		p("  cred. file   %s", brief(z.CredentialsFile, z.Zone))
		p("  credential   %s", credentials.Credential{Source: credentials.Source(z.CredentialSource), EnvVar: z.CredentialVariable, Store: credentials.Kind(z.CredentialStore)}.Where())
		if z.Accounts > 1 {
			p("  accounts     %d (this report checks the active one, or --user's)", z.Accounts)
		}
		if z.RoundTripMs >= 0 {
			p("  round trip   %d ms, %s", z.RoundTripMs, brief(z.Call, z.Zone))
		} else {
			p("  round trip   %s", z.Call)
		}
		switch {
		case z.ClockSkewSeconds != nil:
			p("  clock        the server's is %+ds from ours", *z.ClockSkewSeconds)
		case z.RoundTripMs >= 0:
			p("  clock        unknown (no Date header)")
		}
		if z.Call != "ok" {
			continue
		}
		p("  scopes       %s", output.ScopeCount(z.Scopes))
		// Commands grouped by what the credential lacks for them.
		var order []string
		groups := map[string][]string{}
		for _, c := range z.Commands {
			key := "ok"
			if !c.OK {
				key = "lacks " + strings.Join(c.Missing, ", ")
			}
			if groups[key] == nil {
				order = append(order, key)
			}
			groups[key] = append(groups[key], c.Command)
		}
		label := "  commands     "
		for _, key := range order {
			for _, line := range wrapWords(key+": "+strings.Join(groups[key], ", "), reportWidth-len(label)) {
				p("%s%s", label, line)
				label = "               "
			}
		}
	}
	p("")
	if len(r.Problems) == 0 {
		p("No problems found.")
		return
	}
	p("Problems:")
	for _, pr := range r.Problems {
		for i, line := range wrapWords(pr, reportWidth-2) {
			if i == 0 {
				p("- %s", line)
			} else {
				p("  %s", line)
			}
		}
	}
}

// reportWidth is the width doctor's report fits, for a terminal and for
// the text box of a bug tracker.
const reportWidth = 80

// wrapWords breaks s into lines of at most width bytes at spaces; a word
// longer than width stays whole on its own line.
func wrapWords(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}
