package cli

import (
	"strconv"
	"time"

	"github.com/maketoken/maketoken/internal/iostreams"
)

// warnCredentialLifetime warns that credential (the one maketoken uses for
// zone, or the new one rotate --self makes) is labelled with a lifetime
// (ending at, against now on Make's clock): the first `prune --expired`
// after that time, run anywhere, revokes it.
func warnCredentialLifetime(io *iostreams.IOStreams, zone, credential, label string, at, now time.Time) {
	end := at.UTC().Format("2006-01-02 15:04 UTC")
	what := "with a lifetime that ends " + end + ": `maketoken prune --expired` revokes it once it has passed"
	if !at.After(now) {
		what = "with a lifetime that ended " + end + ": the next `maketoken prune --expired` revokes it"
	}
	io.Warn("zone " + zone + ": " + credential + " is labelled " + strconv.Quote(label) + ", " + what)
}
