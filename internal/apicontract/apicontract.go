// Package apicontract checks HTTP traffic against the Make API contract,
// make-openapi.json, a verbatim copy of shared/spec/make-openapi.json.
//
// It is meant for tests only: both the Make emulator and maketoken's API client
// are tested against this one contract, so the two cannot drift apart without a
// test noticing. Wrap a test's HTTP client with [Transport] to check every
// request it sends and every response it receives.
//
// Routing ignores the scheme and host: requests go to emulator zones on
// 127.0.0.1 with random ports, to Make's zones, or to private instances alike.
// An operation is found from the part of the path that follows the base path
// [BasePath] ("/api/v2").
package apicontract

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// BasePath is the path every Make API URL starts with, after the host
// (https://eu1.make.com/api/v2). Operations are matched on what follows it.
const BasePath = "/api/v2"

//go:embed make-openapi.json
var specJSON []byte

// ErrNotAPIPath is returned (wrapped) for a request whose path does not contain
// [BasePath]: it cannot be a Make API request.
var ErrNotAPIPath = errors.New("path is not under " + BasePath)

// Contract is the loaded Make API contract. It is safe for concurrent use.
type Contract struct {
	doc    *openapi3.T
	router routers.Router
	// schemaOpts are applied to every schema validation.
	schemaOpts []openapi3.SchemaValidationOption
}

// Spec returns the embedded OpenAPI document, unchanged.
func Spec() []byte { return bytes.Clone(specJSON) }

// Load parses and validates the embedded contract.
func Load() (*Contract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(specJSON)
	if err != nil {
		return nil, fmt.Errorf("apicontract: parsing make-openapi.json: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("apicontract: make-openapi.json is not a valid OpenAPI document: %w", err)
	}
	// The servers list names Make's production hosts. Routing must match
	// any host (the emulator listens on 127.0.0.1 with random ports), so the
	// router gets no servers and is given paths already relative to BasePath
	// (see route). The document is private to this Contract, so changing it
	// here affects nobody else.
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("apicontract: building the router: %w", err)
	}
	return &Contract{
		doc:    doc,
		router: router,
		schemaOpts: []openapi3.SchemaValidationOption{
			// Error messages leave out the offending values: a response
			// body can hold a full API token, and test logs must not.
			openapi3.DisableSchemaErrorDetails(),
			// Formats are checked by validators owned by this contract
			// rather than by kin-openapi's process-wide registry, which any
			// other code in the test binary could change.
			//
			// "uri": the contract (copied from Make's documentation) gives
			// scope names `format: uri`. Scope names such as
			// "scenarios:read" or "custom-property-structures:read" are in
			// fact syntactically absolute URIs (RFC 3986: a scheme made of
			// letters, digits, "+", "-" and ".", a colon, then a path), so
			// the check below is a real, if lenient, URI syntax check that
			// every real scope name passes. kin-openapi itself does not
			// check "uri" at all by default.
			openapi3.WithStringFormatValidator("uri", openapi3.NewCallbackValidator(validateURI)),
			// "date-time": RFC 3339, any number of fraction digits, so that
			// Make's "2024-03-27T05:53:27.360Z" (milliseconds, trailing
			// zero kept) passes. Same rule as kin-openapi's default, plus a
			// calendar check, pinned here for the reason above.
			openapi3.WithStringFormatValidator("date-time", openapi3.NewCallbackValidator(validateDateTime)),
		},
	}, nil
}

// absoluteURI is RFC 3986's absolute-URI reduced to its character set: a
// scheme, a colon, then URI characters only (no spaces, quotes or controls).
var absoluteURI = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.\-]*:[A-Za-z0-9\-._~%!$&'()*+,;=:@/?#\[\]]*$`)

func validateURI(s string) error {
	if !absoluteURI.MatchString(s) {
		return errors.New("not an absolute URI (scheme:rest)")
	}
	return nil
}

var dateTime = regexp.MustCompile(openapi3.FormatOfStringDateTime)

func validateDateTime(s string) error {
	if !dateTime.MatchString(s) {
		return errors.New("not an RFC 3339 date-time")
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
		return errors.New("not a valid RFC 3339 date-time")
	}
	return nil
}

// options returns a fresh openapi3filter.Options for one validation.
func (c *Contract) options() *openapi3filter.Options {
	return &openapi3filter.Options{
		AuthenticationFunc:      checkTokenHeader,
		IncludeResponseStatus:   true,
		SchemaValidationOptions: c.schemaOpts,
		// Never let the validator fill in defaults in a request a test
		// is about to send.
		SkipSettingDefaults: true,
	}
}

// checkTokenHeader accepts the contract's "token" security scheme when the
// request carries "Authorization: Token <something>". Whether the token is
// valid, or has the scopes the operation lists, is the server's business: the
// contract only fixes the form of the header. Error messages never include the
// header's value.
func checkTokenHeader(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	scheme := in.SecurityScheme
	if scheme == nil || scheme.Type != "apiKey" || scheme.In != "header" {
		return fmt.Errorf("security scheme %q is not supported by apicontract", in.SecuritySchemeName)
	}
	v := in.RequestValidationInput.Request.Header.Get(scheme.Name)
	if v == "" {
		return fmt.Errorf("the %s header is missing", scheme.Name)
	}
	tok, ok := strings.CutPrefix(v, "Token ")
	if !ok || strings.TrimSpace(tok) == "" {
		return fmt.Errorf(`the %s header does not have the form "Token <token>"`, scheme.Name)
	}
	return nil
}

// relativePath splits the escaped path of u at BasePath and returns what
// follows it, escaped and unescaped.
func relativePath(u *url.URL) (escaped, unescaped string, err error) {
	p := u.EscapedPath()
	i := strings.Index(p, BasePath)
	for i >= 0 {
		rest := p[i+len(BasePath):]
		if rest == "" || rest[0] == '/' {
			if rest == "" {
				rest = "/"
			}
			unescaped, err := url.PathUnescape(rest)
			if err != nil {
				return "", "", fmt.Errorf("path %q: %w", p, err)
			}
			return rest, unescaped, nil
		}
		j := strings.Index(p[i+1:], BasePath)
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return "", "", fmt.Errorf("%q: %w", p, ErrNotAPIPath)
}

// route finds the operation req is for. It returns a copy of req whose URL is
// relative to BasePath and whose body reads body.
func (c *Contract) route(req *http.Request, body []byte) (*routers.Route, map[string]string, *http.Request, error) {
	if req == nil || req.URL == nil {
		return nil, nil, nil, errors.New("apicontract: no request")
	}
	escaped, unescaped, err := relativePath(req.URL)
	if err != nil {
		return nil, nil, nil, err
	}
	r := req.Clone(req.Context())
	r.URL = &url.URL{Path: unescaped, RawPath: escaped, RawQuery: req.URL.RawQuery}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = nil
	rt, params, err := c.router.FindRoute(r)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s %s: %w", req.Method, unescaped, err)
	}
	return rt, params, r, nil
}

// ValidateRequest checks a request that is about to be sent (or was received)
// against the contract: that its path and method name an operation, that it
// carries an "Authorization: Token ..." header where the operation needs one,
// and that its parameters and body (given separately, since req.Body may have
// been consumed) match their schemas.
func (c *Contract) ValidateRequest(req *http.Request, body []byte) error {
	rt, params, r, err := c.route(req, body)
	if err != nil {
		return err
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: params,
		Route:      rt,
		Options:    c.options(),
	}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		return fmt.Errorf("request %s %s: %w", req.Method, r.URL.Path, err)
	}
	return nil
}

// ValidateResponse checks the response to req against the contract: that the
// operation lists status, and that header and body match what it says for
// that status (body given separately, already read). Unlisted status codes are
// errors here; see [Contract.DefinesStatus] to tell them apart first. The
// request itself is not validated: a test may send a broken request on
// purpose and still check the answer.
func (c *Contract) ValidateResponse(req *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	rt, params, r, err := c.route(req, reqBody)
	if err != nil {
		return err
	}
	if header == nil {
		header = http.Header{}
	}
	opts := c.options()
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    r,
			PathParams: params,
			Route:      rt,
			Options:    opts,
		},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: opts,
	}
	if err := openapi3filter.ValidateResponse(r.Context(), in); err != nil {
		return fmt.Errorf("response %d to %s %s: %w", status, req.Method, r.URL.Path, err)
	}
	return nil
}

// DefinesStatus reports whether the contract lists status as a possible
// answer to req's operation. It is false when req matches no operation.
func (c *Contract) DefinesStatus(req *http.Request, status int) bool {
	rt, _, _, err := c.route(req, nil)
	if err != nil || rt.Operation == nil || rt.Operation.Responses == nil {
		return false
	}
	return rt.Operation.Responses.Status(status) != nil || rt.Operation.Responses.Default() != nil
}
