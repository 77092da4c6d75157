package emulator

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// CreatedLayout is how `created` is written: UTC, exactly three fraction
// digits, trailing zeros kept ("2024-03-27T05:53:27.360Z").
const CreatedLayout = "2006-01-02T15:04:05.000Z"

// maxRequestLog is how many requests a zone remembers: when the log is full,
// its oldest tenth is forgotten, so a long-running emulator does not grow
// without bound.
const maxRequestLog = 100_000

// User is a Make user of a zone, whom tokens belong to, with the fields
// Make's authUser has (observed: Make's SDK and clients; see make-api.md).
type User struct {
	ID                 int64           `json:"id"`
	Name               string          `json:"name"`
	Email              string          `json:"email"`
	Language           string          `json:"language"`
	TimezoneID         int64           `json:"timezoneId"`
	LocaleID           int64           `json:"localeId"`
	CountryID          int64           `json:"countryId"`
	Features           map[string]bool `json:"features"`
	Avatar             string          `json:"avatar"`
	Timezone           string          `json:"timezone"`
	Locale             string          `json:"locale"`
	EmailNotifications bool            `json:"emailNotifications"`
	LastLogin          string          `json:"lastLogin"`
}

// Token is an API token as the emulator stores it, with the full secret.
type Token struct {
	Token   string   `json:"token"`
	Label   string   `json:"label"`
	Created string   `json:"created"`
	Scopes  []string `json:"scope"`
	// User is the id of the user the token belongs to: the calls made
	// with it act as that user (GET /users/me answers them, the token
	// list is theirs).
	User int64 `json:"user"`
}

// Request is one entry of a zone's request log.
type Request struct {
	Method string `json:"method"`
	// Path is the path as received, still escaped
	// ("/api/v2/users/me/api-tokens/2024-03-27T05%3A53%3A27.360Z").
	Path  string `json:"path"`
	Query string `json:"query,omitempty"`
	// Token is what the Authorization header carried after "Token ", in
	// full (or the whole header if it had another form): tests check which
	// credential was sent where. The control API shows one that no zone of
	// the server issued by its first group only.
	Token string `json:"token,omitempty"`
	// User is the id of the user Token belonged to when the request came
	// (0: it was no live token of the zone).
	User int64 `json:"user,omitempty"`
	// Status is the status code answered; 0 if no answer was sent (a Drop
	// fault, or the client went away first).
	Status int `json:"status"`
	// Dropped is set when the connection was closed without an answer
	// (Drop or DropAfterHandling). With DropAfterHandling, Status is the
	// answer the client never got.
	Dropped bool      `json:"dropped,omitempty"`
	Time    time.Time `json:"time"`
}

// Zone is one emulated Make zone: its users (one to begin with, more with
// AddUser), their tokens, and the knobs tests turn. All methods are safe
// for concurrent use.
type Zone struct {
	name string
	srv  *Server
	// clockOffset (a time.Duration) moves the zone's clock, see
	// SetClockOffset.
	clockOffset atomic.Int64

	mu sync.Mutex
	// users in the order they were made; users[0] is the zone's first
	// user, whom User, SetUser, AdminToken and AddToken are about.
	users       []*User
	admins      map[int64]string // each user's admin token
	url         string
	admin       string
	scopes      []string
	scopeSet    map[string]bool
	bySecret    map[string]*Token
	byCreated   map[string]*Token
	order       []*Token // sorted by Created, which sorts like time
	nextCreated map[int64]int64
	index       int // the zone's place among the server's zones
	latency     time.Duration
	rateLimit   int
	retryAfter  bool
	jsonLimit   bool          // 429 with Make's JSON rather than plain text
	authBody    string        // body of a 401, see UnauthorizedJSON
	isAdmin     bool          // the user may use the administration scopes
	rateWindow  time.Duration // 0: a minute
	window      time.Time
	windowCount int
	faults      []*faultState
	issued      []string // every secret ever made, revoked ones included
	issuedSet   map[string]bool
	// createdSuffix is appended to every `created` made from now on
	// (SetCreatedSuffix): a hostile server's timestamps.
	createdSuffix string

	reqMu    sync.Mutex
	requests []Request
}

func newZone(s *Server, name string, index int) *Zone {
	z := &Zone{
		name:        name,
		srv:         s,
		index:       index,
		admins:      make(map[int64]string),
		bySecret:    make(map[string]*Token),
		issuedSet:   make(map[string]bool),
		byCreated:   make(map[string]*Token),
		nextCreated: make(map[int64]int64),
		latency:     s.opts.Latency,
		rateLimit:   s.opts.RateLimit,
		retryAfter:  s.opts.RetryAfter,
		jsonLimit:   s.opts.RateLimitJSON,
		authBody:    s.opts.UnauthorizedBody,
		isAdmin:     s.opts.Administrator,
	}
	z.setScopesLocked(s.opts.Scopes)
	_, admin := z.AddUser("Emulator User ("+name+")", "user@"+name+".emulator.example")
	z.admin = admin.Token
	return z
}

// AddUser adds a user to the zone, with an admin token of their own
// (label "emulator admin", every scope of the zone's list), and returns
// both. The zone's first user has id 1001 + the zone's index (1001 for
// eu1), each later one 10000 more: ids are unique within a zone, and the
// same user id in two zones are two different users, as on Make.
func (z *Zone) AddUser(name, email string) (User, Token) {
	now := z.now()
	z.mu.Lock()
	defer z.mu.Unlock()
	u := &User{
		ID:                 int64(1001 + z.index + 10000*len(z.users)),
		Name:               name,
		Email:              email,
		Language:           "en",
		TimezoneID:         113,
		LocaleID:           1,
		CountryID:          1,
		Features:           map[string]bool{"allow_apps": true},
		Avatar:             "https://secure.gravatar.com/avatar/emulator",
		Timezone:           "Europe/Prague",
		Locale:             "en-US",
		EmailNotifications: true,
		LastLogin:          "2024-03-27T05:53:27.360Z",
	}
	z.users = append(z.users, u)
	t := z.addTokenLocked(u.ID, z.newSecretLocked(), "emulator admin", z.scopes, now)
	z.admins[u.ID] = t.Token
	return cloneUser(*u), cloneToken(*t)
}

func cloneUser(u User) User {
	u.Features = maps.Clone(u.Features)
	return u
}

func cloneToken(t Token) Token {
	t.Scopes = slices.Clone(t.Scopes)
	return t
}

// Users returns the zone's users, the first one first.
func (z *Zone) Users() []User {
	z.mu.Lock()
	defer z.mu.Unlock()
	out := make([]User, len(z.users))
	for i, u := range z.users {
		out[i] = cloneUser(*u)
	}
	return out
}

// UserByEmail returns the zone's user with that email, or false.
func (z *Zone) UserByEmail(email string) (User, bool) {
	z.mu.Lock()
	defer z.mu.Unlock()
	for _, u := range z.users {
		if u.Email == email {
			return cloneUser(*u), true
		}
	}
	return User{}, false
}

// AdminTokenOf returns the admin token AddUser made for the user (it
// stays the same even if the token is revoked), or "" for no such user.
func (z *Zone) AdminTokenOf(userID int64) string {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.admins[userID]
}

// userLocked returns the user with that id, or nil.
func (z *Zone) userLocked(id int64) *User {
	for _, u := range z.users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

// now is the zone's clock: the server's, moved by SetClockOffset.
func (z *Zone) now() time.Time { return z.srv.opts.Now().Add(time.Duration(z.clockOffset.Load())) }

// SetClockOffset moves the zone's clock by d from the server's (Options.Now):
// its `created` timestamps and the Date header of its answers run d ahead
// (behind, when negative), as a Make zone does for a client whose own clock
// is off by -d.
func (z *Zone) SetClockOffset(d time.Duration) { z.clockOffset.Store(int64(d)) }

// ClockOffset is the offset SetClockOffset set.
func (z *Zone) ClockOffset() time.Duration { return time.Duration(z.clockOffset.Load()) }

// Name returns the zone's name.
func (z *Zone) Name() string { return z.name }

// URL returns the zone's base URL ("http://127.0.0.1:PORT/api/v2"), or ""
// before the server is started.
func (z *Zone) URL() string {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.url
}

func (z *Zone) setURL(u string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.url = u
}

// Handler returns the zone's HTTP handler: the API under /api/v2 and the
// control API under /_emulator/. It can be served with httptest directly.
// Fault kinds Drop and DropAfterHandling need a ResponseWriter that can be
// hijacked (a real HTTP/1 server); elsewhere they abort the handler with
// http.ErrAbortHandler.
func (z *Zone) Handler() http.Handler { return http.HandlerFunc(z.serveHTTP) }

// AdminToken returns the token seeded when the zone was made: label
// "emulator admin", every scope of the zone's list. It stays the same even
// if the token is revoked.
func (z *Zone) AdminToken() string {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.admin
}

// User returns the zone's first user.
func (z *Zone) User() User {
	z.mu.Lock()
	defer z.mu.Unlock()
	return cloneUser(*z.users[0])
}

// SetUser changes the name and email of the zone's first user, as GET
// /users/me shows them: a test can make them hostile (control characters,
// bidi overrides) to see that a client never shows them raw.
func (z *Zone) SetUser(name, email string) {
	z.SetUserOf(0, name, email)
}

// SetUserOf changes the name and email of the user with that id (0: the
// first user), and reports whether there is such a user.
func (z *Zone) SetUserOf(id int64, name, email string) bool {
	z.mu.Lock()
	defer z.mu.Unlock()
	u := z.users[0]
	if id != 0 {
		if u = z.userLocked(id); u == nil {
			return false
		}
	}
	u.Name, u.Email = name, email
	return true
}

// SetCreatedSuffix makes every `created` timestamp the zone hands out from
// now on (seeded or created) end with suffix, such as "\r\x1b[2K": what a
// hostile or broken server could send. Such a value is not an RFC 3339
// time, so it breaks Make's contract; a client must still show it safely
// and send it back byte for byte to delete the token. "" turns it off.
func (z *Zone) SetCreatedSuffix(suffix string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.createdSuffix = suffix
}

// SetAdministrator says whether the zone's user is an administrator of the
// instance, who may use the administration scopes (see
// AdministrationScope).
func (z *Zone) SetAdministrator(admin bool) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.isAdmin = admin
}

// SetRateLimitJSON says whether 429 answers carry Make's error JSON (true)
// or plain text (false, the default).
func (z *Zone) SetRateLimitJSON(jsonBody bool) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.jsonLimit = jsonBody
}

// SetUnauthorizedBody sets the body of 401 answers: UnauthorizedJSON (or
// ""), UnauthorizedEmpty or UnauthorizedText. It panics on anything else,
// a mistake in the test.
func (z *Zone) SetUnauthorizedBody(kind string) {
	if !validAuthBody(kind) {
		panic("emulator: SetUnauthorizedBody: unknown kind " + kind)
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	z.authBody = kind
}

func validAuthBody(kind string) bool {
	switch kind {
	case "", UnauthorizedJSON, UnauthorizedEmpty, UnauthorizedText:
		return true
	}
	return false
}

// Scopes returns the zone's scope list.
func (z *Zone) Scopes() []string {
	z.mu.Lock()
	defer z.mu.Unlock()
	return slices.Clone(z.scopes)
}

// SetScopes replaces the zone's scope list: what GET
// /enums/user-api-token-scopes returns and what create accepts. Existing
// tokens keep their scopes.
func (z *Zone) SetScopes(scopes []string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.setScopesLocked(scopes)
}

func (z *Zone) setScopesLocked(scopes []string) {
	z.scopes = slices.Clone(scopes)
	z.scopeSet = make(map[string]bool, len(scopes))
	for _, s := range scopes {
		z.scopeSet[s] = true
	}
}

// AddToken stores a token of the zone's first user directly, as if
// created at time created (the clock's now if zero), and returns it with
// its full secret. Scopes are not checked against the zone's list. If
// another token of the zone already has the same millisecond, created is
// moved on by 1 ms until it is unique.
func (z *Zone) AddToken(label string, scopes []string, created time.Time) Token {
	t, _ := z.AddTokenFor(0, label, scopes, created)
	return t
}

// AddTokenFor is AddToken for the user with that id (0: the first user);
// it reports false, and adds nothing, if there is no such user.
func (z *Zone) AddTokenFor(userID int64, label string, scopes []string, created time.Time) (Token, bool) {
	if created.IsZero() {
		created = z.now()
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if userID == 0 {
		userID = z.users[0].ID
	}
	if z.userLocked(userID) == nil {
		return Token{}, false
	}
	return cloneToken(*z.addTokenLocked(userID, z.newSecretLocked(), label, scopes, created)), true
}

// AddTokenAlike is AddToken with a secret whose first group is like's
// (the rest fresh): in a list, which shows a token by its first group, it
// looks like like. It reports false, and adds nothing, if like has no
// first group of 8 characters.
func (z *Zone) AddTokenAlike(label string, scopes []string, created time.Time, like string) (Token, bool) {
	first, _, ok := strings.Cut(like, "-")
	if !ok || len(first) != 8 {
		return Token{}, false
	}
	if created.IsZero() {
		created = z.now()
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	secret := like
	for z.bySecret[secret] != nil || secret == like {
		_, rest, _ := strings.Cut(newUUID(), "-")
		secret = first + "-" + rest
	}
	return cloneToken(*z.addTokenLocked(z.users[0].ID, secret, label, scopes, created)), true
}

func (z *Zone) addTokenLocked(userID int64, secret, label string, scopes []string, created time.Time) *Token {
	t := &Token{
		Token:   secret,
		Label:   label,
		Created: z.uniqueCreatedLocked(created),
		Scopes:  slices.Clone(scopes),
		User:    userID,
	}
	if t.Scopes == nil {
		t.Scopes = []string{}
	}
	z.bySecret[t.Token] = t
	z.byCreated[t.Created] = t
	z.issued = append(z.issued, t.Token)
	z.issuedSet[t.Token] = true
	i, _ := slices.BinarySearchFunc(z.order, t.Created, func(e *Token, c string) int { return strings.Compare(e.Created, c) })
	z.order = slices.Insert(z.order, i, t)
	return t
}

// uniqueCreatedLocked formats t as a `created` value no token of the zone
// has. A clash moves it on by 1 ms. nextCreated remembers, for each
// millisecond asked for, where the search should start next time: many
// tokens created at one instant (a fixed test clock, a bulk seed) then cost
// O(1) each rather than O(n), and a fixed clock never hands out the
// `created` of a token deleted meanwhile again, which a client holding a
// stale list could otherwise revoke by mistake. It costs one map entry per
// distinct millisecond asked for.
func (z *Zone) uniqueCreatedLocked(t time.Time) string {
	want := t.UTC().UnixMilli()
	ms := want
	if next, ok := z.nextCreated[want]; ok {
		ms = next
	}
	for {
		c := time.UnixMilli(ms).UTC().Format(CreatedLayout) + z.createdSuffix
		if z.byCreated[c] == nil {
			z.nextCreated[want] = ms + 1
			return c
		}
		ms++
	}
}

// newSecretLocked returns a fresh random lowercase UUID (version 4).
func (z *Zone) newSecretLocked() string {
	for {
		s := newUUID()
		if z.bySecret[s] == nil {
			return s
		}
	}
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it crashes the program instead)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}

// mask returns the token as the list endpoint shows it: the first
// dash-separated group kept, every other character but dashes replaced by
// "*" ("3f2a9c1d-****-****-****-************").
func mask(token string) string {
	i := strings.IndexByte(token, '-')
	if i < 0 {
		return strings.Repeat("*", len(token))
	}
	b := []byte(token)
	for j := i + 1; j < len(b); j++ {
		if b[j] != '-' {
			b[j] = '*'
		}
	}
	return string(b)
}

// deleteLocked removes the token of the user created at created and
// reports whether there was one (0: any user's).
func (z *Zone) deleteLocked(userID int64, created string) bool {
	t := z.byCreated[created]
	if t == nil || (userID != 0 && t.User != userID) {
		return false
	}
	delete(z.byCreated, created)
	delete(z.bySecret, t.Token)
	if i, ok := slices.BinarySearchFunc(z.order, created, func(e *Token, c string) int { return strings.Compare(e.Created, c) }); ok {
		z.order = slices.Delete(z.order, i, i+1)
	}
	return true
}

// Tokens returns the tokens of every user of the zone, full secrets
// included, oldest first.
func (z *Zone) Tokens() []Token {
	z.mu.Lock()
	defer z.mu.Unlock()
	out := make([]Token, len(z.order))
	for i, t := range z.order {
		out[i] = *t
		out[i].Scopes = slices.Clone(t.Scopes)
	}
	return out
}

// Labelled returns the zone's tokens with that label, oldest first (as
// Tokens).
func (z *Zone) Labelled(label string) []Token {
	var out []Token
	for _, t := range z.Tokens() {
		if t.Label == label {
			out = append(out, t)
		}
	}
	return out
}

// Issued returns the secret of every token the zone has ever had, seeded,
// created or revoked, oldest first: tests look for them where no secret
// belongs (logs, error messages, other zones' requests).
func (z *Zone) Issued() []string {
	z.mu.Lock()
	defer z.mu.Unlock()
	return slices.Clone(z.issued)
}

// everIssued reports whether the zone ever had token, revoked or not.
func (z *Zone) everIssued(token string) bool {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.issuedSet[token]
}

// HasToken reports whether token is a live token of the zone.
func (z *Zone) HasToken(token string) bool {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.bySecret[token] != nil
}

// TokenOwner returns the id of the user a live token belongs to, or
// false.
func (z *Zone) TokenOwner(token string) (int64, bool) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if t := z.bySecret[token]; t != nil {
		return t.User, true
	}
	return 0, false
}

// lookup returns a live token, or nil. Its fields are never modified
// after creation: sharing them is safe.
func (z *Zone) lookup(token string) *Token {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.bySecret[token]
}

// SetLatency sets the delay added to every API request.
func (z *Zone) SetLatency(d time.Duration) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.latency = d
}

// SetRateLimit sets the number of API requests allowed per minute (0 =
// unlimited) and whether 429 answers carry Retry-After. The current window's
// count is kept.
func (z *Zone) SetRateLimit(perMinute int, retryAfter bool) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.rateLimit = max(perMinute, 0)
	z.retryAfter = retryAfter
}

// SetRateWindow sets the length of the rate limit's fixed window, over which
// SetRateLimit's count of requests is allowed (0: a minute, as Make's).
// Tests shorten it so that waiting out the limit takes seconds; windows are
// aligned to multiples of the length, as minutes are to the clock's.
func (z *Zone) SetRateWindow(d time.Duration) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.rateWindow = max(d, 0)
}

// settings is the control API's view of a zone's knobs.
type settings struct {
	Latency          string   `json:"latency"`
	RateLimit        int      `json:"rateLimit"`
	RetryAfter       bool     `json:"retryAfter"`
	RateLimitJSON    bool     `json:"rateLimitJSON"`
	UnauthorizedBody string   `json:"unauthorizedBody"`
	Administrator    bool     `json:"administrator"`
	Scopes           []string `json:"scopes"`
	// ClockOffset moves the zone's clock (see SetClockOffset), e.g. "-2h".
	ClockOffset string `json:"clockOffset"`
}

func (z *Zone) settings() settings {
	z.mu.Lock()
	defer z.mu.Unlock()
	return settings{
		Latency:          z.latency.String(),
		RateLimit:        z.rateLimit,
		RetryAfter:       z.retryAfter,
		RateLimitJSON:    z.jsonLimit,
		UnauthorizedBody: cmp.Or(z.authBody, UnauthorizedJSON),
		Administrator:    z.isAdmin,
		Scopes:           slices.Clone(z.scopes),
		ClockOffset:      z.ClockOffset().String(),
	}
}

// rateLimited counts one API request in the current fixed window (a minute
// unless SetRateWindow changed it, aligned to the clock's minutes) and says
// whether it is over the limit, and if so, how many seconds remain until
// the window resets and whether to send them as Retry-After.
func (z *Zone) rateLimited() (limited bool, retryAfter int, send bool) {
	now := z.now()
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.rateLimit <= 0 {
		return false, 0, false
	}
	length := z.rateWindow
	if length <= 0 {
		length = time.Minute
	}
	w := now.Truncate(length)
	if !w.Equal(z.window) {
		z.window, z.windowCount = w, 0
	}
	z.windowCount++
	if z.windowCount <= z.rateLimit {
		return false, 0, false
	}
	left := w.Add(length).Sub(now)
	secs := int((left + time.Second - 1) / time.Second)
	return true, max(secs, 1), z.retryAfter
}

// Requests returns the request log, oldest first: every request to the API
// (including those answered by a fault, the rate limit or a 401), not those
// to the control API.
func (z *Zone) Requests() []Request {
	z.reqMu.Lock()
	defer z.reqMu.Unlock()
	return slices.Clone(z.requests)
}

// ResetRequests empties the request log.
func (z *Zone) ResetRequests() {
	z.reqMu.Lock()
	defer z.reqMu.Unlock()
	z.requests = nil
}

func (z *Zone) record(r Request) {
	z.reqMu.Lock()
	defer z.reqMu.Unlock()
	if len(z.requests) >= maxRequestLog {
		z.requests = slices.Delete(z.requests, 0, maxRequestLog/10)
	}
	z.requests = append(z.requests, r)
}
