package tokens

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/delivery"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/outcome"
	"github.com/maketoken/maketoken/internal/outfile"
	"github.com/maketoken/maketoken/internal/zones"
)

// Outcome is what became of a new token at one destination.
type Outcome int

const (
	// Delivered: the destination holds the token.
	Delivered Outcome = iota
	// NotDelivered: the destination does not hold it and cannot come to.
	NotDelivered
	// Unknown: the destination may hold it, or may still come to (a
	// keyring write not confirmed, a store command stopped after it read
	// the token). The token must not be revoked.
	Unknown
)

// Destination is somewhere a new token goes: standard output (Writer), a
// file (File), the credential store (Storage), a store command (Command).
type Destination interface {
	Deliver(ctx context.Context, tok makeapi.Token) Result
}

// Result is what became of the token at one destination.
type Result struct {
	Outcome Outcome
	// Err says why the token is not (or not surely) there; with Delivered,
	// a problem met on the way, worth a warning.
	Err error
	// Replaces says the destination held the credential being replaced:
	// unless it now holds the new token, the old one must stay.
	Replaces bool
	// Command is how a store command ended, when the destination is one.
	Command *delivery.Result
}

// Delivery is what became of a new token at each of its destinations.
type Delivery struct {
	Results []Result
}

// Deliver hands tok to the destinations in order. A destination that does
// not take it ends the delivery when none before it holds (or may hold) the
// token: the token reached nobody, and must be revoked again before any
// other destination gets it. After that, each destination is one more
// copy, and its failure is a failure after delivery.
func Deliver(ctx context.Context, tok makeapi.Token, dests []Destination) Delivery {
	var d Delivery
	for _, dest := range dests {
		r := dest.Deliver(ctx, tok)
		d.Results = append(d.Results, r)
		if r.Outcome == NotDelivered && !d.Held() {
			break
		}
	}
	return d
}

// Held reports whether some destination holds the token, or may: it must
// not be revoked.
func (d Delivery) Held() bool {
	for _, r := range d.Results {
		if r.Outcome != NotDelivered {
			return true
		}
	}
	return false
}

// Unknown reports whether some destination may hold the token, or may
// not: both the new token and the old ones must stay.
func (d Delivery) Unknown() bool {
	for _, r := range d.Results {
		if r.Outcome != Delivered && r.Outcome != NotDelivered {
			return true
		}
	}
	return false
}

// RevokeOld reports whether the old tokens may be revoked: the new one is
// delivered, no destination is in doubt, and every destination that held
// the old credential holds the new one.
func (d Delivery) RevokeOld() bool {
	if !d.Held() || d.Unknown() {
		return false
	}
	for _, r := range d.Results {
		if r.Replaces && r.Outcome != Delivered {
			return false
		}
	}
	return true
}

// Err is the first destination's error that kept the token from it, or
// put it in doubt; nil if every destination took it.
func (d Delivery) Err() error {
	for _, r := range d.Results {
		if r.Outcome != Delivered {
			return r.Err
		}
	}
	return nil
}

// Failures are the errors of destinations that did not take the token
// after another had it: failures after delivery.
func (d Delivery) Failures() []error {
	var errs []error
	held := false
	for _, r := range d.Results {
		if r.Outcome == NotDelivered && held {
			errs = append(errs, r.Err)
		}
		held = held || r.Outcome != NotDelivered
	}
	return errs
}

// Command is the store command that results from a delivery, if any.
func (d Delivery) Command() *delivery.Result {
	for _, r := range d.Results {
		if r.Command != nil {
			return r.Command
		}
	}
	return nil
}

// Handover delivers a new token and applies the one rule that follows:
//
//   - delivered: nil; d.RevokeOld says whether the old tokens may go, and
//     d.Failures what failed after delivery;
//   - delivered nowhere: the new token is revoked again and the old ones
//     stay (the error says so, see Revoker.Undo);
//   - not known somewhere: nothing is revoked, and the error (an
//     *UnknownError) names the new token and the old ones, which all still
//     work; d says what the other destinations did.
func Handover(ctx context.Context, rv Revoker, tok makeapi.Token, dests []Destination, old []makeapi.Token) (Delivery, error) {
	d := Deliver(ctx, tok, dests)
	switch {
	case !d.Held():
		kept := ""
		if len(old) > 0 {
			kept = "the old one"
		}
		return d, rv.Undo(ctx, tok, d.Err(), kept)
	case d.Unknown():
		return d, &UnknownError{Err: d.Err(), Zone: rv.Zone, New: tok, Old: old}
	}
	return d, nil
}

// UnknownError is a delivery whose outcome is not known: nothing was
// revoked, and the new token and the old ones all still work.
type UnknownError struct {
	Err  error
	Zone string
	New  makeapi.Token
	Old  []makeapi.Token
}

func (e *UnknownError) Error() string {
	if len(e.Old) == 0 {
		return fmt.Sprintf("%v; the new token (created %s) was kept: revoke it with `maketoken revoke -z %s %s` if the store does not hold it", e.Err, e.New.Created, e.Zone, e.New.Created)
	}
	old := "one"
	if len(e.Old) > 1 {
		old = "ones"
	}
	return fmt.Sprintf("%v; nothing was revoked, so the new token (created %s) and the old %s still work; once you know which one the store holds, revoke what it does not with `maketoken revoke -z %s CREATED`", e.Err, e.New.Created, old, e.Zone)
}

func (e *UnknownError) Unwrap() error { return e.Err }

// OutcomeUnknown marks the delivery as not known (see package outcome).
func (e *UnknownError) OutcomeUnknown() bool { return true }

// Writer delivers the token by writing it, e.g. on standard output (the
// bare token or a record holding it).
type Writer struct {
	// Name names where it goes, for errors: "standard output".
	Name  string
	Zone  string
	Write func(tok makeapi.Token) error
}

// Deliver implements Destination.
func (w Writer) Deliver(_ context.Context, tok makeapi.Token) Result {
	if err := w.Write(tok); err != nil {
		return Result{Outcome: NotDelivered, Err: fmt.Errorf("zone %s: writing the new token to %s: %w", w.Zone, w.Name, err)}
	}
	return Result{Outcome: Delivered}
}

// File delivers the token to a file prepared by internal/outfile.
type File struct {
	File *outfile.File
	Path string
	Zone string
}

// Deliver implements Destination.
func (f File) Deliver(_ context.Context, tok makeapi.Token) Result {
	if err := f.File.Write(tok.Token); err != nil {
		return Result{Outcome: NotDelivered, Err: fmt.Errorf("zone %s: writing the new token to %s: %w", f.Zone, f.Path, err)}
	}
	return Result{Outcome: Delivered}
}

// Storage delivers the token into the credential store, as the zone's
// credential in place of Old (the credential in use; "" if there is none
// to keep).
type Storage struct {
	Zone string
	Old  string
	// Save stores a token as the zone's credential; Stored reads what is
	// stored now.
	Save   func(ctx context.Context, token string) error
	Stored func(ctx context.Context) (string, error)
}

// CredentialStore is the credential store as StorageOf uses it
// (credentials.Store).
type CredentialStore interface {
	SaveFor(ctx context.Context, zone zones.Zone, c credentials.Credential, token string) error
	Reread(ctx context.Context, zone zones.Zone, c credentials.Credential) (string, error)
}

// StorageOf is Storage for the zone's credential c: the new token becomes
// the credential of c's account in place of c, in the store c came from
// (that account's only: the zone's active account stays as it is). store
// gives the credential store when it is first needed.
func StorageOf(store func() (CredentialStore, error), zone zones.Zone, c credentials.Credential) Storage {
	return Storage{Zone: zone.Name, Old: c.Token,
		Save: func(ctx context.Context, token string) error {
			s, err := store()
			if err != nil {
				return err
			}
			return s.SaveFor(ctx, zone, c, token)
		},
		Stored: func(ctx context.Context) (string, error) {
			s, err := store()
			if err != nil {
				return "", err
			}
			return s.Reread(ctx, zone, c)
		},
	}
}

// Deliver implements Destination. If storing fails, what storage holds
// afterwards decides: the new token (stored after all) is Delivered; a
// write whose outcome is unknown may still land, so nothing is put back
// and it is Unknown; otherwise the old credential is put back if it is not
// there, so that it can still be used, and the token is NotDelivered.
func (s Storage) Deliver(ctx context.Context, tok makeapi.Token) Result {
	res := Result{Replaces: s.Old != ""}
	err := s.Save(ctx, tok.Token)
	if err == nil {
		return res
	}
	cause := fmt.Errorf("zone %s: storing the new token as the zone's credential: %w", s.Zone, err)
	cctx, cancel := CleanupContext(ctx)
	defer cancel()
	now, lerr := s.Stored(cctx)
	switch {
	case lerr == nil && now == tok.Token:
		res.Err = fmt.Errorf("zone %s: the new token is stored, with a problem: %w", s.Zone, err)
		return res
	case outcome.IsUnknown(err):
		res.Outcome, res.Err = Unknown, cause
		return res
	case s.Old == "" || (lerr == nil && now == s.Old):
	default:
		if perr := s.Save(cctx, s.Old); perr != nil {
			cause = fmt.Errorf("%w; the old credential could not be put back into storage either (%s): log in again with it", cause, perr.Error())
		}
	}
	res.Outcome, res.Err = NotDelivered, cause
	return res
}

// Command delivers the token to a store command (see internal/delivery):
// on its standard input, or in one variable.
type Command struct {
	Command *delivery.Command
	Zone    string
}

// Deliver implements Destination (see commandResult).
func (c Command) Deliver(ctx context.Context, tok makeapi.Token) Result {
	res, err := c.Command.Run(ctx, tok.Token)
	if err != nil {
		return Result{Outcome: NotDelivered, Command: &res, Err: fmt.Errorf("zone %s: the store command %s could not be started: %w", c.Zone, c.Command.Name(), err)}
	}
	return commandResult(res, fmt.Sprintf("zone %s: the store command %s", c.Zone, c.Command.Name()))
}

// commandResult is what became of a token at a store command that ran
// (who names it), by internal/delivery's rule (Result.Holding): it holds
// the token only when that is proven, does not when that is proven, and
// otherwise may: Unknown, whatever the outcome (one added later included).
func commandResult(res delivery.Result, who string) Result {
	r := Result{Command: &res}
	switch res.Holding() {
	case delivery.Holds:
		return r
	case delivery.DoesNotHold:
		r.Outcome = NotDelivered
	default:
		r.Outcome = Unknown
	}
	what := who + " " + res.Account("the token")
	switch {
	case errors.Is(res.Stopped, context.Canceled):
		r.Err = &Error{Kind: Interrupted, Err: errors.New(what)}
	case errors.Is(res.Stopped, context.DeadlineExceeded):
		r.Err = fmt.Errorf("%s (raise --timeout if it needs longer)", what)
	default:
		r.Err = errors.New(what)
	}
	return r
}

// JoinCreated lists the tokens' `created` timestamps.
func JoinCreated(list []makeapi.Token) string {
	s := make([]string, len(list))
	for i, t := range list {
		s[i] = t.Created
	}
	return strings.Join(s, ", ")
}
