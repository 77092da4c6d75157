package iostreams

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/maketoken/maketoken/internal/runctx"
)

// maxTokenInput is the most ReadToken reads from standard input.
const maxTokenInput = 64 << 10

// refusal is an error in its own words that counts as another
// (errors.Is): ErrCancelled or ErrNoTerminal, and so their exit codes.
type refusal struct {
	msg string
	is  error
}

func (e *refusal) Error() string        { return e.msg }
func (e *refusal) Is(target error) bool { return target == e.is }

// ReadToken reads a secret a person gives, as login reads a token: with
// fromStdin (--with-token) the first line of standard input, waiting until
// ctx ends (a signal, or --timeout: a prompt's time does not count);
// otherwise at a hidden prompt that asks question on the terminal (see
// PromptHidden). It never waits on a standard input it was not told to
// read: without fromStdin or a terminal it refuses with noTerminal's words
// (as ErrNoTerminal). Nothing given at the prompt is ErrCancelled. Every
// error says that nothing was stored. The line is returned as read.
func (s *IOStreams) ReadToken(ctx context.Context, fromStdin bool, question, noTerminal string) (string, error) {
	switch {
	case fromStdin:
		raw, err, ended := ReadUntilDone(ctx, func() (string, error) {
			data, err := io.ReadAll(io.LimitReader(s.In, maxTokenInput))
			return string(data), err
		})
		if ended {
			if err := runctx.InterruptedErr(ctx, "nothing was stored"); err != nil {
				return "", err
			}
			return "", fmt.Errorf("reading the token from standard input: %w (it was never closed); nothing was stored", ctx.Err())
		}
		if err != nil {
			return "", fmt.Errorf("reading the token from standard input: %w", err)
		}
		if sc := bufio.NewScanner(strings.NewReader(raw)); sc.Scan() {
			raw = sc.Text()
		}
		return raw, nil
	case s.InTTY && s.HideInput != nil:
		raw, err := s.PromptHidden(ctx, question)
		var ie *runctx.InterruptedError
		switch {
		case errors.Is(err, io.EOF):
			return "", &refusal{"no token was given; nothing was stored", ErrCancelled}
		case errors.As(err, &ie):
			return "", &runctx.InterruptedError{Signal: ie.Signal, Summary: "nothing was stored"}
		case err != nil:
			return "", fmt.Errorf("reading the token: %w", err)
		}
		return raw, nil
	}
	return "", &refusal{noTerminal, ErrNoTerminal}
}
