package tokens

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/maketoken/maketoken/internal/expiry"
	"github.com/maketoken/maketoken/internal/output"
)

// The label and lifetime of a token about to be made (create, exec
// --ephemeral), checked before anything is asked of Make. Each check is
// its own function: a command checks them in its own order among its
// other checks, and the first that fails is the one reported.

// CheckLabel checks the label of a new token: not blank, valid UTF-8,
// printable, at most expiry.MaxLabel characters. Its errors are Usage.
func CheckLabel(label string) error {
	switch {
	case strings.TrimSpace(label) == "":
		return usagef("the label cannot be blank: pass -l LABEL")
	case !utf8.ValidString(label):
		return usagef("the label is not valid UTF-8")
	case utf8.RuneCountInString(label) > expiry.MaxLabel:
		return usagef("the label is %d characters long; at most %d are allowed", utf8.RuneCountInString(label), expiry.MaxLabel)
	}
	if strings.ContainsFunc(label, output.IsUnsafe) {
		return usagef("the label %s contains a control character; use printable text", output.Sanitize(fmt.Sprintf("%q", label)))
	}
	return nil
}

// ParseLifetime reads the --ttl of a new token labelled base (see
// expiry.ParseTTL) and checks that base can take the expiry suffix (see
// expiry.CheckBase). Its errors are Usage.
func ParseLifetime(base, ttl string) (time.Duration, error) {
	d, err := expiry.ParseTTL(ttl)
	if err != nil {
		return 0, usagef("--ttl: %v", err)
	}
	if err := expiry.CheckBase(base); err != nil {
		return 0, &Error{Kind: Usage, Err: err}
	}
	return d, nil
}
