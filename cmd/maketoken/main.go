// Command maketoken manages Make API tokens across all of Make's zones.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

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

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cli.Main(ctx, os.Args[1:], cli.SystemDeps(cli.BuildInfo{Version: version, Commit: commit, Date: date}))
}
