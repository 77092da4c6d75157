package cli

import (
	"strconv"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/iostreams"
)

// warnCredentialLifetime warns that the credential maketoken uses for zone
// is labelled with a lifetime (ending at, against now on Make's clock):
// the first `prune --expired` after that time, run anywhere, revokes it,
// and with it what also names (rotate's new token, which keeps the label).
func warnCredentialLifetime(io *iostreams.IOStreams, zone, label string, at, now time.Time, also string) {
	end := at.UTC().Format("2006-01-02 15:04 UTC")
	what := "with a lifetime that ends " + end + ": `maketoken prune --expired` revokes it" + also + " once it has passed"
	if !at.After(now) {
		what = "with a lifetime that ended " + end + ": the next `maketoken prune --expired` revokes it" + strings.TrimSuffix(also, ",")
	}
	io.Warn("zone " + zone + ": the credential maketoken uses is labelled " + strconv.Quote(label) + ", " + what)
}
