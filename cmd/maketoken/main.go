// Command maketoken manages Make API tokens across all of Make's zones.
package main

import (
	"context"
	"os"

	"github.com/maketoken/maketoken/internal/buildinfo"
	"github.com/maketoken/maketoken/internal/cli"
)

// Set by the release build (-ldflags "-X main.version=...").
var (
	version string
	commit  string
	date    string
)

func main() {
	os.Exit(run())
}

// run runs maketoken. Signals are caught by each command's context from
// its first wait on something outside (see internal/runctx), not here:
// catching them before a command needs it would slow every start-up (see
// docs/performance.md).
func run() int {
	return cli.Main(context.Background(), os.Args[1:], cli.SystemDeps(buildinfo.Linked{Version: version, Commit: commit, Date: date}))
}
