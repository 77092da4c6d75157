package cmderr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/makeapi"
)

// TestNotRevoked: why a token was not revoked, in a few words (Why) and in
// full (Error), for each kind of failure.
func TestNotRevoked(t *testing.T) {
	cred := credentials.Credential{Zone: "eu1", Source: credentials.SourceKeyring}
	tok := makeapi.Token{Label: "batch", Created: "2023-01-02T00:00:00.000Z"}
	apiErr := func(code int, by string) error {
		return &makeapi.APIError{StatusCode: code, Method: http.MethodDelete, Path: "/users/me/api-tokens/x", Message: "no", AnsweredBy: by}
	}
	for _, tt := range []struct {
		name string
		err  error
		why  string // the start of Why
		end  string // the end of Why ("" for any)
	}{
		{"timeout", fmt.Errorf("delete: %w", context.DeadlineExceeded), "the command ran out of time (raise --timeout)", ""},
		{"interrupted", fmt.Errorf("delete: %w", context.Canceled), "interrupted", ""},
		{"server error", apiErr(500, ""), "Make answered 500", "; try again later"},
		{"a client error", apiErr(404, ""), "Make answered 404", "no"},
		{"no scope", apiErr(403, ""), "permission denied", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := NotRevoked(cred, tok, tt.err)
			var nr *NotRevokedError
			if !errors.As(err, &nr) || !errors.Is(err, tt.err) {
				t.Fatalf("NotRevoked = %#v; want a *NotRevokedError wrapping the cause", err)
			}
			if !strings.HasPrefix(nr.Why, tt.why) || !strings.HasSuffix(nr.Why, tt.end) || strings.Contains(nr.Why, "/users/me") {
				t.Errorf("Why = %q; want %q...%q, without the request", nr.Why, tt.why, tt.end)
			}
			if want := `zone eu1: the token "batch" (created 2023-01-02T00:00:00.000Z) was not revoked: ` + nr.Why; err.Error() != want {
				t.Errorf("Error = %q; want %q", err.Error(), want)
			}
		})
	}
}

// TestCodeOfCredentialRefusals: the credentials package's refusals of a
// request as given are usage errors (exit 2), wrapped or not.
func TestCodeOfCredentialRefusals(t *testing.T) {
	for _, err := range []error{
		&credentials.ChoiceError{Err: errors.New("the kernel keyring exists only on Linux")},
		&credentials.EnvOnlyError{Zone: "eu1", EnvVar: "MAKETOKEN_TOKEN_EU1"},
		&credentials.EnvUserError{Zone: "eu1", Asked: "ann", EnvVar: "MAKE_API_KEY"},
	} {
		if code := Code(fmt.Errorf("login: %w", err)); code != Usage {
			t.Errorf("Code(%T) = %d; want %d", err, code, Usage)
		}
	}
}
