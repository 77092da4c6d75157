package cli

// Delivering a new token on stdout (the --out-file is internal/outfile).

// catchBrokenPipe makes a write to a stdout pipe nobody reads fail with
// EPIPE, to the end of the run (see brokenPipeFails): a rotation must live
// on to revoke the token it could not deliver, and a record printed after
// the delivery must fail as a write, not end maketoken. The returned
// function does nothing; it is kept for the callers' `defer
// catchBrokenPipe()()`.
func catchBrokenPipe() (stop func()) {
	brokenPipeFails()
	return func() {}
}
