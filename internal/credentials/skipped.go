package credentials

import "errors"

// KeyringAbsent reports whether err is a keyring that is not there or
// that the system will not let maketoken use (no Secret Service on a
// server or a CI runner, a kernel that refuses keys): it answered, and
// nothing can be read from or stored in it. A keyring that did not answer
// in time, or had not answered when the command was stopped, is not
// absent: it may hold credentials; nor is one without the entry asked for.
func KeyringAbsent(err error) bool {
	var ke *KeyringError
	return errors.As(err, &ke) && !ke.IsTimeout() && !ke.Interrupted && !errors.Is(err, ErrNotFound)
}

// SkipKind is what a failed look-up that left a zone's credential out of
// a fan-out or of `zones` (FanOut's skipped, WhereEach's failed) may hide.
// Every command that reports such zones classes them with SkipKindOf.
type SkipKind int

const (
	// SkipNoKeyring: there is no OS keyring here. Credentials from the
	// environment, the kernel keyring and the credentials file are all
	// there are: nothing the user expects is hidden.
	SkipNoKeyring SkipKind = iota + 1
	// SkipKernelUnusable: the kernel keyring cannot be used here, and
	// credentials stored in it are not seen.
	SkipKernelUnusable
	// SkipMayHide: a keyring that did not answer, or a record of accounts
	// or a credentials file that could not be read: a credential the user
	// expects may be missing.
	SkipMayHide
)

// SkipKindOf classes a look-up's error that skipped a zone (see SkipKind).
func SkipKindOf(err error) SkipKind {
	var ke *KeyringError
	switch {
	case !KeyringAbsent(err):
		return SkipMayHide
	case errors.As(err, &ke) && ke.Kind == KindKernel:
		return SkipKernelUnusable
	}
	return SkipNoKeyring
}

// skipsZone reports whether a zone's look-up error leaves out a
// credential that may exist: not a zone without one (*NotFoundError),
// one whose credential is there but must not be sent (MustNotSend), or
// one without the account asked for (*UnknownUserError).
func skipsZone(err error) bool {
	var uu *UnknownUserError
	return err != nil && !IsNotFound(err) && !MustNotSend(err) && !errors.As(err, &uu)
}
