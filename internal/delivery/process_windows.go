//go:build windows

package delivery

import "os"

// politeSignal: Windows has no polite signal to send; the command is ended.
var politeSignal os.Signal = os.Kill

func isTerminalInterrupt(os.Signal) bool { return false }
