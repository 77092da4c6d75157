package emulatorcli

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// prompt starts the shell's prompt inside a session.
const prompt = "(make-emulator) "

// shellCommand is the user's shell ($SHELL; else /bin/sh, or %ComSpec% on
// Windows), set up to start its prompt with "(make-emulator)". The shell
// reads the user's own startup file first, through one in the session's
// folder (bash: --rcfile, zsh: ZDOTDIR, sh, dash and ksh: ENV), which then
// puts the session's settings back (see settle); other shells get PS1
// from the environment.
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
`+s.settle()+`PS1='`+prompt+`'"${PS1-\$ }"
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
`+s.settle()+`PROMPT='`+prompt+`'"$PROMPT"
`), 0o600)
		return command{argv: []string{sh, "-i"}, env: []string{"ZDOTDIR=" + zdot, "MAKE_EMULATOR_ZDOTDIR=" + userDot}, shell: true}, err
	}
	// An interactive POSIX shell (sh, dash, ksh) reads the file $ENV
	// names: the session's, which reads the user's and gives ENV back.
	rc := filepath.Join(s.dir, "shrc")
	err := os.WriteFile(rc, []byte(`if [ -n "${MAKE_EMULATOR_ENV-}" ]; then
	eval "__mkemu_env=\"$MAKE_EMULATOR_ENV\""
	[ -r "$__mkemu_env" ] && . "$__mkemu_env"
	unset __mkemu_env
	ENV=$MAKE_EMULATOR_ENV
	export ENV
else
	unset ENV
fi
unset MAKE_EMULATOR_ENV
`+s.settle()+`case "$PS1" in '`+prompt+`'*) ;; *) PS1='`+prompt+`'"$PS1" ;; esac
`), 0o600)
	env := []string{"PS1=" + prompt + "$ ", "ENV=" + rc}
	if userEnv := getenv("ENV"); userEnv != "" {
		env = append(env, "MAKE_EMULATOR_ENV="+userEnv)
	}
	return command{argv: []string{sh, "-i"}, env: env, shell: true}, err
}

// settle is shell code (sh, bash and zsh alike) that a session's startup
// file runs after the user's own: whatever that set of maketoken's or
// Make's variables (an `export XDG_CONFIG_HOME=~/.config`, a
// MAKETOKEN_TOKEN_EU1, a MAKE_API_KEY) is put back to the session's, so
// that maketoken inside still uses the session's folder and tokens only.
func (s *session) settle() string {
	var b strings.Builder
	b.WriteString("# make-emulator: the session's settings win over the startup files'.\n")
	b.WriteString(`for __mkemu_v in $(command env | command sed -n 's/^\(MAKETOKEN_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$__mkemu_v"; done; unset __mkemu_v` + "\n")
	b.WriteString("unset MAKE_API_KEY MAKE_ZONE\n")
	var set []string
	for _, kv := range s.env {
		k, v, _ := strings.Cut(kv, "=")
		if replacedVariable(k) {
			set = append(set, "export "+k+"="+shellQuote(v)+"\n")
		}
	}
	sort.Strings(set)
	for _, line := range set {
		b.WriteString(line)
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
