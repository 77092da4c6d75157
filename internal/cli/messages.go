package cli

import (
	"strconv"
	"strings"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/tokens"
)

// Message helpers shared by the commands: counts, zone names, token lines.

// countTokens is "1 token", "3 tokens".
func countTokens(n int) string {
	return output.Plural(n, "token")
}

// writeTokenLines shows tokens on stderr, one per line, marking the
// credential maketoken uses.
func writeTokenLines(ios *iostreams.IOStreams, list []makeapi.Token, cred credentials.Credential) {
	for _, t := range list {
		mark, token := "", tokens.MaskListed(t.Token)
		if tokens.IsCurrent(t, cred.Token) {
			mark = "  (the credential maketoken uses)"
		}
		if ios.ErrTTY {
			// A person's line fits 80 columns: the token by its prefix.
			token = output.ShortToken(token)
			if mark != "" {
				mark = "  (maketoken uses it)"
			}
		}
		ios.Say("  %s  %s  %s%s", t.Created, output.Printable(strconv.Quote(t.Label)), token, mark)
	}
}

// targetNames are the names of the zones a command works on.
func targetNames(targets []credentials.Target) []string {
	names := make([]string, len(targets))
	for i, t := range targets {
		names[i] = t.Zone.Name
	}
	return names
}

// zonesText names zones for a message: "zone eu1", "zones eu1, us1".
func zonesText(names []string) string {
	if len(names) == 1 {
		return "zone " + names[0]
	}
	return "zones " + strings.Join(names, ", ")
}
