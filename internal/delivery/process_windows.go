//go:build windows

package delivery

import (
	"os"
	"os/exec"
)

type winSignal int

const (
	politeSignal winSignal = iota
	killSignal
)

func ownProcessGroup(*exec.Cmd) {}

// signalGroup ends the command: Windows has no polite signal to send.
func signalGroup(p *os.Process, _ winSignal) { _ = p.Kill() }

func signalName(*os.ProcessState) string { return "" }
