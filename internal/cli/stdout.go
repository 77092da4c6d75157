package cli

import (
	"os"
	"os/signal"
	"syscall"
)

// Delivering a new token on stdout (the --out-file is internal/outfile).

// catchBrokenPipe makes a write to a stdout pipe nobody reads fail with
// EPIPE until the returned function is called. By default Go ends the
// program on it, and a rotation must live on to revoke the token it could
// not deliver.
func catchBrokenPipe() (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGPIPE)
	return func() { signal.Stop(ch) }
}
