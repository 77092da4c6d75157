package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// errCancelled is a "no" at a confirmation prompt.
var errCancelled = &ExitError{Code: ExitCancelled, Err: errors.New("cancelled; nothing was changed")}

// Confirm asks a yes/no question on the terminal before a destructive step.
// With yes it does not ask. Without a terminal it never waits on stdin: it
// fails with a usage error that names --yes.
func (f *Factory) Confirm(question string, yes bool) error {
	if yes {
		return nil
	}
	if !f.IO.InTTY || !f.IO.ErrTTY {
		return &ExitError{Code: ExitUsage, Err: errors.New("refusing to continue without confirmation: there is no terminal to ask on; pass --yes (or --dry-run to see what would happen)")}
	}
	fmt.Fprintf(f.IO.ErrOut, "%s [y/N] ", question)
	line, err := bufio.NewReader(f.IO.In).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return errCancelled
}
