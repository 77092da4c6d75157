package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/maketoken/maketoken/internal/iostreams"
)

// errCancelled is a "no" at a confirmation prompt.
var errCancelled = &ExitError{Code: ExitCancelled, Err: errors.New("cancelled; nothing was changed")}

// Every prompt follows one rule: it returns at once on Ctrl-C, Ctrl-D,
// SIGTERM (any signal of the model, see interrupts) or the end of the
// command's context, ends its line, leaves the terminal as it found it
// (echo on), and nothing is sent to Make after it. The command's
// --timeout does not run while a prompt waits (holdTimeout).

// confirm asks a yes/no question on the terminal before a destructive step.
// With yes it does not ask. Without a terminal it never waits on stdin: it
// fails with a usage error that names --yes. Ctrl-D is a no; a signal is
// an interruption (exit 130) with nothing changed.
func confirm(ctx context.Context, ios *iostreams.IOStreams, question string, yes bool) error {
	if yes {
		return nil
	}
	if !ios.CanPrompt() {
		return &ExitError{Code: ExitUsage, Err: errors.New("refusing to continue without confirmation: there is no terminal to ask on; pass --yes (or --dry-run to see what would happen)")}
	}
	fmt.Fprintf(ios.ErrOut, "%s [y/N] ", question)
	line, err := prompt(ctx, ios, func() (string, error) {
		return bufio.NewReader(ios.In).ReadString('\n')
	}, nil)
	if errors.Is(err, io.EOF) && line == "" {
		fmt.Fprintln(ios.ErrOut) // Ctrl-D leaves the cursor on the prompt line
		return errCancelled
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return errCancelled
}

// prompt runs read, which waits for a person, with the command's timeout
// on hold. It returns as soon as ctx ends, whatever read is doing: then it
// ends the prompt's line and returns the interruption ("nothing was
// changed": prompts come before any change) or ctx's error. read is left
// blocked on the terminal; the command ends without reading it again.
// restore, if not nil, puts the terminal back first.
func prompt(ctx context.Context, ios *iostreams.IOStreams, read func() (string, error), restore func()) (string, error) {
	release := holdTimeout(ctx)
	defer release()
	s, err, ended := readUntilDone(ctx, read)
	if ended {
		if restore != nil {
			restore()
		}
		fmt.Fprintln(ios.ErrOut)
		return "", promptEnded(ctx)
	}
	return s, err
}

// readUntilDone runs read until it returns or ctx ends (ended), whichever
// comes first; a read that blocks is left behind.
func readUntilDone(ctx context.Context, read func() (string, error)) (s string, err error, ended bool) {
	select {
	case <-ctx.Done():
		return "", nil, true
	default:
	}
	type answer struct {
		s   string
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		s, err := read()
		ch <- answer{s, err}
	}()
	select {
	case a := <-ch:
		return a.s, a.err, false
	case <-ctx.Done():
		return "", nil, true
	}
}

func promptEnded(ctx context.Context) error {
	if err := interruptedErr(ctx, "nothing was changed"); err != nil {
		return err
	}
	return fmt.Errorf("%w; nothing was changed", ctx.Err())
}
