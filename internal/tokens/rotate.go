package tokens

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
)

// Rotation replaces old tokens with a new one, in this order: create it,
// check it with a call made with it, deliver it (Handover), revoke the old
// ones (RevokeOld). A step that fails before delivery revokes the new
// token again and keeps the old ones.
type Rotation struct {
	Zone    string
	Client  *makeapi.Client // with the credential in use
	Revoker Revoker
	// Current is the credential in use (the secret).
	Current string
	// Listed are the zone's tokens when the rotation was planned.
	Listed []makeapi.Token
	// Old are the tokens to replace, oldest first, the credential in use
	// last.
	Old []makeapi.Token
	// Label is what the old tokens are labelled, as asked; NewLabel the new
	// token's (a lifetime renewed).
	Label, NewLabel string
	// Scopes are the new token's, sorted.
	Scopes []string
}

// RotationRequest says what to rotate.
type RotationRequest struct {
	// Label rotates the tokens with this label (see Selector.Label).
	Label string
	// Self rotates the credential in use instead.
	Self bool
	// Scopes, if set, are the new token's (expanded); else the old ones'.
	Scopes []string
}

// ScopesDifferError is a rotation by label of tokens whose scopes differ,
// without scopes asked for: the new token's cannot be chosen.
type ScopesDifferError struct {
	Zone, Label string
	Tokens      []makeapi.Token
}

func (e *ScopesDifferError) Error() string {
	return fmt.Sprintf("zone %s: the tokens labelled %s have different scopes; say which scopes the new token gets with -s; nothing was changed", e.Zone, output.Echo(e.Label))
}

// PlanRotation picks the old tokens from the zone's tokens (listed, as the
// client listed them: its answer gave Make's clock) and the new token's
// label and scopes. A label with a lifetime is renewed from Make's now
// (RenewLabel); for several old tokens, the newest one's.
func PlanRotation(ctx context.Context, zone string, client *makeapi.Client, current string, listed []makeapi.Token, req RotationRequest, local func() time.Time) (*Rotation, error) {
	r := &Rotation{Zone: zone, Client: client, Current: current, Listed: listed}
	if req.Self {
		if err := r.planSelf(ctx); err != nil {
			return nil, err
		}
	} else if err := r.planLabel(req); err != nil {
		return nil, err
	}
	if len(req.Scopes) > 0 {
		r.Scopes = SortedScopes(req.Scopes)
	}
	SortByCreated(r.Old)
	CurrentLast(r.Old, current)
	newest := slices.MaxFunc(r.Old, func(a, b makeapi.Token) int { return CompareCreated(a.Created, b.Created) })
	now, _ := ServerNow(client, local)
	label, err := RenewLabel(newest, now)
	if err != nil {
		return nil, &Error{Kind: Failed, Err: fmt.Errorf("zone %s: %w; nothing was changed (revoke it and create a new one)", zone, err)}
	}
	r.NewLabel = label
	return r, nil
}

func (r *Rotation) planSelf(ctx context.Context) error {
	auth, err := r.Client.CurrentAuthorization(ctx)
	if err != nil {
		return err
	}
	current, n := FindCurrent(r.Listed, r.Current)
	switch n {
	case 0:
		return &Error{Kind: NoMatch, Err: fmt.Errorf("zone %s: the credential maketoken uses (%s) is not among the zone's tokens, so it cannot be rotated; nothing was changed (see `maketoken list -z %s`)", r.Zone, makeapi.Mask(r.Current), r.Zone)}
	case 1:
	default:
		return &Error{Kind: Failed, Err: fmt.Errorf("zone %s: %d listed tokens start like the credential maketoken uses, so which one it is cannot be told; nothing was changed; rotate by label instead", r.Zone, n)}
	}
	r.Old = []makeapi.Token{current}
	r.Label = current.Label
	r.Scopes = SortedScopes(auth.Scopes)
	return nil
}

func (r *Rotation) planLabel(req RotationRequest) error {
	r.Label = req.Label
	r.Old = Selector{Label: req.Label}.Select(r.Listed).Tokens
	if len(r.Old) == 0 {
		return &Error{Kind: NoMatch, Err: fmt.Errorf("zone %s: no token is labelled %s; nothing was changed (see `maketoken list -z %s`)", r.Zone, output.Echo(req.Label), r.Zone)}
	}
	if MayBeCurrent(r.Listed, r.Old, r.Current) {
		return &Error{Kind: Failed, Err: fmt.Errorf("zone %s: a token labelled %s starts like the credential maketoken uses, as another listed token does, so whether it is the credential cannot be told; nothing was changed: revoke the one that is not by its created time (see `maketoken list -z %s`)", r.Zone, output.Echo(req.Label), r.Zone)}
	}
	sets := map[string]bool{}
	for _, t := range r.Old {
		r.Scopes = SortedScopes(t.Scopes)
		sets[strings.Join(r.Scopes, ",")] = true
	}
	if len(sets) > 1 && len(req.Scopes) == 0 {
		return &Error{Kind: Usage, Err: &ScopesDifferError{Zone: r.Zone, Label: req.Label, Tokens: r.Old}}
	}
	return nil
}

// ReplacesCurrent reports whether the credential in use is among the old
// tokens (PlanRotation has refused old tokens that only may be it).
func (r *Rotation) ReplacesCurrent() bool {
	return len(r.Old) > 0 && IsCurrent(r.Old[len(r.Old)-1], r.Current)
}

// Create makes the new token (see Create: a lost answer is looked for).
func (r *Rotation) Create(ctx context.Context) (makeapi.Token, error) {
	return Create{Client: r.Client, Revoker: r.Revoker, Label: r.NewLabel, Scopes: r.Scopes, Before: r.Listed, Kept: "the old token"}.Do(ctx)
}

// Verify checks the new token with a call made with it: it must work and
// have the scopes asked for. If not, the new token is revoked again and
// the old ones kept; the error says so.
func (r *Rotation) Verify(ctx context.Context, tok makeapi.Token) error {
	auth, err := r.Client.WithToken(tok.Token).CurrentAuthorization(ctx)
	if err != nil {
		err = fmt.Errorf("zone %s: checking the new token (created %s) failed: %s", r.Zone, tok.Created, err.Error())
	} else if got := SortedScopes(auth.Scopes); !slices.Equal(got, r.Scopes) {
		err = fmt.Errorf("zone %s: the new token (created %s) has the scopes %s, not the %s asked for", r.Zone, tok.Created, strings.Join(got, ","), strings.Join(r.Scopes, ","))
	}
	if err != nil {
		return r.Revoker.Undo(ctx, tok, err, "the old one")
	}
	return nil
}

// RevokeOld revokes the old tokens, the credential in use last, once the
// new one is delivered: a signal or the time limit does not stop it
// half-way (see Revoker.RevokeFinishing). It returns each old token's
// error, in the order of Old.
func (r *Rotation) RevokeOld(ctx context.Context, again func(n int)) []error {
	return r.Revoker.RevokeFinishing(ctx, r.Old, r.Current, again)
}
