// Package cmderr is what an error means at maketoken's command line: the
// contract's exit codes, the one place errors become them (Code), the
// error a command returns to choose one (Error, Usagef, Silent), and what a
// failed API call means and what to do next (API).
package cmderr

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os/exec"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/config"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/outfile"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/runctx"
	"github.com/maketoken/maketoken/internal/scopes"
	"github.com/maketoken/maketoken/internal/tokens"
	"github.com/maketoken/maketoken/internal/zones"
)

// Exit codes, as the command-line contract documents them.
const (
	OK          = 0
	Failure     = 1
	Usage       = 2
	Cancelled   = 3
	Auth        = 4
	Permission  = 5
	NoMatch     = 6
	Partial     = 7
	Keyring     = 8
	Interrupted = 130 // 128 + SIGINT, as shells report it
	// Of `exec` when its command cannot be run, as shells use them.
	CannotRun = 126 // found but not executable
	NotFound  = 127 // not found
)

// Help is `maketoken help exit-codes`: what each exit code means.
const Help = `maketoken exits with one of these codes, so that scripts and CI jobs can tell
what happened without reading its messages:

  0    success
  1    failure: network, server error, anything not below
  2    usage: unknown command, flag, zone or scope, a missing argument, or
       --yes needed where there is no terminal to ask on
  3    cancelled at a confirmation prompt
  4    not authenticated: no credential for the zone, or Make answered 401
  5    permission denied: Make answered 403 (the credential lacks a scope)
  6    nothing matched: no token fits the selector
  7    partial failure: some zones or tokens succeeded and others failed
  8    no keyring can be used (the OS keyring or the Linux kernel keyring),
       or it timed out
  130  interrupted (Ctrl-C, SIGTERM, SIGHUP, SIGQUIT): one line on stderr
       says what was done and what was not

Errors go to stderr, one line each, starting with "maketoken:".
maketoken exec exits with the code of the command it ran.`

// UsageHint ends a usage error that says nothing of where help is.
const UsageHint = "run `maketoken --help` for usage"

// Error carries an exit code chosen by a command. A nil Err exits with
// Code and prints nothing more (the command already reported).
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit code %d", e.Code)
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Silent reports an error that prints nothing (see IOStreams.PrintError).
func (e *Error) Silent() bool { return e.Err == nil }

// Usagef is a usage error (exit 2).
func Usagef(format string, a ...any) error {
	return &Error{Code: Usage, Err: fmt.Errorf(format, a...)}
}

// Silent is the error of a command that has reported everything itself.
func Silent(code int) error { return &Error{Code: code} }

// Code decides the exit code of an error: the one place where errors
// become the contract's exit codes.
func Code(err error) int {
	if err == nil {
		return OK
	}
	var ie *runctx.InterruptedError
	if errors.As(err, &ie) {
		return Interrupted
	}
	var ee *Error
	if errors.As(err, &ee) {
		return ee.Code
	}
	switch {
	case errors.Is(err, iostreams.ErrCancelled):
		return Cancelled
	case errors.Is(err, iostreams.ErrNoTerminal):
		return Usage
	}
	var te *tokens.Error
	if errors.As(err, &te) && te.Kind != tokens.Failed {
		return map[tokens.Kind]int{tokens.Usage: Usage, tokens.NoMatch: NoMatch, tokens.Interrupted: Interrupted}[te.Kind]
	}
	var (
		unknownZone *zones.UnknownZoneError
		badURL      *zones.InvalidURLError
		cfgErr      *config.UsageError
		notFound    *credentials.NotFoundError
		badCred     *credentials.InvalidError
		moved       *credentials.OriginChangedError
		keyringErr  *credentials.KeyringError
		jqErr       *output.JQError
		unknownScp  *scopes.UnknownError
		outFileErr  *outfile.Error
		invalidScp  *scopes.InvalidError
		unknownUser *credentials.UnknownUserError
		envUser     *credentials.EnvUserError
		envOnly     *credentials.EnvOnlyError
		badChoice   *credentials.ChoiceError
		choose      *credentials.ChooseError
		changed     *credentials.UserChangedError
	)
	switch {
	case errors.As(err, &unknownZone), errors.As(err, &badURL), errors.As(err, &cfgErr), errors.As(err, &jqErr),
		errors.As(err, &unknownScp), errors.As(err, &invalidScp), errors.As(err, &outFileErr),
		errors.As(err, &unknownUser), errors.As(err, &envUser), errors.As(err, &envOnly), errors.As(err, &choose),
		errors.As(err, &badChoice):
		return Usage
	case errors.As(err, &notFound), errors.As(err, &badCred), errors.As(err, &moved), errors.As(err, &changed),
		errors.Is(err, credentials.ErrNoCredential):
		return Auth
	case errors.As(err, &keyringErr):
		return Keyring
	}
	switch makeapi.StatusCode(err) {
	case 401:
		return Auth
	case 403:
		return Permission
	}
	return Failure
}

// API explains a failed API call for a zone: what it means and what
// to do next, which for a rejected credential depends on where it came
// from (cred: the credential the call was made with; one with only its
// Zone set for a token that is not the zone's credential). need is the
// scope the call needs ("user:read").
func API(cred credentials.Credential, err error, need string) error {
	if err == nil {
		return nil
	}
	zone := cred.Zone
	if host, ok := makeapi.NoSuchHost(err); ok {
		return &noSuchHostError{zone: zone, host: host, err: err}
	}
	var ae *makeapi.APIError
	if errors.As(err, &ae) && ae.AnsweredBy != "" {
		// Another origin answered after a redirect, without the credential:
		// its 401 says nothing about the credential, so no "log in again".
		return fmt.Errorf("zone %s: %w; check the zone's URL (`maketoken zones`)", zone, err)
	}
	var what string
	switch makeapi.StatusCode(err) {
	case 401:
		what = cred.Rejected()
		if ae.CredentialAccepted {
			// Make's current-authorization still accepts the credential:
			// logging in again would not help.
			what = "Make refused this call (401), although it accepts the credential itself " +
				"(current-authorization answers); logging in again will not help"
		}
	case 403:
		switch {
		case ae.NotJSON:
			// Make's own 403s are JSON; this one came from something in
			// front of Make (Cloudflare's "error code: 1010", a proxy).
			what = "a proxy or firewall in front of Make refused the call (a 403 without Make's error body); " +
				"this is not a missing scope: try again from another network, or ask whoever runs the proxy"
		case need != "":
			what = fmt.Sprintf("permission denied; the credential needs the %s scope", need)
		default:
			what = "permission denied"
		}
	case 429:
		what = "Make's rate limit for the organization was exceeded, and maketoken's retries " +
			"did not outlast it; try again " + retryWhen(err)
	}
	if what == "" {
		return fmt.Errorf("zone %s: %w%s", zone, err, nextStep(err))
	}
	return &zoneAPIError{zone: zone, what: what, err: err}
}

// noSuchHostError is a call to a host DNS says does not exist: a typo in
// MAKE_ZONE or in a zone's URL, or (for Make's own hosts) a DNS that
// cannot be reached. Where the host came from is what to check.
type noSuchHostError struct {
	zone, host string
	err        error
}

func (e *noSuchHostError) Error() string {
	msg := fmt.Sprintf("zone %s: DNS has no host %s: ", e.zone, output.Sanitize(e.host))
	var hosts []string
	for _, z := range zones.Builtin() {
		if z.Host == e.host {
			return msg + "this machine's DNS does not know Make's own host; check the network, its DNS or a proxy"
		}
		hosts = append(hosts, z.Host)
	}
	if e.zone == e.host { // a zone MAKE_ZONE names by its host
		return msg + fmt.Sprintf("check MAKE_ZONE (%s) for a typo; Make's zones are %s", output.Sanitize(e.host), strings.Join(hosts, ", "))
	}
	where := ""
	var te *makeapi.TransportError
	if errors.As(e.err, &te) {
		if base, _, ok := strings.Cut(te.URL, "/api/v2"); ok {
			where = " (" + output.Sanitize(base) + "/api/v2, from the config file)"
		}
	}
	return msg + "check the zone's URL" + where + " for a typo"
}

func (e *noSuchHostError) Unwrap() error { return e.err }

type zoneAPIError struct {
	zone, what string
	err        error
}

func (e *zoneAPIError) Error() string {
	return fmt.Sprintf("zone %s: %s (%v)", e.zone, e.what, e.err)
}

func (e *zoneAPIError) Unwrap() error { return e.err }

// Explained is what API says err means (a rejected credential, a missing
// scope, Make's rate limit), without the zone and the call, when API
// explained it in words of its own.
func Explained(err error) (string, bool) {
	var ze *zoneAPIError
	if errors.As(err, &ze) {
		return ze.what, true
	}
	return "", false
}

// nextStep says what to do after a server error or an unreachable zone.
// A failed create already says whether the token may exist, so it gets no
// "try again" that could make a duplicate.
func nextStep(err error) string {
	var ae *makeapi.APIError
	if errors.As(err, &ae) {
		if ae.StatusCode >= 500 && ae.Method != http.MethodPost {
			return "; Make answered with a server error, try again later"
		}
		return ""
	}
	var te *makeapi.TransportError
	if errors.As(err, &te) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) && te.Method != http.MethodPost {
		return "; the zone's API could not be reached: check the network, a proxy, or the zone's URL (`maketoken zones`)"
	}
	return ""
}

// Summarize reports per-zone (or per-token) failures with report (nil:
// the caller has reported them itself) and picks the exit code: some
// failing while others worked is exit 7 (with authWins, a rejected
// credential anywhere is exit 4 instead); everything failing keeps the
// failures' own code.
func Summarize(errs []error, authWins bool, report func(error)) error {
	var failed []error
	rejected := false
	for _, err := range errs {
		if err != nil {
			failed = append(failed, err)
			var changed *credentials.UserChangedError
			if makeapi.StatusCode(err) == 401 || errors.As(err, &changed) {
				rejected = true
			}
		}
	}
	if len(failed) == 0 {
		return nil
	}
	for _, err := range failed {
		if report != nil {
			report(err)
		}
	}
	switch {
	case rejected && authWins:
		return Silent(Auth)
	case len(failed) < len(errs):
		return Silent(Partial)
	case len(failed) == 1:
		return Silent(Code(failed[0]))
	default:
		return Silent(Common(failed))
	}
}

// AfterCleanup is the outcome of a command (result: nil, or its error)
// followed by a clean-up that failed (err; nil if it did not). The
// command's exit code stays: a failed clean-up after a success, or after a
// failure already reported (an error that prints nothing), is reported
// with report and changes nothing; after a failure still to be reported,
// it is told with it.
func AfterCleanup(result, err error, report func(error)) error {
	var ee *Error
	switch {
	case err == nil:
		return result
	case result == nil:
		report(err)
		return nil
	case errors.As(result, &ee) && ee.Err == nil:
		report(err)
		return result
	}
	return &Error{Code: Code(result), Err: fmt.Errorf("%w; and %w", result, err)}
}

// Common is the exit code all errors share, or 1.
func Common(errs []error) int {
	code := Code(errs[0])
	for _, e := range errs[1:] {
		if Code(e) != code {
			return Failure
		}
	}
	return code
}

// retryWhen says when Make asked to be called again (its Retry-After),
// or "in a minute" (Make's rate window) when it did not say.
func retryWhen(err error) string {
	var ae *makeapi.APIError
	if !errors.As(err, &ae) || ae.RetryAfter <= 0 {
		return "in a minute"
	}
	d := ae.RetryAfter.Round(time.Second)
	if d < ae.RetryAfter {
		d += time.Second
	}
	return "in " + d.String()
}

// Exec explains a command that `exec` could not start, with the exit code
// shells use for it: NotFound, or CannotRun.
func Exec(name string, err error) error {
	err = output.EchoError(err, name)
	name = output.EchoPlain(name)
	switch {
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		return &Error{Code: NotFound, Err: fmt.Errorf("exec: %s: command not found (check the name and PATH)", name)}
	case errors.Is(err, fs.ErrPermission), errors.Is(err, exec.ErrDot):
		return &Error{Code: CannotRun, Err: fmt.Errorf("exec: %s: cannot run it: %w", name, outfile.UnwrapPath(err))}
	}
	return &Error{Code: CannotRun, Err: fmt.Errorf("exec: %s: %w", name, err)}
}
