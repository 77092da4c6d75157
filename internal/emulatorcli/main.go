package emulatorcli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Streams are the program's standard files and environment.
type Streams struct {
	In       *os.File
	Out, Err io.Writer
	Environ  []string
	// Self is the make-emulator binary ("" if unknown): a maketoken binary
	// in the same folder comes first on the command's PATH.
	Self string
}

// SystemStreams are the process's own.
func SystemStreams() Streams {
	self, _ := os.Executable()
	return Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Environ: os.Environ(), Self: self}
}

// Main runs make-emulator with args (without the program name) and returns
// its exit code.
func Main(args []string, st Streams) int {
	if len(args) > 0 {
		switch args[0] {
		case "run":
			return Run(args[1:], st)
		case "shell":
			return Shell(args[1:], st)
		case keysBlockedCmd:
			return execKeysBlocked(args[1:], st)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Serve(ctx, args, st.Out, st.Err)
}

// Exit codes of run and shell besides the command's own, as in env(1) and
// POSIX shells.
const (
	exitUsage      = 2
	exitFailed     = 1
	exitCannotRun  = 126
	exitNotFound   = 127
	exitSignalBase = 128
)

// Run runs COMMAND with maketoken wired to a fresh emulator and returns
// the command's exit code (128+N if signal N ended it).
func Run(args []string, st Streams) int {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(st.Err, "usage: make-emulator run [--] COMMAND [ARG...]\n"+
			"Runs COMMAND with maketoken wired to a fresh in-memory emulator of Make's\n"+
			"zones, seeded with demo tokens; the emulator stops when COMMAND ends.\n")
		if len(args) == 0 {
			return exitUsage
		}
		return 0
	}
	return runInSession(st, "It stops when the command ends.", func(*session) (command, error) {
		return command{argv: args}, nil
	})
}

// Shell runs an interactive shell ($SHELL, else /bin/sh) with maketoken
// wired to a fresh emulator; its prompt starts with "(make-emulator)".
func Shell(args []string, st Streams) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" {
			fmt.Fprint(st.Err, "usage: make-emulator shell\n"+
				"Starts your shell with maketoken wired to a fresh in-memory emulator of\n"+
				"Make's zones, seeded with demo tokens; `exit` stops the emulator.\n")
			return 0
		}
		fmt.Fprintf(st.Err, "make-emulator shell: unexpected argument %q (to run a command: make-emulator run -- COMMAND)\n", args[0])
		return exitUsage
	}
	return runInSession(st, "Type `exit` to stop it.", func(s *session) (command, error) {
		return shellCommand(s, st.Environ)
	})
}

// command is what runs inside a session.
type command struct {
	argv []string
	env  []string // added to the session's environment
	// shell is an interactive shell: it ignores SIGTERM, so a SIGTERM for
	// make-emulator reaches it as SIGHUP, which ends it and its jobs.
	shell bool
}

// runInSession starts a session, runs the command made by newCmd in it
// with the caller's standard files, and ends the session when the command
// ends.
func runInSession(st Streams, end string, newCmd func(*session) (command, error)) int {
	s, err := startSession(st.Environ, st.Self, time.Now())
	if err != nil {
		fmt.Fprintf(st.Err, "make-emulator: cannot start the emulator: %v\n", err)
		return exitFailed
	}
	defer func() {
		if err := s.close(); err != nil {
			fmt.Fprintf(st.Err, "make-emulator: stopping: %v\n", err)
		}
	}()
	c, err := newCmd(s)
	if err != nil {
		fmt.Fprintf(st.Err, "make-emulator: %v\n", err)
		return exitFailed
	}
	env := slices.Concat(s.env, c.env)
	// The program is looked up on the session's PATH, where the maketoken
	// installed beside make-emulator comes first.
	path, err := lookPath(c.argv[0], env)
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			fmt.Fprintf(st.Err, "make-emulator: %s: command not found\n", c.argv[0])
			return exitNotFound
		}
		fmt.Fprintf(st.Err, "make-emulator: %s: %v\n", c.argv[0], err)
		return exitCannotRun
	}
	cmd := keysBlocked(&exec.Cmd{Path: path, Args: c.argv, Env: env, Stdout: st.Out, Stderr: st.Err}, st.Self)
	if st.In != nil {
		cmd.Stdin = st.In
	}
	fmt.Fprint(st.Err, s.banner(end))
	return supervise(cmd, c.shell, st)
}

// lookPath finds the program name as a shell would with the PATH in env.
// Relative folders in PATH are skipped, as os/exec does.
func lookPath(name string, env []string) (string, error) {
	if strings.ContainsRune(name, '/') || strings.ContainsRune(name, filepath.Separator) {
		return exec.LookPath(name)
	}
	var pathVar string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathVar = v
		}
	}
	for _, dir := range filepath.SplitList(pathVar) {
		if !filepath.IsAbs(dir) {
			continue
		}
		if p, err := exec.LookPath(filepath.Join(dir, name)); err == nil {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

// maxHangups is how many times a shell that does not end on SIGHUP gets it
// again, a second apart, before it is killed.
const maxHangups = 10

// supervise starts cmd and waits for it, passing on the signals it would
// not get by itself, and returns its exit code.
func supervise(cmd *exec.Cmd, shell bool, st Streams) int {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, forwardedSignals...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(st.Err, "make-emulator: %s: %v\n", cmd.Args[0], err)
		return exitCannotRun
	}
	done := make(chan struct{})
	go func() {
		// A hung-up shell may miss the signal (bash does when it comes
		// just before it waits for input): it gets it again every second,
		// and is killed after maxHangups.
		var again <-chan time.Time
		hangups := 0
		for {
			select {
			case sig := <-sigs:
				if forward(cmd.Process, sig, shell) && again == nil {
					t := time.NewTicker(time.Second)
					defer t.Stop()
					again = t.C
				}
			case <-again:
				hangups++
				hangUp(cmd.Process, hangups >= maxHangups)
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	if err != nil && cmd.ProcessState == nil {
		fmt.Fprintf(st.Err, "make-emulator: %s: %v\n", cmd.Args[0], err)
		return exitFailed
	}
	return exitStatus(cmd.ProcessState)
}
