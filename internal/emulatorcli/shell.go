package emulatorcli

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// prompt starts the shell's prompt inside a session.
const prompt = "(make-emulator) "

// shellCommand is the user's shell ($SHELL; else /bin/sh, or %ComSpec% on
// Windows), set up to start its prompt with "(make-emulator)". bash and
// zsh read the user's own startup file first, through one in the session's
// folder; other shells get PS1 from the environment.
func shellCommand(s *session, environ []string) (command, error) {
	getenv := func(k string) string {
		for _, kv := range environ {
			if v, ok := strings.CutPrefix(kv, k+"="); ok {
				return v
			}
		}
		return ""
	}
	if runtime.GOOS == "windows" {
		sh := getenv("ComSpec")
		if sh == "" {
			sh = "cmd.exe"
		}
		return command{argv: []string{sh}, env: []string{"PROMPT=" + prompt + "$P$G"}, shell: true}, nil
	}
	sh := getenv("SHELL")
	if !filepath.IsAbs(sh) {
		sh = "/bin/sh"
	}
	switch filepath.Base(sh) {
	case "bash":
		rc := filepath.Join(s.dir, "bashrc")
		err := os.WriteFile(rc, []byte(`[ -f ~/.bashrc ] && . ~/.bashrc
PS1='`+prompt+`'"${PS1-\$ }"
`), 0o600)
		return command{argv: []string{sh, "--rcfile", rc, "-i"}, shell: true}, err
	case "zsh":
		// zsh reads $ZDOTDIR/.zshrc; the session's one reads the user's.
		zdot := filepath.Join(s.dir, "zsh")
		userDot := getenv("ZDOTDIR")
		if userDot == "" {
			userDot = getenv("HOME")
		}
		if err := os.Mkdir(zdot, 0o700); err != nil {
			return command{}, err
		}
		err := os.WriteFile(filepath.Join(zdot, ".zshrc"), []byte(`ZDOTDIR="$MAKE_EMULATOR_ZDOTDIR"
unset MAKE_EMULATOR_ZDOTDIR
[ -f "$ZDOTDIR/.zshrc" ] && . "$ZDOTDIR/.zshrc"
PROMPT='`+prompt+`'"$PROMPT"
`), 0o600)
		return command{argv: []string{sh, "-i"}, env: []string{"ZDOTDIR=" + zdot, "MAKE_EMULATOR_ZDOTDIR=" + userDot}, shell: true}, err
	}
	return command{argv: []string{sh, "-i"}, env: []string{"PS1=" + prompt + "$ "}, shell: true}, nil
}
