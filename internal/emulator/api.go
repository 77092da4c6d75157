package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/ctxwait"
)

// Make's error messages the emulator repeats.
const (
	msgRateLimited  = "Requests limit for organization exceeded, please try again later."
	msgUnauthorized = "Invalid credentials."
)

// apiError is the body of every error answer, as Make sends it.
type apiError struct {
	Detail    string     `json:"detail"`
	Message   string     `json:"message"`
	Code      string     `json:"code"`
	Suberrors []suberror `json:"suberrors,omitzero"` // nil: absent; empty: []
}

type suberror struct {
	Message string `json:"message"`
}

// errorFor returns Make's error body for status.
func errorFor(status int) apiError {
	switch status {
	case http.StatusBadRequest:
		return apiError{Detail: "Bad Request", Message: "Bad Request", Code: "SC400", Suberrors: []suberror{}}
	case http.StatusUnauthorized:
		return apiError{Detail: msgUnauthorized, Message: msgUnauthorized, Code: "IM015"}
	case http.StatusForbidden:
		return apiError{Detail: "Access denied.", Message: "Permission denied", Code: "SC403"}
	case http.StatusNotFound:
		return apiError{Detail: "The requested resource was not found.", Message: "Not found", Code: "SC404"}
	case http.StatusTooManyRequests:
		return apiError{Detail: msgRateLimited, Message: msgRateLimited, Code: "SC429"}
	}
	text := http.StatusText(status)
	if text == "" {
		text = "Error"
	}
	return apiError{Detail: text + ".", Message: text, Code: "SC" + strconv.Itoa(status)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errorFor(status))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

func writeError(w http.ResponseWriter, status int, e apiError) { writeJSON(w, status, e) }

// badRequest is Make's answer to invalid input, as observed: SC400 "Bad
// Request" with what was wrong in suberrors (an empty list when Make says
// nothing more).
func badRequest(w http.ResponseWriter, detail string, subs []suberror) {
	if subs == nil {
		subs = []suberror{}
	}
	writeError(w, http.StatusBadRequest, apiError{Detail: detail, Message: "Bad Request", Code: "SC400", Suberrors: subs})
}

// writeText answers with a plain-text body.
func writeText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, text)
}

// writeRateLimited answers 429: plain text unless the zone sends JSON.
func (z *Zone) writeRateLimited(w http.ResponseWriter) {
	z.mu.Lock()
	jsonBody := z.jsonLimit
	z.mu.Unlock()
	if jsonBody {
		writeError(w, http.StatusTooManyRequests, errorFor(http.StatusTooManyRequests))
		return
	}
	writeText(w, http.StatusTooManyRequests, msgRateLimited)
}

// writeUnauthorized answers 401 with the body the zone is set to send.
func (z *Zone) writeUnauthorized(w http.ResponseWriter) {
	z.mu.Lock()
	kind := z.authBody
	z.mu.Unlock()
	switch kind {
	case UnauthorizedEmpty:
		w.WriteHeader(http.StatusUnauthorized)
	case UnauthorizedText:
		writeText(w, http.StatusUnauthorized, "Unauthorized")
	default:
		writeError(w, http.StatusUnauthorized, errorFor(http.StatusUnauthorized))
	}
}

// bufferedResponse holds an answer until the request is logged, so that the
// request log is complete before the client sees anything, and so that a
// DropAfterHandling fault can throw the answer away.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBufferedResponse() *bufferedResponse { return &bufferedResponse{header: make(http.Header)} }

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedResponse) flushTo(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range b.header {
		h[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	if b.status != http.StatusNoContent && b.status != http.StatusNotModified {
		h.Set("Content-Length", strconv.Itoa(b.body.Len()))
	}
	w.WriteHeader(b.status)
	w.Write(b.body.Bytes())
}

// drop closes the client's connection without an answer.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	// Not hijackable (HTTP/2, a recorder): make net/http abort the
	// response instead.
	panic(http.ErrAbortHandler)
}

// rawPath returns the request's path as it was received, still escaped.
func rawPath(r *http.Request) string {
	if u := r.RequestURI; strings.HasPrefix(u, "/") {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		return u
	}
	return r.URL.EscapedPath()
}

// apiSegments splits an escaped path below BasePath into unescaped segments
// ("/api/v2/users/me" -> "users", "me") and the unescaped relative path. ok
// is false for paths outside BasePath or with broken escapes.
func apiSegments(raw string) (segs []string, rel string, ok bool) {
	relEscaped, found := strings.CutPrefix(raw, BasePath)
	if !found || (relEscaped != "" && relEscaped[0] != '/') {
		return nil, "", false
	}
	rel, err := url.PathUnescape(relEscaped)
	if err != nil {
		return nil, "", false
	}
	if relEscaped == "" {
		return nil, "", true
	}
	segs = strings.Split(relEscaped[1:], "/")
	for i, s := range segs {
		if segs[i], err = url.PathUnescape(s); err != nil {
			return nil, "", false
		}
	}
	return segs, rel, true
}

// sentToken returns the credential in the Authorization header: what follows
// "Token ", or the whole header if it has another form.
func sentToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if scheme, rest, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Token") {
		return strings.TrimSpace(rest)
	}
	return h
}

// serveHTTP is the zone's handler.
func (z *Zone) serveHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	// The zone's own clock (see SetClockOffset), as Make's servers send
	// theirs.
	w.Header().Set("Date", z.now().UTC().Format(http.TimeFormat))
	if r.URL.Path == "/_emulator" || strings.HasPrefix(r.URL.Path, "/_emulator/") {
		z.serveControl(w, r)
		return
	}
	z.serveAPI(w, r)
}

// serveAPI answers one API request: latency, faults, rate limit, then the
// endpoint. Every request is logged before its answer is sent.
func (z *Zone) serveAPI(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	raw := rawPath(r)
	segs, rel, isAPI := apiSegments(raw)
	rec := Request{Method: r.Method, Path: raw, Query: r.URL.RawQuery, Token: sentToken(r), Time: z.now()}
	if owner, ok := z.TokenOwner(rec.Token); ok {
		rec.User = owner
	}
	ctx := r.Context()

	z.mu.Lock()
	latency := z.latency
	z.mu.Unlock()
	if ctxwait.Sleep(ctx, latency) != nil {
		z.finish(rec, start, "client gone")
		return
	}

	b := newBufferedResponse()
	f, faulted := z.takeFault(r.Method, rel, isAPI)
	note := ""
	if faulted {
		// The body is read first: the zone has the whole request, and
		// only then does the server notice a client that goes away.
		readAhead(r)
		waitCtx := ctx
		if f.Finish {
			// The client leaving does not stop the zone.
			waitCtx = context.WithoutCancel(ctx)
		}
		if ctxwait.Sleep(waitCtx, f.Delay) != nil {
			z.finish(rec, start, "client gone")
			return
		}
		switch {
		case f.Drop:
			rec.Dropped = true
			z.finish(rec, start, "fault: drop")
			drop(w)
			return
		case f.RedirectTo != "":
			b.Header().Set("Location", redirectLocation(f.RedirectTo, raw, r.URL.RawQuery))
			b.WriteHeader(http.StatusTemporaryRedirect)
			note = "fault: redirect"
		case f.answers():
			z.writeFault(b, f)
			note = "fault: status"
			if f.HTML {
				note = "fault: html"
			}
		default:
			note = "fault: pass"
		}
		if f.RetryAfter != "" {
			b.Header().Set("Retry-After", f.RetryAfter)
		}
	}
	if b.status == 0 {
		z.handleAPI(b, r, segs, isAPI)
	}
	rec.Status = b.status
	if faulted && f.DropAfterHandling {
		rec.Dropped = true
		z.finish(rec, start, "fault: drop after handling")
		drop(w)
		return
	}
	z.finish(rec, start, note)
	b.flushTo(w)
}

// readAhead reads the request's body now and gives the handler a copy that
// ends as the original did (with a read error, if there was one).
func readAhead(r *http.Request) {
	body, err := io.ReadAll(r.Body)
	rest := io.Reader(bytes.NewReader(body))
	if err != nil {
		rest = io.MultiReader(rest, errorReader{err})
	}
	r.Body = io.NopCloser(rest)
}

type errorReader struct{ err error }

func (e errorReader) Read([]byte) (int, error) { return 0, e.err }

// finish logs a request in the zone's request log and the access log.
func (z *Zone) finish(rec Request, start time.Time, note string) {
	z.record(rec)
	if z.srv.opts.Log == nil {
		return
	}
	target := rec.Path
	if rec.Query != "" {
		target += "?" + rec.Query
	}
	line := fmt.Sprintf("%s %s %s %s %d %s", rec.Time.UTC().Format(time.RFC3339), z.name,
		printable(rec.Method), printable(target), rec.Status, time.Since(start).Round(time.Microsecond))
	if rec.Dropped {
		line += " dropped"
	}
	if note != "" {
		line += " (" + note + ")"
	}
	z.srv.logf("%s", line)
}

// uuidPattern finds anything shaped like a token, for the access log.
var uuidPattern = regexp.MustCompile(`[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}`)

// redactTokens masks every token-shaped string in s.
func redactTokens(s string) string { return uuidPattern.ReplaceAllStringFunc(s, mask) }

// printable replaces characters that could break a log line.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// redirectLocation builds a RedirectTo fault's Location.
func redirectLocation(to, raw, query string) string {
	if !strings.HasSuffix(to, "/") {
		return to
	}
	loc := strings.TrimSuffix(to, "/") + raw
	if query != "" {
		loc += "?" + query
	}
	return loc
}

// writeFault writes a fault's error answer. A plain 429 fault has the
// body the zone's rate limit would send.
func (z *Zone) writeFault(w http.ResponseWriter, f Fault) {
	status := f.status()
	switch {
	case f.Body != "":
		if json.Valid([]byte(f.Body)) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		} else {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		}
		w.WriteHeader(status)
		io.WriteString(w, f.Body)
	case f.HTML:
		text := strconv.Itoa(status) + " " + http.StatusText(status)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", text, text)
	case status == http.StatusTooManyRequests:
		z.writeRateLimited(w)
	case status == http.StatusUnauthorized:
		z.writeUnauthorized(w)
	default:
		writeError(w, status, errorFor(status))
	}
}

// call is what an endpoint gets to work with.
type call struct {
	scopes []string // the calling token's scopes
	user   int64    // the id of the user the calling token belongs to
	param  string   // the {timestamp} path parameter
}

type endpoint struct {
	scope string // scope the token needs; "" = any valid token
	serve func(w http.ResponseWriter, r *http.Request, c call)
}

// route returns the endpoints of a path, by method, and its path parameter.
func (z *Zone) route(segs []string) (map[string]endpoint, string) {
	switch {
	case slices.Equal(segs, []string{"users", "me"}):
		// No scope: Make's SDK calls it with none (make-api.md).
		return map[string]endpoint{http.MethodGet: {"", z.getMe}}, ""
	case slices.Equal(segs, []string{"users", "me", "current-authorization"}):
		return map[string]endpoint{http.MethodGet: {"", z.getAuthorization}}, ""
	case slices.Equal(segs, []string{"users", "me", "api-tokens"}):
		return map[string]endpoint{
			http.MethodGet:  {"user:read", z.listTokens},
			http.MethodPost: {"user:write", z.createToken},
		}, ""
	case len(segs) == 4 && slices.Equal(segs[:3], []string{"users", "me", "api-tokens"}) && segs[3] != "":
		return map[string]endpoint{http.MethodDelete: {"user:write", z.deleteToken}}, segs[3]
	case slices.Equal(segs, []string{"enums", "user-api-token-scopes"}):
		return map[string]endpoint{http.MethodGet: {"", z.getScopes}}, ""
	case slices.Equal(segs, []string{"admin", "users"}):
		// A stand-in for Make's administration API, which maketoken never
		// calls: it shows what an administration scope on a token is
		// worth to a user who is not an administrator (403).
		return map[string]endpoint{http.MethodGet: {"admin:read", z.listUsers}}, ""
	}
	return nil, ""
}

// handleAPI answers a request that no fault answered: rate limit, then
// authentication, then routing and the endpoint's scope.
func (z *Zone) handleAPI(w http.ResponseWriter, r *http.Request, segs []string, isAPI bool) {
	if limited, secs, send := z.rateLimited(); limited {
		if send {
			w.Header().Set("Retry-After", strconv.Itoa(secs))
		}
		z.writeRateLimited(w)
		return
	}
	if !isAPI {
		writeError(w, http.StatusNotFound, errorFor(http.StatusNotFound))
		return
	}
	var caller *Token
	if scheme, tok, found := strings.Cut(r.Header.Get("Authorization"), " "); found && strings.EqualFold(scheme, "Token") {
		caller = z.lookup(strings.TrimSpace(tok))
	}
	if caller == nil {
		z.writeUnauthorized(w)
		return
	}
	endpoints, param := z.route(segs)
	if endpoints == nil {
		writeError(w, http.StatusNotFound, errorFor(http.StatusNotFound))
		return
	}
	ep, ok := endpoints[r.Method]
	if !ok {
		// Nobody has seen what Make answers to a method a path does not
		// have; a 404 like any unknown route is the safe guess (a client
		// must handle it anyway).
		writeError(w, http.StatusNotFound, errorFor(http.StatusNotFound))
		return
	}
	if ep.scope != "" && !slices.Contains(caller.Scopes, ep.scope) {
		writeError(w, http.StatusForbidden, apiError{
			Detail:  "Access denied. The token lacks the scope " + ep.scope + ".",
			Message: "Permission denied",
			Code:    "SC403",
		})
		return
	}
	if AdministrationScope(ep.scope) {
		z.mu.Lock()
		admin := z.isAdmin
		z.mu.Unlock()
		if !admin {
			writeError(w, http.StatusForbidden, apiError{
				Detail:  "Access denied. Only an administrator of the instance may use the scope " + ep.scope + ".",
				Message: "Permission denied",
				Code:    "SC403",
			})
			return
		}
	}
	ep.serve(w, r, call{scopes: caller.Scopes, user: caller.User, param: param})
}

// apiToken is a token as the API shows it.
type apiToken struct {
	Token   string   `json:"token"`
	Scope   []string `json:"scope"`
	Created string   `json:"created"`
	Label   string   `json:"label"`
}

// getMe answers with the user the calling token belongs to.
func (z *Zone) getMe(w http.ResponseWriter, _ *http.Request, c call) {
	z.mu.Lock()
	u := z.userLocked(c.user)
	var me User
	if u != nil {
		me = cloneUser(*u)
	}
	z.mu.Unlock()
	if u == nil {
		z.writeUnauthorized(w) // a token of nobody: cannot happen
		return
	}
	writeJSON(w, http.StatusOK, map[string]User{"authUser": me})
}

// listUsers is the administration stand-in: the zone's users.
func (z *Zone) listUsers(w http.ResponseWriter, _ *http.Request, _ call) {
	writeJSON(w, http.StatusOK, map[string][]User{"users": z.Users()})
}

func (z *Zone) getAuthorization(w http.ResponseWriter, _ *http.Request, c call) {
	type authorization struct {
		AuthUsed string   `json:"authUsed"`
		Scope    []string `json:"scope"`
	}
	writeJSON(w, http.StatusOK, map[string]authorization{"authorization": {AuthUsed: "token", Scope: c.scopes}})
}

func (z *Zone) getScopes(w http.ResponseWriter, _ *http.Request, _ call) {
	type name struct {
		Name string `json:"name"`
	}
	scopes := z.Scopes()
	out := make([]name, len(scopes))
	for i, s := range scopes {
		out[i] = name{s}
	}
	writeJSON(w, http.StatusOK, map[string][]name{"userApiTokenScopes": out})
}

// listTokens lists the calling user's tokens (no other user's).
func (z *Zone) listTokens(w http.ResponseWriter, _ *http.Request, c call) {
	z.mu.Lock()
	// Newest first, as in Make's API reference (clients must not rely on
	// any order).
	out := []apiToken{}
	for _, t := range slices.Backward(z.order) {
		if t.User != c.user {
			continue
		}
		// Scopes are never modified after creation: sharing them is safe.
		out = append(out, apiToken{Token: mask(t.Token), Scope: t.Scopes, Created: t.Created, Label: t.Label})
	}
	z.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string][]apiToken{"apiTokens": out})
}

// createToken makes a token for the calling user.
func (z *Zone) createToken(w http.ResponseWriter, r *http.Request, c call) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			// Make answers 400 "request entity too large" (observed).
			badRequest(w, "Request entity too large.", nil)
			return
		}
		badRequest(w, "Bad Request", nil)
		return
	}
	// Keys are matched exactly (encoding/json would match struct fields
	// case-insensitively).
	var in map[string]json.RawMessage
	if err := json.Unmarshal(body, &in); err != nil {
		badRequest(w, "Bad Request", nil) // suberrors [], as Make sends for a body it cannot read
		return
	}
	var subs []suberror
	fail := func(format string, args ...any) { subs = append(subs, suberror{fmt.Sprintf(format, args...)}) }

	var label string
	switch raw, ok := in["label"]; {
	case !ok || string(raw) == "null":
		fail("Missing value of required parameter 'label'.")
	case json.Unmarshal(raw, &label) != nil:
		fail("Parameter 'label' must be a string.")
	case strings.TrimSpace(label) == "":
		fail("Parameter 'label' must not be empty.")
	}

	var scopes []string
	switch raw, ok := in["scope"]; {
	case !ok || string(raw) == "null":
		fail("Missing value of required parameter 'scope'.")
	case json.Unmarshal(raw, &scopes) != nil:
		scopes = nil // json.Unmarshal may have filled it in part
		fail("Parameter 'scope' must be an array of strings.")
	case len(scopes) == 0:
		fail("Parameter 'scope' must contain at least one scope.")
	}

	now := z.now()
	z.mu.Lock()
	defer z.mu.Unlock()
	var unique []string
	seen := make(map[string]bool, len(scopes))
	for _, s := range scopes {
		if !z.scopeSet[s] {
			fail("Invalid scope '%s'.", s)
			continue
		}
		if !seen[s] {
			seen[s] = true
			unique = append(unique, s)
		}
	}
	if len(subs) > 0 {
		badRequest(w, fmt.Sprintf("Validation failed for %d parameter(s).", len(subs)), subs)
		return
	}
	t := z.addTokenLocked(c.user, z.newSecretLocked(), label, unique, now)
	writeJSON(w, http.StatusOK, map[string]apiToken{"apiToken": {Token: t.Token, Scope: t.Scopes, Created: t.Created, Label: t.Label}})
}

// deleteToken revokes one of the calling user's tokens: another user's
// is not found.
func (z *Zone) deleteToken(w http.ResponseWriter, _ *http.Request, c call) {
	z.mu.Lock()
	ok := z.deleteLocked(c.user, c.param)
	z.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, apiError{Detail: "API token not found.", Message: "Not found", Code: "SC404"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"apiToken": c.param})
}
