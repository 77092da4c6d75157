// Package scopes expands the scope patterns a user gives to `create` and
// `rotate` (exact names and globs such as "scenarios:*" or "*:read") into
// the scope names of a zone, and explains a pattern that matches nothing by
// suggesting the closest valid names.
package scopes

import (
	"cmp"
	"fmt"
	"github.com/maketoken/maketoken/internal/editdist"
	"github.com/maketoken/maketoken/internal/output"
	"path"
	"slices"
	"strings"
	"unicode"
)

// maxSuggestions is how many names an UnknownError suggests at most.
const maxSuggestions = 5

// UnknownError is a scope name the zone does not have, or a glob that
// matches none of its scopes. Suggestions are the closest valid names (or,
// for a glob, the closest globs that do match), best first; there may be
// none.
type UnknownError struct {
	Pattern     string
	Suggestions []string
}

func (e *UnknownError) Error() string {
	what := fmt.Sprintf("unknown scope %s", output.Echo(e.Pattern))
	if isGlob(e.Pattern) {
		what = fmt.Sprintf("scope pattern %s matches no scope", output.Echo(e.Pattern))
	}
	switch len(e.Suggestions) {
	case 0:
		return what
	case 1:
		return fmt.Sprintf("%s; did you mean %s?", what, e.Suggestions[0])
	default:
		return fmt.Sprintf("%s; did you mean one of %s?", what, strings.Join(e.Suggestions, ", "))
	}
}

// InvalidError is a scope argument that cannot be a scope or a pattern:
// none at all, a blank one, one with spaces, or a malformed glob.
type InvalidError struct {
	Pattern string
	Reason  string
}

func (e *InvalidError) Error() string {
	if e.Pattern == "" {
		return e.Reason
	}
	return fmt.Sprintf("invalid scope %s: %s", output.Echo(e.Pattern), e.Reason)
}

// Split turns the values of repeated -s flags into single patterns: a value
// may hold several, separated by commas ("-s a,b"). Blank entries are kept
// (as "") so that Expand can refuse them.
func Split(values []string) []string {
	var out []string
	for _, v := range values {
		out = append(out, strings.Split(v, ",")...)
	}
	return out
}

// Expand returns the scopes of available that patterns name, de-duplicated
// and sorted. It is ExpandDetailed without the list of what globs left out.
func Expand(patterns []string, available []string) ([]string, error) {
	got, _, err := ExpandDetailed(patterns, available)
	return got, err
}

// ExpandDetailed returns the scopes of available that patterns name,
// de-duplicated and sorted, and the administration scopes (see
// Administration) that a glob matched but left out because it did not name
// them: "*:read" leaves out admin:read, apps:read and system:read;
// "admin:*" and "apps:read" pick them. A scope that another pattern picked
// is not listed as left out. A pattern is an exact scope name or a glob with path.Match
// syntax (*, ?, [...]) matched against whole names; a value may hold
// several patterns separated by commas.
//
// No patterns, a blank one or one containing white space is an
// *InvalidError; an unknown name or a glob that matches nothing is an
// *UnknownError with suggestions. Nothing is returned with an error.
func ExpandDetailed(patterns []string, available []string) (picked, leftOut []string, err error) {
	split := Split(patterns)
	if len(split) == 0 {
		return nil, nil, errNoScope()
	}
	known := make(map[string]bool, len(available))
	for _, s := range available {
		known[s] = true
	}
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	skipped := map[string]bool{}
	for _, p := range split {
		if err := checkSyntax(p); err != nil {
			return nil, nil, err
		}
		if !isGlob(p) {
			if !known[p] {
				return nil, nil, &UnknownError{Pattern: p, Suggestions: Suggest(p, available)}
			}
			add(p)
			continue
		}
		matched := false
		for _, s := range available {
			ok, left := globMatches(p, s)
			if left {
				skipped[s] = true
			}
			if ok {
				matched = true
				add(s)
			}
		}
		if !matched {
			return nil, nil, &UnknownError{Pattern: p, Suggestions: Suggest(p, available)}
		}
	}
	for s := range skipped {
		if !seen[s] {
			leftOut = append(leftOut, s)
		}
	}
	slices.Sort(out)
	slices.Sort(leftOut)
	return out, leftOut, nil
}

// Validate checks the form of the -s values without a scope list: there is
// at least one pattern, none is blank or holds spaces or control
// characters, and every glob is well formed. Commands call it before any
// request so that a typo costs nothing; Expand checks the same again.
func Validate(patterns []string) error {
	split := Split(patterns)
	if len(split) == 0 {
		return errNoScope()
	}
	for _, p := range split {
		if err := checkSyntax(p); err != nil {
			return err
		}
	}
	return nil
}

func errNoScope() error {
	return &InvalidError{Reason: "no scope given; name at least one with -s (e.g. -s 'scenarios:*' or -s '*:read')"}
}

func checkSyntax(p string) error {
	if strings.TrimSpace(p) == "" {
		return &InvalidError{Pattern: p, Reason: "a scope cannot be blank"}
	}
	// Stricter than what may be shown (output.IsUnsafe) on purpose: a
	// scope has no blanks either.
	for _, r := range p {
		switch {
		case unicode.IsSpace(r):
			return &InvalidError{Pattern: p, Reason: "a scope cannot contain spaces (separate several with commas or repeat -s)"}
		case unicode.IsControl(r):
			return &InvalidError{Pattern: p, Reason: "a scope cannot contain control characters"}
		}
	}
	if _, err := path.Match(p, ""); err != nil {
		return &InvalidError{Pattern: p, Reason: "malformed pattern (check the brackets and backslashes)"}
	}
	return nil
}

// isGlob reports whether p uses pattern syntax.
func isGlob(p string) bool { return strings.ContainsAny(p, `*?[\`) }

// HasGlob reports whether any of the -s values holds a glob, which needs
// the zone's scope list to expand.
func HasGlob(values []string) bool { return slices.ContainsFunc(Split(values), isGlob) }

// Suggest returns up to five valid names closest to an unknown pattern.
// For an exact name the candidates are the available names; for a glob,
// they are the globs built from the available names that do match
// something ("scenarios:*", "*:read") as well as the names themselves.
// Candidates within a small edit distance, or sharing the part before the
// colon, are returned nearest first.
func Suggest(pattern string, available []string) []string {
	cands := slices.Clone(available)
	if isGlob(pattern) {
		for _, s := range available {
			if res, act, ok := strings.Cut(s, ":"); ok {
				cands = append(cands, res+":*", "*:"+act)
			}
		}
	}
	slices.Sort(cands)
	cands = slices.Compact(cands)

	type scored struct {
		name string
		dist int
	}
	limit := max(2, len([]rune(pattern))/4)
	res, _, _ := strings.Cut(pattern, ":")
	var hits []scored
	for _, c := range cands {
		if c == pattern {
			continue
		}
		d := editdist.Distance(strings.ToLower(pattern), strings.ToLower(c))
		cres, _, _ := strings.Cut(c, ":")
		if d <= limit || (res != "" && !isGlob(res) && strings.EqualFold(cres, res)) {
			hits = append(hits, scored{c, d})
		}
	}
	slices.SortFunc(hits, func(a, b scored) int {
		return cmp.Or(cmp.Compare(a.dist, b.dist), strings.Compare(a.name, b.name))
	})
	out := make([]string, 0, min(len(hits), maxSuggestions))
	for _, h := range hits[:min(len(hits), maxSuggestions)] {
		out = append(out, h.name)
	}
	return out
}

// Complete offers the names that complete the last of the comma-separated
// scopes typed so far, each after what was typed before it, leaving out
// the names typed already.
func Complete(names []string, typed string) []string {
	done, last := "", typed
	if i := strings.LastIndexByte(typed, ','); i >= 0 {
		done, last = typed[:i+1], typed[i+1:]
	}
	already := strings.Split(done, ",")
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, last) && !slices.Contains(already, n) {
			out = append(out, done+n)
		}
	}
	return out
}
