package tokens

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/maketoken/maketoken/internal/makeapi"
)

// Concurrency bounds the deletes that run at once: enough to be quick, few
// enough to stay clear of Make's rate limit.
const Concurrency = 4

// AlreadyRevokedHelp is the 404 rule (see Revoker.RevokeOne), as the help
// of every command that revokes states it.
const AlreadyRevokedHelp = `A token that is already gone when maketoken comes to revoke it (someone
revoked it after it was listed, and Make answers 404) is reported as
"already revoked" on stderr and counts as revoked, not as a failure, once a
fresh list confirms it is gone. If Make still lists it, the 404 is a failure.`

// Revoker revokes tokens of one zone. It is the one routine behind revoke,
// rotate, prune, logout --revoke, exec --ephemeral and the undoing of a
// token just created.
type Revoker struct {
	Client *makeapi.Client
	// Zone names the zone in the errors it words.
	Zone string
	// Gone, if set, is told of a token that counts as revoked by the 404
	// rule (it was already gone).
	Gone func(t makeapi.Token)
	// Done, if set, is called after each token with its outcome (nil:
	// revoked), a progress hook; calls may come from several goroutines.
	Done func(err error)
}

// Revoke revokes tokens, at most Concurrency at once, and the credential in
// use (current, the secret) last: the others are revoked with it. It
// returns each token's error, in the order of tokens.
func (r Revoker) Revoke(ctx context.Context, tokens []makeapi.Token, current string) []error {
	errs := make([]error, len(tokens))
	var others, last []int
	for i, t := range tokens {
		if IsCurrent(t, current) {
			last = append(last, i)
		} else {
			others = append(others, i)
		}
	}
	sem := make(chan struct{}, Concurrency)
	var wg sync.WaitGroup
	for _, i := range others {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = r.RevokeOne(ctx, tokens[i])
		}()
	}
	wg.Wait()
	for _, i := range last {
		errs[i] = r.RevokeOne(ctx, tokens[i])
	}
	return errs
}

// RevokeFinishing revokes tokens as Revoke does, for a step that must not
// stop half-way (the old tokens of a rotation whose new token is
// delivered): if ctx ends meanwhile (a signal, --timeout), those that were
// cut short are revoked again in a clean-up context, after again is told
// how many.
func (r Revoker) RevokeFinishing(ctx context.Context, tokens []makeapi.Token, current string, again func(n int)) []error {
	errs := r.Revoke(ctx, tokens, current)
	if ctx.Err() == nil {
		return errs
	}
	var retry []makeapi.Token
	var at []int
	for i, t := range tokens {
		if errs[i] != nil {
			retry, at = append(retry, t), append(at, i)
		}
	}
	if len(retry) == 0 {
		return errs
	}
	if again != nil {
		again(len(retry))
	}
	cctx, cancel := CleanupContext(ctx)
	defer cancel()
	for j, err := range r.Revoke(cctx, retry, current) {
		errs[at[j]] = err
	}
	return errs
}

// RevokeOne revokes one token, by the 404 rule. Make answers 404 both for
// a token that is already gone (someone revoked it between the list and the
// delete) and, to hide it, for one the credential may not touch. So a 404
// counts as revoked only when a fresh list confirms the token is gone (Gone
// is told); if it is still listed, or the list fails, the 404 is the
// token's failure.
func (r Revoker) RevokeOne(ctx context.Context, t makeapi.Token) (err error) {
	if r.Done != nil {
		defer func() { r.Done(err) }()
	}
	err = r.Client.DeleteToken(ctx, t)
	if makeapi.StatusCode(err) != http.StatusNotFound {
		return err
	}
	listed, lerr := r.Client.ListTokens(ctx)
	if lerr != nil || slices.ContainsFunc(listed, func(l makeapi.Token) bool { return l.Created == t.Created }) {
		return err
	}
	if r.Gone != nil {
		r.Gone(t)
	}
	return nil
}

// Undo revokes again a token just created that nobody received, in a
// clean-up context (ctx may have ended), so that no token lives that nobody
// holds. It returns cause with what became of the token; kept names what was
// left in place ("the old one"), or is empty.
func (r Revoker) Undo(ctx context.Context, tok makeapi.Token, cause error, kept string) error {
	cctx, cancel := CleanupContext(ctx)
	defer cancel()
	if err := r.RevokeOne(cctx, tok); err != nil {
		err = fmt.Errorf("%w; the new token (created %s) could not be revoked again (%s): revoke it with `maketoken revoke -z %s %s`", cause, tok.Created, err.Error(), r.Zone, tok.Created)
		if kept != "" {
			err = fmt.Errorf("%w; %s was kept", err, kept)
		}
		return err
	}
	if kept != "" {
		return fmt.Errorf("%w; the new token was revoked again and %s kept: nothing was changed", cause, kept)
	}
	return fmt.Errorf("%w; the new token was revoked again, nothing was changed", cause)
}
