package tokens

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/expiry"
)

// TestCheckLabel: a new token's label is not blank, valid UTF-8, printable
// and at most expiry.MaxLabel characters (counted as characters, not
// bytes); every refusal is a usage error.
func TestCheckLabel(t *testing.T) {
	for _, ok := range []string{"ci-nightly", "déploiement", strings.Repeat("é", expiry.MaxLabel), "a b"} {
		if err := CheckLabel(ok); err != nil {
			t.Errorf("CheckLabel(%q) = %v", ok, err)
		}
	}
	for label, want := range map[string]string{
		"":                                     "the label cannot be blank: pass -l LABEL",
		" \t":                                  "the label cannot be blank: pass -l LABEL",
		"bad\xff":                              "the label is not valid UTF-8",
		strings.Repeat("a", expiry.MaxLabel+1): "the label is 201 characters long; at most 200 are allowed",
		"bad\x1b[31mlabel":                     `the label "bad\x1b[31mlabel" contains a control character; use printable text`,
		"bidi\u202e":                           "contains a control character",
	} {
		err := CheckLabel(label)
		var te *Error
		if !errors.As(err, &te) || te.Kind != Usage || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckLabel(%q) = %v; want a usage error with %q", label, err, want)
		}
	}
}

// TestParseLifetime: the lifetime is read as expiry.ParseTTL reads it, and
// a label that cannot take the suffix is refused; the lifetime's error
// comes first, and both are usage errors.
func TestParseLifetime(t *testing.T) {
	if d, err := ParseLifetime("deploy", "2h"); err != nil || d != 2*time.Hour {
		t.Errorf(`ParseLifetime("deploy", "2h") = %v, %v`, d, err)
	}
	for _, c := range []struct{ base, ttl, want string }{
		{"deploy", "nope", "--ttl: "},
		{"deploy~exp=20261128T030000Z", "nope", "--ttl: "},
		{"deploy~exp=20261128T030000Z", "2h", "already ends with an expiry"},
		{strings.Repeat("a", expiry.MaxBase+1), "2h", "characters"},
	} {
		d, err := ParseLifetime(c.base, c.ttl)
		var te *Error
		if !errors.As(err, &te) || te.Kind != Usage || !strings.Contains(err.Error(), c.want) || d != 0 {
			t.Errorf("ParseLifetime(%q, %q) = %v, %v; want a usage error with %q", c.base, c.ttl, d, err, c.want)
		}
	}
	if _, err := ParseLifetime("deploy~exp=20261128T030000Z", "1h"); !errors.Is(err, expiry.ErrHasSuffix) {
		t.Errorf("the suffix error is not expiry.ErrHasSuffix: %v", err)
	}
}
