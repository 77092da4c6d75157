package tokens

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/expiry"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
)

// Selector picks tokens of a zone. Every criterion that is set must hold; a
// zero Selector picks every token.
type Selector struct {
	// Created are exact `created` timestamps, compared byte for byte (Make
	// identifies a token by it, and it is sent back as listed).
	Created []string
	// Label matches the label L and L~exp=TIME: a token made with a
	// lifetime (create --ttl, exec --ephemeral) keeps its label's meaning.
	Label string
	// LabelPrefix matches labels that start with it.
	LabelPrefix string
	// Prefix is the start of the token's visible first group ("3f2a9c1d"
	// of "3f2a9c1d-****-..."), in any case; a masked tail is ignored.
	Prefix string

	// Before picks the tokens created before it (an age); a `created` that
	// cannot be read is never picked by age (see Selection.Undated). Both
	// are on Make's clock.
	Before time.Time
	// ExpiredAt picks the tokens whose lifetime, recorded in their label,
	// has passed by then: Make's now, see Clock.
	ExpiredAt time.Time
	// Keep spares the newest Keep tokens of each label (its lifetime
	// suffix left out), whatever else holds.
	Keep int

	// Current is the credential in use (the secret). With SpareCurrent it
	// is never picked, but named in Selection.Spared.
	Current      string
	SpareCurrent bool
}

// Names reports whether the selector names tokens: by created, label,
// label prefix or prefix.
func (s Selector) Names() bool {
	return len(s.Created) > 0 || s.Label != "" || s.LabelPrefix != "" || s.Prefix != ""
}

// Matches reports whether t is one the selector names: created, label,
// label prefix and prefix (not age, lifetime or keep).
func (s Selector) Matches(t makeapi.Token) bool {
	switch {
	case len(s.Created) > 0 && !slices.Contains(s.Created, t.Created):
		return false
	case s.Label != "" && !LabelIs(t.Label, s.Label):
		return false
	case s.LabelPrefix != "" && !strings.HasPrefix(t.Label, s.LabelPrefix):
		return false
	case s.Prefix != "":
		want := strings.ToLower(makeapi.Prefix(s.Prefix))
		if want == "" || !strings.HasPrefix(strings.ToLower(makeapi.Prefix(t.Token)), want) {
			return false
		}
	}
	return true
}

// Selection is what a Selector picked from a list of tokens.
type Selection struct {
	// Tokens are the tokens picked, oldest first.
	Tokens []makeapi.Token
	// Matched counts the tokens the selector names, before age, lifetime
	// and Keep: none means the names fit no token at all.
	Matched int
	// Missing are the Created values no token has.
	Missing []string
	// Spared are the tokens picked but spared as the credential in use.
	Spared []makeapi.Token
	// Undated counts the tokens left alone by an age because their
	// `created` cannot be read.
	Undated int
}

// Select applies the selector to a zone's tokens.
func (s Selector) Select(list []makeapi.Token) Selection {
	var sel Selection
	groups := map[string][]makeapi.Token{}
	var bases []string
	for _, t := range list {
		if !s.Matches(t) {
			continue
		}
		sel.Matched++
		base := Base(t.Label)
		if groups[base] == nil {
			bases = append(bases, base)
		}
		groups[base] = append(groups[base], t)
	}
	for _, c := range s.Created {
		if !slices.ContainsFunc(list, func(t makeapi.Token) bool { return t.Created == c }) {
			sel.Missing = append(sel.Missing, c)
		}
	}
	for _, base := range bases {
		group := groups[base]
		SortByCreated(group)
		for _, t := range group[:max(len(group)-s.Keep, 0)] {
			switch {
			case !s.ExpiredAt.IsZero() && !expiry.Expired(t.Label, s.ExpiredAt):
			case !s.Before.IsZero() && !createdBefore(t.Created, s.Before, &sel.Undated):
			case s.SpareCurrent && IsCurrent(t, s.Current):
				sel.Spared = append(sel.Spared, t)
			default:
				sel.Tokens = append(sel.Tokens, t)
			}
		}
	}
	SortByCreated(sel.Tokens)
	return sel
}

// createdBefore reports whether a token created at created is older than
// cutoff; one whose time cannot be read is counted in undated.
func createdBefore(created string, cutoff time.Time, undated *int) bool {
	c, err := time.Parse(time.RFC3339Nano, created)
	if err != nil {
		*undated++
		return false
	}
	return c.Before(cutoff)
}

// LabelIs reports whether label is want, or want with a lifetime suffix
// (want~exp=TIME).
func LabelIs(label, want string) bool {
	if label == want {
		return true
	}
	base, _, ok := expiry.Parse(label)
	return ok && base == want
}

// Base is a label without its lifetime suffix.
func Base(label string) string {
	base, _, _ := expiry.Parse(label)
	return base
}

// IsCurrent reports whether the listed token is the credential secret:
// the whole token if the list shows it, else its visible first group.
func IsCurrent(listed makeapi.Token, secret string) bool {
	return makeapi.Matches(listed.Token, secret)
}

// FindCurrent finds the credential in use (secret) among a zone's listed
// tokens. A list shows a token by its first group only, so two tokens can
// look alike: n is how many match, and found is the credential only when
// n is 1. With none, or several, which token is the credential cannot be
// told, and nothing may be done to it (revoke, rotate) nor said of it.
func FindCurrent(listed []makeapi.Token, secret string) (found makeapi.Token, n int) {
	for _, t := range listed {
		if IsCurrent(t, secret) {
			found, n = t, n+1
		}
	}
	if n != 1 {
		return makeapi.Token{}, n
	}
	return found, n
}

// MayBeCurrent reports whether some of tokens (picked from listed) starts
// like the credential in use (secret) while FindCurrent cannot tell which
// listed token it is: such a token may or may not be the credential, and
// nothing may count on either.
func MayBeCurrent(listed, tokens []makeapi.Token, secret string) bool {
	_, n := FindCurrent(listed, secret)
	return n > 1 && slices.ContainsFunc(tokens, func(t makeapi.Token) bool { return IsCurrent(t, secret) })
}

// CurrentLast orders tokens so that the credential in use (secret) comes
// last, the others keeping their order: revoked in this order, the others
// go with it.
func CurrentLast(tokens []makeapi.Token, secret string) {
	slices.SortStableFunc(tokens, func(a, b makeapi.Token) int {
		return cmp.Compare(boolInt(IsCurrent(a, secret)), boolInt(IsCurrent(b, secret)))
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// MaskListed is the form of a listed token that may be shown: as the
// server sent it when it is masked already, else masked here.
func MaskListed(token string) string {
	if strings.ContainsAny(token, "*•") {
		return token
	}
	return makeapi.Mask(token)
}

// CompareCreated orders two `created` timestamps by time when both can be
// read, else as text.
func CompareCreated(a, b string) int {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	if errA == nil && errB == nil {
		return cmp.Or(ta.Compare(tb), strings.Compare(a, b))
	}
	return strings.Compare(a, b)
}

// SortByCreated sorts tokens oldest first.
func SortByCreated(tokens []makeapi.Token) {
	slices.SortStableFunc(tokens, func(a, b makeapi.Token) int { return CompareCreated(a.Created, b.Created) })
}

// SortedScopes is a sorted copy of scopes without repeats, never nil.
func SortedScopes(s []string) []string {
	out := slices.Clone(s)
	if out == nil {
		out = []string{}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// LabelCount is a label (without its lifetime suffix: --label L matches
// L~exp=TIME too) and how many tokens carry it.
type LabelCount struct {
	Label string
	Count int
}

// Labels are the labels of the listed tokens that start with prefix,
// without their lifetime suffix, sorted, each once with its count. A label
// with a character that must not reach a terminal is left out: it could
// not be offered as it is.
func Labels(listed []makeapi.Token, prefix string) []LabelCount {
	count := map[string]int{}
	for _, t := range listed {
		label := Base(t.Label)
		if label != "" && !strings.ContainsFunc(label, output.IsUnsafe) && strings.HasPrefix(label, prefix) {
			count[label]++
		}
	}
	out := make([]LabelCount, 0, len(count))
	for _, l := range slices.Sorted(maps.Keys(count)) {
		out = append(out, LabelCount{l, count[l]})
	}
	return out
}
