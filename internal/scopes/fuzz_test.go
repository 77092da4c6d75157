package scopes

import (
	"errors"
	"path"
	"slices"
	"strings"
	"testing"
)

// fuzzScopes is a scope list like a zone's.
var fuzzScopes = []string{
	"admin:read", "admin:write", "agents:read", "apps:read", "apps:write", "connections:read",
	"custom-property-structures:read", "datastores:write", "imt-forms:read", "scenarios:read",
	"scenarios:run", "scenarios:write", "team-variables:read", "user:read", "user:write",
}

// FuzzExpand checks scope glob expansion on any -s value: no panic; a
// success is a sorted, de-duplicated, non-empty subset of the zone's
// scopes, each named by one of the patterns; what Validate refuses, Expand
// refuses too; what Validate accepts fails only as an UnknownError with at
// most five suggestions; an error message is one line.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{
		"scenarios:*", "*:read", "user:read,user:write", "scenario:read", "", " ", "a b", "user:[read",
		"[", "\\", "*", "*,*", "**:*", "?ser:read", "scen*:r*", "user:read,", ",", "\x1b[2J", "sc\u00e9narios:*",
		strings.Repeat("*a", 50), "[!a-z]*:read", "admin:*",
	} {
		f.Add(s, "")
	}
	f.Add("x:*", "x:y")
	f.Fuzz(func(t *testing.T, value, extra string) {
		available := fuzzScopes
		if extra != "" {
			available = append(slices.Clone(fuzzScopes), extra)
		}
		out, err := Expand([]string{value}, available)
		verr := Validate([]string{value})
		var inv *InvalidError
		var unk *UnknownError
		switch {
		case err == nil:
			if verr != nil {
				t.Fatalf("Expand(%q) succeeded but Validate fails: %v", value, verr)
			}
			if len(out) == 0 || !slices.IsSorted(out) || len(slices.Compact(slices.Clone(out))) != len(out) {
				t.Fatalf("Expand(%q) = %q: empty, unsorted or repeated", value, out)
			}
			for _, s := range out {
				if !slices.Contains(available, s) {
					t.Fatalf("Expand(%q) = %q holds %q, not a scope of the zone", value, out, s)
				}
				named := false
				for _, p := range Split([]string{value}) {
					if ok, _ := path.Match(p, s); ok || p == s {
						named = true
					}
				}
				if !named {
					t.Fatalf("Expand(%q): %q is named by no pattern", value, s)
				}
			}
		case errors.As(err, &inv):
			if verr == nil {
				t.Fatalf("Expand(%q) = %v but Validate accepts it", value, err)
			}
		case errors.As(err, &unk):
			if len(unk.Suggestions) > maxSuggestions {
				t.Fatalf("%d suggestions", len(unk.Suggestions))
			}
		default:
			t.Fatalf("Expand(%q): error of type %T: %v", value, err, err)
		}
		if verr == nil && err != nil && !errors.As(err, &unk) {
			t.Fatalf("Validate accepts %q but Expand says %v", value, err)
		}
		if err != nil {
			if out != nil {
				t.Fatalf("Expand(%q) returned %q with an error", value, out)
			}
			// The user's value is quoted; a scope name from the server may
			// show as it is (the CLI sanitizes every message it prints).
			if !strings.ContainsAny(extra, "\n\r\x1b") && strings.ContainsAny(err.Error(), "\n\r\x1b") {
				t.Fatalf("error message %q holds a control character", err)
			}
		}
	})
}
