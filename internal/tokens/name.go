package tokens

import (
	"fmt"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
)

// RevokeSelector is the selector that revoke's arguments (created
// timestamps) and flags (--label, --prefix) name, checked: it must name
// tokens, no part of it may be blank, and an argument that is no created
// time is refused with what it more likely is (a Usage Error).
func RevokeSelector(created []string, label, prefix string) (Selector, error) {
	sel := Selector{Created: created, Label: label, Prefix: prefix}
	if !sel.Names() {
		return sel, usagef("say which tokens to revoke: their created timestamps, --label L or --prefix P (see `maketoken list`)")
	}
	for _, c := range created {
		if strings.TrimSpace(c) == "" {
			return sel, usagef("a created timestamp cannot be blank")
		}
		if err := createdArg(c); err != nil {
			return sel, err
		}
	}
	if label != "" && strings.TrimSpace(label) == "" {
		return sel, usagef("--label cannot be blank")
	}
	if prefix != "" && makeapi.Prefix(strings.TrimSpace(prefix)) == "" {
		return sel, usagef("--prefix needs the visible start of a token, e.g. --prefix 3f2a9c1d")
	}
	return sel, nil
}

// Unmatched is the NoMatch Error of a revoke in zone whose selector
// matched no token or named a created time no token has; nil when every
// name was found.
func (s Selector) Unmatched(zone string, picked Selection) error {
	switch {
	case len(picked.Tokens) == 0:
		return &Error{Kind: NoMatch, Err: fmt.Errorf("zone %s: no token matches %s; nothing was revoked (see `maketoken list -z %s`)", zone, s.Describe(), zone)}
	case len(picked.Missing) > 0:
		return &Error{Kind: NoMatch, Err: fmt.Errorf("zone %s: no token was created at %s (timestamps must match exactly, as listed); nothing was revoked", zone, strings.Join(picked.Missing, ", "))}
	}
	return nil
}

// Describe names what the selector names, as the flags and arguments that
// gave it ("--label ci and --prefix 3f2a"), for messages; what came from
// the command line is echoed safely.
func (s Selector) Describe() string {
	var parts []string
	if len(s.Created) > 0 {
		created := make([]string, len(s.Created))
		for i, c := range s.Created {
			created[i] = output.EchoPlain(c)
		}
		parts = append(parts, "created "+strings.Join(created, ", "))
	}
	if s.Label != "" {
		parts = append(parts, "--label "+output.Echo(s.Label))
	}
	if s.Prefix != "" {
		parts = append(parts, "--prefix "+output.EchoPlain(s.Prefix))
	}
	return strings.Join(parts, " and ")
}

// createdArg checks that an argument of revoke is a created timestamp,
// and if it is not, says what it more likely is: a label or the visible
// start of a token (`maketoken revoke ci-nightly`).
func createdArg(c string) error {
	// Make's created times are RFC 3339; one Make sends otherwise still
	// names its token (as listed, byte for byte): a date is enough.
	if len(c) >= 11 && c[10] == 'T' {
		if _, err := time.Parse(time.DateOnly, c[:10]); err == nil {
			return nil
		}
	}
	msg := fmt.Sprintf("%s is not a created time (e.g. 2024-03-27T05:53:27.360Z)", output.Echo(c))
	w := output.ShellWord(c)
	switch {
	case w == "":
		return usagef("%s; name tokens by --label or --prefix instead", msg)
	case isTokenPrefix(c):
		return usagef("%s; to revoke the token that starts with it: `maketoken revoke --prefix %s`", msg, w)
	}
	return usagef("%s; to revoke the tokens labelled %s: `maketoken revoke --label %s`", msg, w, w)
}

// isTokenPrefix reports whether s looks like the visible start of a token:
// at least four hexadecimal digits, before any dash.
func isTokenPrefix(s string) bool {
	p := makeapi.Prefix(s)
	return len(p) >= 4 && strings.Trim(strings.ToLower(p), "0123456789abcdef") == ""
}

// usagef is a Usage Error.
func usagef(format string, a ...any) error {
	return &Error{Kind: Usage, Err: fmt.Errorf(format, a...)}
}
