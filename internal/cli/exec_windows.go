//go:build windows

package cli

import (
	"os"
	"strings"

	"github.com/maketoken/maketoken/internal/job"
)

// terminalDelivers is true: a console's Ctrl-C reaches every process
// attached to it, the command included, and Windows cannot send one
// process a signal. Catching it keeps maketoken alive to report the
// command's exit code.
func terminalDelivers(*job.Job, os.Signal) bool { return true }

// exitStatus is the command's exit code.
func exitStatus(exit *job.Exit) int { return exit.Code }

// envKeyIs compares environment variable names (case-insensitive on
// Windows).
func envKeyIs(k, name string) bool { return strings.EqualFold(k, name) }
