// Package editdist measures how far apart two words are, to suggest the
// name someone probably meant (a scope, a command, a flag).
package editdist

import (
	"slices"
	"strconv"
	"strings"
)

// Distance is the optimal-string-alignment edit distance between a and b:
// insertions, deletions, substitutions and swaps of adjacent characters.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// Closest are the names within a small edit distance of name (compared
// lower-cased), or that name starts (at 3 characters or more), nearest
// first, at most two; one further off than the nearest is left out ("zsh":
// not bash) unless name starts it.
func Closest(name string, names []string) []string {
	type hit struct {
		name string
		dist int
	}
	var hits []hit
	for _, n := range names {
		d := Distance(strings.ToLower(name), n)
		if d <= max(2, len(name)/4) || (len(name) >= 3 && strings.HasPrefix(n, name)) {
			hits = append(hits, hit{n, d})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int {
		if a.dist != b.dist {
			return a.dist - b.dist
		}
		return strings.Compare(a.name, b.name)
	})
	var out []string
	for _, h := range hits[:min(len(hits), 2)] {
		if h.dist == hits[0].dist || strings.HasPrefix(h.name, name) {
			out = append(out, h.name)
		}
	}
	return out
}

// DidYouMean is `did you mean "a"?` or `did you mean "a" or "b"?`.
func DidYouMean(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return "did you mean " + strings.Join(q, " or ") + "?"
}
