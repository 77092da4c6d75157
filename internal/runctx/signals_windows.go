//go:build windows

package runctx

import "os"

// caughtSignals are the signals that end a command's context: Ctrl-C and
// Ctrl-Break arrive as os.Interrupt.
var caughtSignals = []os.Signal{os.Interrupt}

// brokenPipe is nil: Windows raises no signal for a closed pipe, the
// write fails.
var brokenPipe os.Signal
