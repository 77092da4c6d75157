//go:build !linux

package emulatorcli

import "os/exec"

// keysBlockedCmd is unused off Linux: there is no kernel keyring there.
const keysBlockedCmd = "__keys-blocked"

// keysBlocked leaves cmd as it is: there is no kernel keyring to keep the
// session from.
func keysBlocked(cmd *exec.Cmd, _ string) *exec.Cmd { return cmd }

func execKeysBlocked([]string, Streams) int { return exitUsage }
