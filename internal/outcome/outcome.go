// Package outcome names the third way a step that changes state outside
// maketoken can end, besides done and failed: not known. A create at Make,
// a keyring write, a delete or a delivery whose answer was lost, cut short
// or abandoned may have happened, or may still happen. Such a step is never
// a failure to act on: a token that may be the one Make made, stored or
// delivered must not be revoked on the strength of it.
package outcome

import "errors"

// unknowable is implemented by errors that can say their step's outcome is
// not known.
type unknowable interface{ OutcomeUnknown() bool }

// IsUnknown reports whether err, or an error it wraps, says that its step
// may have happened (or may still happen) although it did not succeed.
func IsUnknown(err error) bool {
	var u unknowable
	return errors.As(err, &u) && u.OutcomeUnknown()
}

// UnknownError marks Err as a step whose outcome is not known.
type UnknownError struct{ Err error }

func (e *UnknownError) Error() string        { return e.Err.Error() }
func (e *UnknownError) Unwrap() error        { return e.Err }
func (e *UnknownError) OutcomeUnknown() bool { return true }

// Unknown marks err as a step whose outcome is not known (nil stays nil).
func Unknown(err error) error {
	if err == nil {
		return nil
	}
	return &UnknownError{Err: err}
}
