package tokens

import (
	"errors"
	"strings"
	"testing"
)

// TestRevokeSelector: what revoke's arguments and flags may name, and the
// usage error (with what was more likely meant) for what they may not.
func TestRevokeSelector(t *testing.T) {
	for _, tt := range []struct {
		name          string
		created       []string
		label, prefix string
		want          string // "" for a selector; else part of the Usage error
	}{
		{"created", []string{"2024-03-27T05:53:27.360Z"}, "", "", ""},
		{"an odd created with a date", []string{"2024-03-27Tnoon"}, "", "", ""},
		{"the shortest created: a date and T", []string{"2024-03-27T"}, "", "", ""},
		{"label", nil, "ci", "", ""},
		{"prefix", nil, "", "3f2a", ""},
		{"nothing", nil, "", "", "say which tokens to revoke"},
		{"blank created", []string{" "}, "", "", "a created timestamp cannot be blank"},
		{"a label as argument", []string{"ci-nightly"}, "", "", "`maketoken revoke --label ci-nightly`"},
		{"a prefix as argument", []string{"3f2a9c1d"}, "", "", "`maketoken revoke --prefix 3f2a9c1d`"},
		{"the shortest prefix as argument", []string{"3f2a"}, "", "", "`maketoken revoke --prefix 3f2a`"},
		{"a word as long as a prefix, not hexadecimal", []string{"deployment"}, "", "", "`maketoken revoke --label deployment`"},
		{"no shell word", []string{"a\x01b"}, "", "", "name tokens by --label or --prefix instead"},
		{"blank label", nil, " ", "", "--label cannot be blank"},
		{"masked prefix", nil, "", "****", "--prefix needs the visible start of a token"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sel, err := RevokeSelector(tt.created, tt.label, tt.prefix)
			if tt.want == "" {
				if err != nil || sel.Label != tt.label || sel.Prefix != tt.prefix || len(sel.Created) != len(tt.created) {
					t.Fatalf("= %+v, %v; want the selector", sel, err)
				}
				return
			}
			var te *Error
			if !errors.As(err, &te) || te.Kind != Usage || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v; want a Usage error with %q", err, tt.want)
			}
		})
	}
}

func TestSelectorDescribe(t *testing.T) {
	s := Selector{Created: []string{"a", "b"}, Label: "ci", Prefix: "3f2a"}
	if got, want := s.Describe(), `created a, b and --label "ci" and --prefix 3f2a`; got != want {
		t.Errorf("Describe = %q; want %q", got, want)
	}
	if got := (Selector{Label: "x\x1by"}).Describe(); strings.Contains(got, "\x1b") {
		t.Errorf("Describe = %q: a control character from the command line came through", got)
	}
}

func TestSelectorUnmatched(t *testing.T) {
	sel := Selector{Created: []string{zoneTokens[0].Created, "2020-01-01T00:00:00Z"}}
	picked := sel.Select(zoneTokens)
	err := sel.Unmatched("eu1", picked)
	var te *Error
	if !errors.As(err, &te) || te.Kind != NoMatch || !strings.Contains(err.Error(), "no token was created at 2020-01-01T00:00:00Z") {
		t.Errorf("one created missing: %v; want NoMatch naming it", err)
	}
	sel = Selector{Label: "nobody"}
	if err := sel.Unmatched("eu1", sel.Select(zoneTokens)); !errors.As(err, &te) || te.Kind != NoMatch || !strings.Contains(err.Error(), `zone eu1: no token matches --label "nobody"`) {
		t.Errorf("nothing matched: %v; want NoMatch", err)
	}
	sel = Selector{Label: "ci"}
	if err := sel.Unmatched("eu1", sel.Select(zoneTokens)); err != nil {
		t.Errorf("two matched: %v; want nil", err)
	}
}
