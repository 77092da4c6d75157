// Package tokens owns the rules that keep a Make API token safe while
// maketoken picks, makes, hands over and revokes tokens. The commands parse
// flags, call it and print; it knows nothing of flags, the terminal or
// output formats, prints nothing, and reports through returned results,
// errors and small callbacks.
//
// The rules, each written once:
//
//   - Selecting (Selector): a token is named by its `created` (exact, byte
//     for byte), its label (L matches L and L~exp=TIME, see
//     internal/expiry), its visible prefix or a label prefix, and picked by
//     age, by an expired lifetime, or all but the newest N per label. The
//     credential in use can be spared.
//   - Revoking (Revoker): a few at a time, the credential in use last, and
//     the 404 rule: a 404 to a delete counts as revoked only when a fresh
//     list no longer has the token.
//   - Creating (Create): a create whose answer was lost, cut short or timed
//     out while Make handled it has an unknown outcome, never "not
//     created": Make is asked again, after a short wait where time allows;
//     what appeared is revoked while it still can be, and otherwise the
//     label and time to look for are named.
//   - Delivering (Deliver): one routine hands a new token to its
//     destinations (standard output, a file, storage, a store command) and
//     one rule decides what follows. Delivered: the old tokens may go. Not
//     delivered anywhere: the new token is revoked again and the old ones
//     stay. Not known (a keyring write not confirmed, a store command
//     stopped after reading): nothing is revoked, both tokens are named.
//   - Lifetimes (Clock, LifetimeLabel, RenewLabel): an expiry counts on
//     Make's clock, as the Date of its answers and its `created` show it;
//     renewing keeps the length of a lifetime; no token is made whose
//     lifetime has already passed, and a clock past SkewLimit from Make's
//     is named.
//   - Rotating (Rotation): plan, create, check, deliver, revoke the old, in
//     that order.
package tokens

import (
	"context"
	"time"
)

// Kind says what an Error means to the command that reports it.
type Kind int

const (
	// Failed is a failure (exit 1, unless what it wraps says otherwise).
	Failed Kind = iota
	// Usage is a request that cannot be carried out as given (exit 2).
	Usage
	// NoMatch says no token fits the selector (exit 6).
	NoMatch
	// Interrupted is a step stopped by an interrupt (exit 130).
	Interrupted
)

// Error is an error of this package with its Kind.
type Error struct {
	Kind Kind
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// CleanupTimeout bounds the calls that undo a step that failed or was cut
// short; they run even after the command's own deadline has passed.
const CleanupTimeout = 10 * time.Second

// CleanupContext is a context for undoing a step: it outlives ctx's
// deadline or cancellation, but only by CleanupTimeout.
func CleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), CleanupTimeout)
}
