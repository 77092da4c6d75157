package doctor

import (
	"fmt"
	"io"
	"strings"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/output"
)

// brief shortens a check's message to its first clause, cut to room
// columns, for the zone's section; the problems list at the end has it in
// full.
func brief(msg, zone string, room int) string {
	msg = strings.TrimPrefix(msg, "zone "+zone+": ")
	if i := strings.IndexAny(msg, ";("); i > 0 {
		msg = strings.TrimSpace(msg[:i])
	}
	if r := []rune(msg); len(r) > room {
		msg = string(r[:max(room-1, 0)]) + "…"
	}
	return msg
}

// Write writes the report for a person: short lines, the problems last.
// Its lines fit width columns (a terminal's), and never more than
// reportWidth; 0 is reportWidth.
func (r Report) Write(w io.Writer, width int) {
	if width <= 0 || width > reportWidth {
		width = reportWidth
	}
	// label is the width of a zone line's label ("  keyring      ").
	const label = 15
	room := width - label
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	for _, line := range wrapWords("maketoken doctor: a report for a bug report; it holds no secret.", width) {
		p("%s", line)
	}
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
		p("  keyring      %s", brief(z.Keyring, z.Zone, room))
		if z.KernelKeyring != "not used" {
			p("  kernel       %s", brief(z.KernelKeyring, z.Zone, room))
		}
		p("  cred. file   %s", brief(z.CredentialsFile, z.Zone, room))
		p("  credential   %s", credentials.Credential{Source: credentials.Source(z.CredentialSource), EnvVar: z.CredentialVariable, Store: credentials.Kind(z.CredentialStore)}.Where())
		if z.Accounts > 1 {
			p("  accounts     %d (this report checks the active one, or --user's)", z.Accounts)
		}
		if z.RoundTripMs >= 0 {
			took := fmt.Sprintf("%d ms, ", z.RoundTripMs)
			p("  round trip   %s%s", took, brief(z.Call, z.Zone, room-len(took)))
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
		lead := "  commands     "
		for _, key := range order {
			for _, line := range wrapWords(key+": "+strings.Join(groups[key], ", "), room) {
				p("%s%s", lead, line)
				lead = strings.Repeat(" ", label)
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
		for i, line := range wrapWords(pr, width-2) {
			if i == 0 {
				p("- %s", line)
			} else {
				p("  %s", line)
			}
		}
	}
}

// reportWidth is the widest doctor's report gets, for the text box of a
// bug tracker; a narrower terminal gets a narrower one.
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
