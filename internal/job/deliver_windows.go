//go:build windows

package job

import "os"

// terminalDelivers is true: a console's Ctrl-C reaches every process
// attached to it, the command included, and Windows cannot send one
// process a signal. Catching it keeps maketoken alive to report the
// command's exit code.
func terminalDelivers(*Job, os.Signal) bool { return true }

// Status is the command's exit code.
func (e *Exit) Status() int { return e.Code }
