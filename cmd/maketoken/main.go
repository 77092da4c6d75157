// Command maketoken manages Make API tokens across all of Make's zones.
package main

import (
	"context"
	"os"

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

// run runs maketoken. Ctrl-C and SIGTERM are caught by the commands that
// need to clean up, and only from the moment they begin to talk to Make:
// catching them here would slow every start-up (see docs/performance.md).
func run() int {
	return cli.Main(context.Background(), os.Args[1:], cli.SystemDeps(cli.BuildInfo{Version: version, Commit: commit, Date: date}))
}
