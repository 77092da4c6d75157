//go:build windows

package cli

import (
	"os"
	"strings"
)

// forwardedSignals are the signals `exec` catches: Ctrl-C and Ctrl-Break
// arrive as os.Interrupt.
var forwardedSignals = []os.Signal{os.Interrupt}

// forwardSignal does nothing on Windows: a console's Ctrl-C reaches every
// process attached to it, the command included, and Windows cannot send
// it to one process. Catching it keeps maketoken alive to report the
// command's exit code.
func forwardSignal(*os.Process, os.Signal) {}

// exitStatus is the command's exit code.
func exitStatus(ps *os.ProcessState) int { return ps.ExitCode() }

// envKeyIs compares environment variable names (case-insensitive on
// Windows).
func envKeyIs(k, name string) bool { return strings.EqualFold(k, name) }
