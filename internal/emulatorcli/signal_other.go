//go:build !unix

package emulatorcli

import "os"

// forwardedSignals: Ctrl-C at a console reaches every process attached to
// it, the command included; make-emulator only waits for the command.
var forwardedSignals = []os.Signal{os.Interrupt}

func forward(*os.Process, os.Signal, bool) bool { return false }

func hangUp(p *os.Process, kill bool) {
	if kill {
		_ = p.Kill()
	}
}

func exitStatus(ps *os.ProcessState) int { return ps.ExitCode() }
