package iostreams

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/maketoken/maketoken/internal/ctxwait"
	"github.com/maketoken/maketoken/internal/runctx"
)

// Every prompt follows one rule: it returns at once on Ctrl-C, Ctrl-D,
// SIGTERM (any signal of the model, see runctx) or the end of the
// command's context, ends its line, leaves the terminal as it found it
// (echo on), and nothing is sent to Make after it. The command's
// --timeout does not run while a prompt waits (runctx.HoldTimeout).

// ErrCancelled is a "no" at a confirmation prompt (exit 3).
var ErrCancelled = errors.New("cancelled; nothing was changed")

// ErrNoTerminal is a confirmation asked for where nobody can answer: a
// usage error (exit 2) that names --yes.
var ErrNoTerminal = errors.New("refusing to continue without confirmation: there is no terminal to ask on; pass --yes (or --dry-run to see what would happen)")

// Confirm asks a yes/no question on the terminal before a destructive step.
// With yes it does not ask. Without a terminal it never waits on stdin: it
// fails with ErrNoTerminal. Ctrl-D is a no (ErrCancelled); a signal is an
// interruption (exit 130) with nothing changed.
func (s *IOStreams) Confirm(ctx context.Context, question string, yes bool) error {
	if yes {
		return nil
	}
	if !s.CanPrompt() {
		return ErrNoTerminal
	}
	s.Prompt("%s [y/N]", question)
	line, err := s.prompt(ctx, func() (string, error) {
		return bufio.NewReader(s.In).ReadString('\n')
	}, nil)
	if errors.Is(err, io.EOF) && line == "" {
		fmt.Fprintln(s.ErrOut) // Ctrl-D leaves the cursor on the prompt line
		return ErrCancelled
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return ErrCancelled
}

// PromptLine asks question on the terminal and reads one line of answer,
// without its line end (a numbered choice: switch). Ctrl-D on an empty
// line is io.EOF; a signal is an interruption with nothing changed. The
// caller checks CanPrompt first.
func (s *IOStreams) PromptLine(ctx context.Context, question string) (string, error) {
	s.Prompt("%s", strings.TrimRight(question, " "))
	line, err := s.prompt(ctx, func() (string, error) {
		return bufio.NewReader(s.In).ReadString('\n')
	}, nil)
	if errors.Is(err, io.EOF) && line == "" {
		fmt.Fprintln(s.ErrOut) // Ctrl-D leaves the cursor on the prompt line
		return "", io.EOF
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// PromptHidden asks question and reads the answer without echoing it
// (HideInput, then a line from In): it shows how many characters arrived,
// never the characters, so that a paste is seen to have arrived; an empty
// line (a paste that starts with a newline) asks again. Ctrl-D on an
// empty line, or a terminal that hung up, is io.EOF; Ctrl-C, Ctrl-\ or a
// signal is an *runctx.InterruptedError. The terminal is put back, with
// any input left unread thrown away (the rest of a multi-line paste must
// not reach the shell), and the prompt's line ended whatever happens.
func (s *IOStreams) PromptHidden(ctx context.Context, question string) (string, error) {
	// Echo goes off before the question is shown: what a person types as
	// soon as they see it must not be echoed either.
	restore, err := s.HideInput()
	if err != nil {
		return "", err
	}
	// The question is wrapped leaving room on its last row for the
	// count, which is redrawn in place there.
	width := s.ErrWidth()
	if width-countRoom >= 30 {
		width -= countRoom
	}
	text := wrap(s.sprintf("%s", strings.TrimRight(question, " ")), width) + " "
	lastRow := text[strings.LastIndex(text, "\n")+1:]
	_, _ = io.WriteString(s.ErrOut, text)
	shown := 0
	view := hiddenView{
		count: func(n int) {
			c := ""
			switch {
			case n == 1:
				c = "(1 character)"
			case n > 1:
				c = fmt.Sprintf("(%d characters)", n)
			}
			// Spaces rub out a longer count; no escape sequence is
			// needed, so a dumb terminal shows it too.
			_, _ = io.WriteString(s.ErrOut, "\r"+lastRow+c+strings.Repeat(" ", max(0, shown-len(c)))+"\r"+lastRow+c)
			shown = len(c)
		},
		again: func() {
			_, _ = io.WriteString(s.ErrOut, "\n"+text)
			shown = 0
		},
	}
	// A read left behind by an interrupted prompt never returns: prompt
	// puts the terminal back then.
	line, err := s.prompt(ctx, func() (string, error) { return readHiddenLine(s.In, view) }, restore)
	restore()
	switch {
	case errors.Is(err, errInterruptKey): // Ctrl-C typed in raw mode
		fmt.Fprintln(s.ErrOut)
		return "", &runctx.InterruptedError{Signal: os.Interrupt}
	case errors.Is(err, io.EOF) && line == "":
		fmt.Fprintln(s.ErrOut)
		return "", io.EOF
	case err != nil: // prompt ended the line
		return "", err
	}
	fmt.Fprintln(s.ErrOut)
	return line, nil
}

// countRoom is the room PromptHidden leaves for its count: " (4096
// characters)".
const countRoom = 18

// prompt runs read, which waits for a person, with the command's timeout
// on hold. It returns as soon as ctx ends, whatever read is doing: then it
// ends the prompt's line and returns the interruption ("nothing was
// changed": prompts come before any change) or ctx's error. read is left
// blocked on the terminal; the command ends without reading it again.
// restore, if not nil, puts the terminal back first.
func (s *IOStreams) prompt(ctx context.Context, read func() (string, error), restore func()) (string, error) {
	release := runctx.HoldTimeout(ctx)
	defer release()
	line, err, ended := ReadUntilDone(ctx, read)
	if ended {
		if restore != nil {
			restore()
		}
		fmt.Fprintln(s.ErrOut)
		if err := runctx.InterruptedErr(ctx, "nothing was changed"); err != nil {
			return "", err
		}
		return "", fmt.Errorf("%w; nothing was changed", ctx.Err())
	}
	return line, err
}

// ReadUntilDone runs read until it returns or ctx ends (ended), whichever
// comes first; a read that blocks is left behind.
func ReadUntilDone(ctx context.Context, read func() (string, error)) (s string, err error, ended bool) {
	select {
	case <-ctx.Done():
		return "", nil, true
	default:
	}
	return ctxwait.Call(ctx, read)
}

// Choose asks on the terminal for one of items: intro, the items numbered
// from 1, then question with the range ("Switch to [1-3]:"), answered
// with a number; another answer asks again. It returns the chosen index.
// Nothing (Ctrl-D, an empty line) cancels: ErrCancelled. The caller
// checks CanPrompt first.
func (s *IOStreams) Choose(ctx context.Context, intro, question string, items []string) (int, error) {
	s.Say("%s", intro)
	for i, item := range items {
		s.Say("  %d. %s", i+1, item)
	}
	for {
		answer, err := s.PromptLine(ctx, fmt.Sprintf("%s [1-%d]:", question, len(items)))
		switch {
		case errors.Is(err, io.EOF):
			return 0, ErrCancelled
		case err != nil:
			return 0, err
		}
		answer = strings.TrimSpace(answer)
		if answer == "" {
			return 0, ErrCancelled
		}
		if n, err := strconv.Atoi(answer); err == nil && n >= 1 && n <= len(items) {
			return n - 1, nil
		}
		s.Say("Type a number from 1 to %d (or nothing to cancel).", len(items))
	}
}
