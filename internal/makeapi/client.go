package makeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/maketoken/maketoken/internal/output"
)

// MaxBodyBytes caps what the client reads of any answer.
const MaxBodyBytes = 8 << 20

// Options configure a Client.
type Options struct {
	// HTTPClient sends the requests; share one per command so connections
	// are reused. NewHTTPClient builds a suitable one.
	HTTPClient *http.Client
	// UserAgent names maketoken and its version.
	UserAgent string
	// Retry is the retry policy; the zero value means DefaultRetry.
	Retry *RetryPolicy
	// OnRetry, when set, is told about every retry before its wait.
	OnRetry func(RetryEvent)
	// RateGate makes the client's requests (its WithToken copies' too)
	// wait together while Make's rate limit is in force, for bulk work
	// that runs many calls at once: after one 429 none is sent until the
	// wait it asked for has passed.
	RateGate bool
}

// Client talks to one zone's API with one token.
type Client struct {
	base    *url.URL
	token   string
	http    *http.Client
	ua      string
	retry   RetryPolicy
	onRetry func(RetryEvent)
	clock   *serverClock // the zone's clock, from its answers' Date
}

// New returns a client for the API at baseURL (".../api/v2") that
// authenticates with token.
func New(baseURL, token string, opts Options) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("invalid API base URL %q", baseURL)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	hc := opts.HTTPClient
	if hc == nil {
		hc = NewHTTPClient(nil, 0)
	}
	if opts.RateGate {
		base := hc.Transport
		if base == nil {
			base = http.DefaultTransport
		}
		gated := *hc
		gated.Transport = &rateGate{base: base}
		hc = &gated
	}
	ua := opts.UserAgent
	if ua == "" {
		ua = "maketoken"
	}
	rp := DefaultRetry()
	if opts.Retry != nil {
		rp = *opts.Retry
	}
	return &Client{base: u, token: token, http: hc, ua: ua, retry: rp, onRetry: opts.OnRetry, clock: &serverClock{}}, nil
}

// Token returns the token the client authenticates with.
func (c *Client) Token() string { return c.token }

// WithToken returns a client for the same zone that uses another token,
// sharing the HTTP client and its connections.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.token = token
	return &cp
}

// Me returns the user the token belongs to (GET /users/me). No scope is
// documented for it (Make's SDK calls it with none): a 403 here says
// nothing about the token's scopes; CurrentAuthorization does.
func (c *Client) Me(ctx context.Context) (User, error) {
	var out struct {
		AuthUser *User `json:"authUser"`
	}
	if err := c.do(ctx, http.MethodGet, "/users/me", nil, &out); err != nil {
		return User{}, err
	}
	if out.AuthUser == nil {
		return User{}, &ProtocolError{Method: http.MethodGet, Path: "/users/me", Reason: `no "authUser" in the answer`}
	}
	return out.AuthUser.escaped(), nil
}

const currentAuthorizationPath = "/users/me/current-authorization"

// CurrentAuthorization describes the calling token, including its scopes
// (GET /users/me/current-authorization, any valid token). It is where a
// token's scopes are read from.
func (c *Client) CurrentAuthorization(ctx context.Context) (Authorization, error) {
	const path = currentAuthorizationPath
	var out struct {
		Authorization *Authorization `json:"authorization"`
	}
	if err := c.do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return Authorization{}, err
	}
	if out.Authorization == nil {
		return Authorization{}, &ProtocolError{Method: http.MethodGet, Path: path, Reason: `no "authorization" in the answer`}
	}
	return out.Authorization.escaped(), nil
}

// Probe is one call of current-authorization, timed, with the server's
// clock as its Date header gave it.
type Probe struct {
	Authorization Authorization
	RoundTrip     time.Duration
	// ServerTime is the answer's Date header; zero when there was none.
	ServerTime time.Time
}

// ProbeAuthorization calls current-authorization once, without retries,
// and reports how long it took and the server's clock, for `doctor`.
// RoundTrip and ServerTime are set whenever an answer came, even with an
// error.
func (c *Client) ProbeAuthorization(ctx context.Context) (Probe, error) {
	const path = currentAuthorizationPath
	start := time.Now()
	ans, err := c.send(ctx, http.MethodGet, path, nil)
	p := Probe{RoundTrip: time.Since(start)}
	if err != nil {
		return p, err
	}
	if d, derr := http.ParseTime(ans.header.Get("Date")); derr == nil {
		p.ServerTime = d
	}
	if ans.status < 200 || ans.status >= 300 {
		ae := parseError(http.MethodGet, path, ans)
		ae.AnsweredBy = c.otherOrigin(ans)
		return p, ae
	}
	var out struct {
		Authorization *Authorization `json:"authorization"`
	}
	if err := c.decode(http.MethodGet, path, ans, &out); err != nil {
		return p, err
	}
	if out.Authorization == nil {
		return p, &ProtocolError{Method: http.MethodGet, Path: path, Reason: `no "authorization" in the answer`}
	}
	p.Authorization = out.Authorization.escaped()
	return p, nil
}

// ListTokens returns the user's API tokens, masked
// (GET /users/me/api-tokens, scope user:read).
func (c *Client) ListTokens(ctx context.Context) ([]Token, error) {
	const path = "/users/me/api-tokens"
	var out struct {
		APITokens *[]Token `json:"apiTokens"`
	}
	if err := c.do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	if out.APITokens == nil {
		return nil, &ProtocolError{Method: http.MethodGet, Path: path, Reason: `no "apiTokens" in the answer`}
	}
	for i, t := range *out.APITokens {
		if t.Created == "" {
			return nil, &ProtocolError{Method: http.MethodGet, Path: path, Reason: fmt.Sprintf("token %d has no \"created\" timestamp", i+1)}
		}
		(*out.APITokens)[i] = t.escaped()
	}
	return *out.APITokens, nil
}

// CreateToken creates a token with a label and scopes
// (POST /users/me/api-tokens, scope user:write). The answer holds the
// full secret: callers must treat it as such.
//
// A create is never repeated once the request may have reached the server:
// a duplicate token is worse than an error.
func (c *Client) CreateToken(ctx context.Context, label string, scopes []string) (Token, error) {
	const path = "/users/me/api-tokens"
	body, err := json.Marshal(struct {
		Label  string   `json:"label"`
		Scopes []string `json:"scope"`
	}{label, scopes})
	if err != nil {
		return Token{}, err
	}
	var out struct {
		APIToken *Token `json:"apiToken"`
	}
	if err := c.do(ctx, http.MethodPost, path, body, &out); err != nil {
		if mayHaveReached(StatusCode(err), err) {
			return Token{}, &OutcomeUnknownError{Err: err}
		}
		return Token{}, err
	}
	if out.APIToken == nil || out.APIToken.Token == "" || out.APIToken.Created == "" {
		// Make said yes, so a token may well exist that nobody received.
		return Token{}, &OutcomeUnknownError{Err: &ProtocolError{Method: http.MethodPost, Path: path, Reason: `no "apiToken" with a token and its "created" timestamp in the answer`}}
	}
	if !usableSecret(out.APIToken.Token) {
		// The secret cannot be delivered as it is (it would drive the
		// terminal it is printed on), nor changed (it would not work):
		// the token exists at Make, held by nobody.
		return Token{}, &OutcomeUnknownError{Err: &ProtocolError{Method: http.MethodPost, Path: path, Reason: "the new token in the answer holds spaces or control characters, so it cannot be delivered"}}
	}
	tok := out.APIToken.escaped()
	tok.Token = out.APIToken.Token // the secret, which usableSecret checked
	return tok, nil
}

// DeleteToken revokes a token that ListTokens or CreateToken returned
// (DELETE /users/me/api-tokens/{created}, scope user:write). Its created
// timestamp is sent exactly as Make sent it.
func (c *Client) DeleteToken(ctx context.Context, tok Token) error {
	created := tok.id()
	if created == "" {
		return errors.New("delete: empty token timestamp")
	}
	path := "/users/me/api-tokens/" + url.PathEscape(created)
	// The answer ({"apiToken": "<created>"}) carries nothing more: any JSON,
	// or none at all, means the token is gone.
	var out any
	return c.do(ctx, http.MethodDelete, path, nil, &out)
}

// Scopes returns the scope names a token can have in this zone
// (GET /enums/user-api-token-scopes).
func (c *Client) Scopes(ctx context.Context) ([]string, error) {
	const path = "/enums/user-api-token-scopes"
	var out struct {
		Scopes *[]struct {
			Name string `json:"name"`
		} `json:"userApiTokenScopes"`
	}
	if err := c.do(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	if out.Scopes == nil {
		return nil, &ProtocolError{Method: http.MethodGet, Path: path, Reason: `no "userApiTokenScopes" in the answer`}
	}
	names := make([]string, 0, len(*out.Scopes))
	for _, s := range *out.Scopes {
		if s.Name != "" {
			names = append(names, output.Escape(s.Name))
		}
	}
	return names, nil
}

// do sends one API call, retrying it as the policy allows, and decodes a
// successful JSON answer into out.
func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultCallTimeout)
		defer cancel()
	}
	reached := false // an earlier try may have been carried out by the server
	for attempt := 0; ; attempt++ {
		ans, err := c.send(ctx, method, path, body)
		if err == nil && ans.status >= 200 && ans.status < 300 {
			if other := c.otherOrigin(ans); other != "" {
				// The credential is never sent to another origin, so
				// whatever it answered, the zone did not do the call
				// (a 204 to a DELETE revoked nothing).
				return &ProtocolError{Method: method, Path: path, Reason: fmt.Sprintf("the answer (%d) came from %s after a redirect, not from the zone; maketoken never sends a zone's credential to another origin, so the zone did not do this", ans.status, other)}
			}
			return c.decode(method, path, ans, out)
		}
		if err == nil {
			ae := parseError(method, path, ans)
			ae.AnsweredBy = c.otherOrigin(ans)
			err = ae
		}
		if method == http.MethodDelete && ans.status == http.StatusNotFound && reached && c.otherOrigin(ans) == "" {
			// An earlier try went through but its answer was lost.
			return nil
		}
		d := c.retry.next(ctx, method, attempt, ans.status, err)
		if !d.retry {
			if ans.status == http.StatusUnauthorized && path != currentAuthorizationPath {
				c.crossCheck401(ctx, err)
			}
			return giveUp(err, attempt, d)
		}
		reached = reached || mayHaveReached(ans.status, err)
		if c.onRetry != nil {
			c.onRetry(RetryEvent{Method: method, Path: path, Status: ans.status, Attempt: attempt + 1, Wait: d.wait, Reason: retryReason(ans.status, err)})
		}
		if serr := c.retry.sleep(ctx, d.wait); serr != nil {
			return &StoppedError{Method: method, Path: path, Last: err, Err: serr}
		}
	}
}

// crossCheck401 asks current-authorization, once and without retries,
// whether the credential that one call had refused with 401 is valid after
// all; if it is, the error is marked CredentialAccepted, so that nobody is
// told to log in again for a call that a valid credential cannot make.
func (c *Client) crossCheck401(ctx context.Context, err error) {
	var ae *APIError
	if !errors.As(err, &ae) || ae.AnsweredBy != "" {
		return
	}
	ans, serr := c.send(ctx, http.MethodGet, currentAuthorizationPath, nil)
	if serr != nil || ans.status != http.StatusOK || c.otherOrigin(ans) != "" {
		return
	}
	var out struct {
		Authorization *Authorization `json:"authorization"`
	}
	if json.Unmarshal(ans.data, &out) == nil && out.Authorization != nil {
		ae.CredentialAccepted = true
	}
}

// giveUp is the error of a call that will not be tried again: the last
// failure, saying how often it was tried and why retrying stopped early.
func giveUp(err error, attempt int, d decision) error {
	tried := "tried once"
	if attempt > 0 {
		tried = fmt.Sprintf("tried %d times", attempt+1)
	}
	switch {
	case d.tooLate:
		return fmt.Errorf("%w (%s; the next try, in %s, would be past the command's time limit: raise --timeout)", err, tried, d.wait.Round(time.Second))
	case attempt > 0:
		return fmt.Errorf("%w (%s)", err, tried)
	}
	return err
}

// DefaultCallTimeout bounds a call whose context has no deadline.
const DefaultCallTimeout = 30 * time.Second

// answer is what the server sent back.
type answer struct {
	status int
	data   []byte
	header http.Header
	// url is where the answer came from, after any redirects.
	url *url.URL
}

// send makes one try of a call. A request that got no complete answer
// (refused, dropped, cut off while the body was read) is a *TransportError
// with status 0.
func (c *Client) send(ctx context.Context, method, path string, body []byte) (answer, error) {
	u := *c.base
	u.Path = c.base.Path + pathUnescaped(path)
	u.RawPath = c.base.Path + path
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Authorization", "Token "+c.token)
	req.Header.Set("User-Agent", c.ua)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, sanitizeURLError(err, path)
	}
	defer resp.Body.Close()
	ans := answer{status: resp.StatusCode, header: resp.Header, url: resp.Request.URL}
	if c.otherOrigin(ans) == "" {
		c.clock.observe(resp.Header, time.Now())
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes+1))
	if err != nil {
		return answer{}, &TransportError{Method: method, URL: u.String(), Path: path, Err: fmt.Errorf("the answer (%d) was cut off: %w", resp.StatusCode, err)}
	}
	if len(data) > MaxBodyBytes {
		return ans, &ProtocolError{Method: method, Path: path, Reason: fmt.Sprintf("the answer is larger than %d MiB; a proxy or gateway may be in the way", MaxBodyBytes>>20)}
	}
	ans.data = data
	return ans, nil
}

// otherOrigin returns the origin (scheme://host:port) an answer came from
// when a redirect took the call away from the zone's own, or "". It is
// escaped: a redirect's Location is the server's text.
func (c *Client) otherOrigin(ans answer) string {
	if ans.url == nil || (ans.url.Scheme == c.base.Scheme && ans.url.Host == c.base.Host) {
		return ""
	}
	return output.Escape(ans.url.Scheme + "://" + ans.url.Host)
}

func pathUnescaped(p string) string {
	if u, err := url.PathUnescape(p); err == nil {
		return u
	}
	return p
}

// sanitizeURLError drops the URL wrapper's noise but keeps the cause; path
// is the call's, relative to the zone's API.
func sanitizeURLError(err error, path string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &TransportError{Method: strings.ToUpper(ue.Op), URL: ue.URL, Path: path, Err: ue.Err}
	}
	return err
}

// StoppedError is a call whose context ended (the command's time ran
// out, or it was interrupted) while it waited to be tried again after
// Last.
type StoppedError struct {
	Method, Path string
	Last, Err    error
}

func (e *StoppedError) Error() string {
	what := "no time was left"
	if errors.Is(e.Err, context.Canceled) {
		what = "interrupted"
	}
	// The last try's error names the call too: once is enough.
	last := strings.TrimPrefix(e.Last.Error(), e.Method+" "+e.Path+": ")
	return fmt.Sprintf("%s %s: %s while waiting to retry after %s", e.Method, e.Path, what, last)
}

// Unwrap is the context's error: the call did not fail, it was cut short.
func (e *StoppedError) Unwrap() error { return e.Err }

// TransportError is a request that got no HTTP answer.
type TransportError struct {
	Method string
	URL    string
	// Path is the call's path relative to the zone's API, as an APIError
	// names it ("/users/me/api-tokens"); "": say URL.
	Path string
	Err  error
}

// Error names the call as an APIError does, by its path: the zone is
// named by whoever reports it, and a whole URL (with the zone's host and
// /api/v2) says nothing more. A call cut short by the command's context
// says so in words, not as "context deadline exceeded".
func (e *TransportError) Error() string {
	where := e.Path
	if where == "" {
		where = e.URL
	}
	var cause any = e.Err
	switch {
	case errors.Is(e.Err, context.DeadlineExceeded):
		cause = "no answer in time"
	case errors.Is(e.Err, context.Canceled):
		cause = "interrupted"
	}
	// The cause can quote what the server sent (a malformed status line).
	return output.Escape(fmt.Sprintf("%s %s: %v", e.Method, where, cause))
}

func (e *TransportError) Unwrap() error { return e.Err }

func (c *Client) decode(method, path string, ans answer, out any) error {
	data := ans.data
	if len(bytes.TrimSpace(data)) == 0 {
		if method == http.MethodDelete {
			return nil // 204 No Content, or 200 with nothing to say: done
		}
		return &ProtocolError{Method: method, Path: path, Reason: fmt.Sprintf("empty answer (%d)", ans.status)}
	}
	if err := json.Unmarshal(data, out); err != nil {
		if looksLikeHTML(data) {
			return &ProtocolError{Method: method, Path: path, Reason: "got an HTML page instead of JSON (" + htmlTitle(data) + "); a proxy or gateway may be in the way"}
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			where := typeErr.Field
			if where == "" {
				where = "the answer"
			}
			return &ProtocolError{Method: method, Path: path, Reason: fmt.Sprintf("the JSON has an unexpected shape: %s is a JSON %s, not what Make's API promises", where, typeErr.Value)}
		}
		return &ProtocolError{Method: method, Path: path, Reason: "invalid JSON (" + clip(err.Error(), 200) + ")"}
	}
	return nil
}

func parseError(method, path string, ans answer) *APIError {
	e := &APIError{StatusCode: ans.status, Method: method, Path: path, RetryAfter: parseRetryAfter(ans.header.Get("Retry-After"), time.Now())}
	data := ans.data
	var body struct {
		Detail    string          `json:"detail"`
		Message   string          `json:"message"`
		Code      string          `json:"code"`
		Suberrors json.RawMessage `json:"suberrors"`
	}
	if err := json.Unmarshal(data, &body); err != nil {
		e.NotJSON = true
		switch {
		case looksLikeHTML(data):
			e.Message = "HTML page: " + htmlTitle(data)
		case isShortText(data):
			// Make's plain-text 429, Cloudflare's "error code: 1010".
			e.Detail = clip(strings.TrimSpace(string(data)), 200)
		}
		return e
	}
	e.Detail = clip(body.Detail, 500)
	e.Message = clip(body.Message, 500)
	e.Code = clip(body.Code, 50)
	var subs []struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body.Suberrors, &subs) == nil {
		for _, s := range subs {
			if s.Message != "" && len(e.Suberrors) < 10 {
				e.Suberrors = append(e.Suberrors, clip(s.Message, 300))
			}
		}
	}
	return e
}

// isShortText reports whether a body is one short line of text, worth
// quoting (cleaned) in an error message.
func isShortText(data []byte) bool {
	t := bytes.TrimSpace(data)
	return len(t) > 0 && len(t) <= 300 && utf8.Valid(t) && !bytes.ContainsAny(t, "\r\n{<")
}

func looksLikeHTML(data []byte) bool {
	head := strings.ToLower(strings.TrimSpace(string(data[:min(len(data), 512)])))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html") || strings.Contains(head, "<body")
}

// htmlTitle returns a short, printable summary of an HTML page.
func htmlTitle(data []byte) string {
	s := string(data[:min(len(data), 64<<10)])
	// Lower-case ASCII bytes only: strings.ToLower would change the length
	// of invalid UTF-8, and the indexes found in lower are used in s.
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	lower := string(b)
	if i := strings.Index(lower, "<title>"); i >= 0 {
		if j := strings.Index(lower[i:], "</title>"); j > 0 {
			if t := strings.TrimSpace(s[i+7 : i+j]); t != "" {
				return `title "` + clip(t, 100) + `"`
			}
		}
	}
	return "no title"
}

// clip makes a server's text one line of at most n bytes, escaped (see
// output.Clip).
func clip(s string, n int) string { return output.Clip(s, n) }
