package tokens

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/outcome"
	"github.com/maketoken/maketoken/internal/testkit"
)

// fastLooks makes the looks after a create that got no answer quick, for
// the length of a test.
func fastLooks(t *testing.T) {
	saved := lookAgain
	lookAgain = []time.Duration{100 * time.Millisecond, 300 * time.Millisecond}
	t.Cleanup(func() { lookAgain = saved })
}

// TestCreateUnknownOutcome is the specification of a create that returned
// no token: what Make is asked afterwards, what is revoked, and what is
// said. Never "Make did not create it" unless Make answered.
func TestCreateUnknownOutcome(t *testing.T) {
	fastLooks(t)
	const post = "/users/me/api-tokens"
	for _, tt := range []struct {
		name   string
		faults []emulator.Fault
		// cut, if set, ends the create's context after this long.
		cut time.Duration
		// left is how many tokens with the label the zone holds at the end.
		left    int
		unknown bool
		says    string
		// looks, if set, is how many times the zone's tokens are listed.
		looks int
	}{
		{"answer lost after Make made it: found and revoked",
			[]emulator.Fault{{Method: "POST", Path: post, DropAfterHandling: true, Times: 1}}, 0, 0, false,
			"Make had created it anyway (its answer was lost); it was revoked again and the old token kept: nothing was changed", 1},
		{"Make answered 500 and lists nothing: not created",
			[]emulator.Fault{{Method: "POST", Path: post, Status: 500, Times: 1}}, 0, 0, false,
			"Make did not create it; the old token was kept, nothing was changed", 1},
		{"no answer and nothing appears: not known, label and time named",
			[]emulator.Fault{{Method: "POST", Path: post, Drop: true, Times: 1}}, 0, 0, true,
			`whether Make created it is not known: no token labelled "ci" had appeared by `, 3},
		{"no answer, and the first look fails: looked again",
			[]emulator.Fault{{Method: "POST", Path: post, Drop: true, Times: 1}, {Method: "GET", Path: post, Status: 403, Times: 1}}, 0, 0, true,
			`whether Make created it is not known: no token labelled "ci" had appeared by `, 3},
		{"cut short while Make makes it: found on a later look and revoked",
			[]emulator.Fault{{Method: "POST", Path: post, Delay: 250 * time.Millisecond, Finish: true, Times: 1}}, 50 * time.Millisecond, 0, false,
			"Make had created it anyway (after the request was cut short); it was revoked again", 0},
		{"found, but it cannot be revoked: named",
			[]emulator.Fault{{Method: "POST", Path: post, DropAfterHandling: true, Times: 1}, {Method: "DELETE", Status: 500}}, 0, 1, true,
			"Make created it anyway (its answer was lost) and it could not be revoked again", 1},
		{"the look fails: the label and time are named",
			[]emulator.Fault{{Method: "POST", Path: post, DropAfterHandling: true, Times: 1}, {Method: "GET", Path: post, Status: 500}}, 0, 1, true,
			`whether Make created it could not be checked`, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			z, client := zone(t)
			old := z.AddToken("ci", []string{"user:read"}, time.Time{})
			listed, err := client.ListTokens(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range tt.faults {
				z.AddFault(f)
			}
			before := len(z.Requests())
			ctx := context.Background()
			if tt.cut > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.cut)
				defer cancel()
			}
			c := Create{Client: client, Revoker: Revoker{Client: client, Zone: "eu1"}, Label: "ci", Scopes: []string{"user:read"}, Before: listed, Kept: "the old token"}
			_, err = c.Do(ctx)
			var ce *CreateError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a *CreateError", err)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("err = %q\nwant it to say %q", err, tt.says)
			}
			if strings.Contains(err.Error(), "did not create") != (tt.says == "Make did not create it; the old token was kept, nothing was changed") {
				t.Errorf("err = %q: a claim that Make did not create it", err)
			}
			if outcome.IsUnknown(err) != tt.unknown {
				t.Errorf("outcome unknown = %v, want %v", outcome.IsUnknown(err), tt.unknown)
			}
			// A create cut short is still the context's error (exit 130,
			// or the --timeout message).
			if tt.cut > 0 && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v: not the context's deadline", err)
			}
			// The client's own advice (check by hand) gives way to what
			// was found.
			if strings.Contains(err.Error(), "check with `maketoken list`") {
				t.Errorf("err = %q: the client's advice stayed", err)
			}
			if looks := countLooks(z.Requests()[before:]); tt.looks > 0 && looks != tt.looks {
				t.Errorf("the tokens were listed %d times, want %d (look again only while nothing was found and Make gave no answer)", looks, tt.looks)
			}
			z.ClearFaults()
			time.Sleep(300 * time.Millisecond) // a late create lands
			if n := len(z.Labelled("ci")); n != 1+tt.left || !z.HasToken(old.Token) {
				t.Errorf("the zone holds %d tokens labelled ci (the old one: %v), want %d", n, z.HasToken(old.Token), 1+tt.left)
			}
		})
	}
}

// countLooks counts the lists of the zone's tokens among reqs.
func countLooks(reqs []emulator.Request) int {
	n := 0
	for _, r := range reqs {
		if r.Method == http.MethodGet && r.Path == "/api/v2/users/me/api-tokens" {
			n++
		}
	}
	return n
}

// TestCreateTellsTokensApart: a token the look finds is this create's only
// if it has the label, is not one listed before, and was made since the
// create began (Make's clock); several are not told apart, and none of
// them is revoked.
func TestCreateTellsTokensApart(t *testing.T) {
	fastLooks(t)
	z, client := zone(t)
	ctx := context.Background()
	// Before the create: a recent token with the label (listed), and one
	// made an hour ago on Make's clock (not listed: created without this
	// run knowing).
	listedBefore := z.AddToken("ci", nil, time.Time{})
	_, _ = client.ListTokens(ctx) // Make's clock
	hourAgo := z.AddToken("ci", nil, time.Now().Add(-time.Hour))
	z.AddFault(emulator.Fault{Method: "POST", Path: "/users/me/api-tokens", DropAfterHandling: true, Times: 1})
	c := Create{Client: client, Revoker: Revoker{Client: client, Zone: "eu1"}, Label: "ci", Scopes: []string{"user:read"}, Before: []makeapi.Token{listed(listedBefore)}}
	_, err := c.Do(ctx)
	var ce *CreateError
	if !errors.As(err, &ce) || len(ce.Revoked) != 1 || len(ce.Left) != 0 {
		t.Fatalf("err = %v", err)
	}
	if !z.HasToken(listedBefore.Token) || !z.HasToken(hourAgo.Token) || len(z.Labelled("ci")) != 2 {
		t.Errorf("a token that was not this create's was revoked")
	}
	// Another token with the label appears in the same seconds: which one
	// is this create's cannot be told; both stay, both are named.
	z.AddFault(emulator.Fault{Method: "POST", Path: "/users/me/api-tokens", DropAfterHandling: true, Times: 1})
	other := z.AddToken("ci", nil, time.Time{})
	_, err = c.Do(ctx)
	if !errors.As(err, &ce) || len(ce.Left) != 2 || len(ce.Revoked) != 0 || !outcome.IsUnknown(err) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "which one is this one cannot be told, so none was revoked") || !strings.Contains(err.Error(), other.Created) {
		t.Errorf("err = %q", err)
	}
	if len(z.Labelled("ci")) != 4 {
		t.Errorf("%d tokens labelled ci, want 4", len(z.Labelled("ci")))
	}
}

// TestCreateRefused: a create Make refused (a 4xx) is not looked for: it
// did not happen.
func TestCreateRefused(t *testing.T) {
	z, client := zone(t)
	z.AddFault(emulator.Fault{Method: "POST", Status: 403, Times: 1})
	_, err := Create{Client: client, Revoker: Revoker{Client: client, Zone: "eu1"}, Label: "ci"}.Do(context.Background())
	if makeapi.StatusCode(err) != 403 || errors.As(err, new(*CreateError)) {
		t.Fatalf("err = %v", err)
	}
	for _, r := range z.Requests() {
		if r.Method == http.MethodGet {
			t.Errorf("a refused create was looked for: %s %s", r.Method, r.Path)
		}
	}
}

// TestCreateLifetimePassed: a label made on this machine's clock whose
// lifetime has passed on Make's (Make 2h ahead) is revoked again; the
// error names the clock.
func TestCreateLifetimePassed(t *testing.T) {
	z, client := zone(t)
	z.SetClockOffset(2 * time.Hour)
	label := LifetimeLabel("job", time.Hour, time.Now())
	_, err := Create{Client: client, Revoker: Revoker{Client: client, Zone: "eu1"}, Label: label, Scopes: []string{"user:read"}}.Do(context.Background())
	if !errors.Is(err, ErrLifetimePassed) || !strings.Contains(err.Error(), "this machine's clock is 2h0m0s behind Make's") || !strings.Contains(err.Error(), "revoked again") {
		t.Fatalf("err = %v", err)
	}
	if len(z.Labelled(label)) != 0 {
		t.Error("the token whose lifetime had passed is still there")
	}
	// With Make's clock known, the same lifetime is Make's.
	now, known := ServerNow(client, time.Now)
	label = LifetimeLabel("job", time.Hour, now)
	tok, err := Create{Client: client, Revoker: Revoker{Client: client, Zone: "eu1"}, Label: label, Scopes: []string{"user:read"}}.Do(context.Background())
	if err != nil || !known || tok.Label != label {
		t.Fatalf("Do = %+v, %v (Make's clock known: %v)", tok, err, known)
	}
}

func TestCheckAnswer(t *testing.T) {
	wanted := []string{"scenarios:read", "hooks:read"}
	ok := makeapi.Token{Label: "l~exp=20261128T030000Z", Scopes: []string{"hooks:read", "scenarios:read"}}
	if err := CheckAnswer(ok, ok.Label, wanted); err != nil {
		t.Fatalf("a matching answer: %v", err)
	}
	// Make may leave the label out of its answer.
	noLabel := ok
	noLabel.Label = ""
	if err := CheckAnswer(noLabel, ok.Label, wanted); err != nil {
		t.Fatalf("an answer without a label: %v", err)
	}
	for name, tok := range map[string]makeapi.Token{
		"more scopes":  {Label: ok.Label, Scopes: []string{"hooks:read", "scenarios:read", "user:write"}},
		"fewer scopes": {Label: ok.Label, Scopes: []string{"hooks:read"}},
		"no scopes":    {Label: ok.Label},
		"other label":  {Label: "other", Scopes: ok.Scopes},
	} {
		if err := CheckAnswer(tok, ok.Label, wanted); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestCreatedSince(t *testing.T) {
	start := time.Date(2024, 3, 27, 5, 53, 27, 0, time.UTC)
	testkit.Answers(t, "createdSince", func(created string) bool { return createdSince(created, start) }, map[string]bool{
		"2024-03-27T05:53:27.368Z": true,
		"2024-03-27T05:53:27.000Z": true,
		"2024-03-27T05:53:26.999Z": false,
		"not a time":               true,
	})
}

// TestMayHaveCreated: which failed creates are looked for. Any answer
// from 500 up, no HTTP answer at all, a context that ended and an outcome
// the client calls unknown may have made the token; a refusal (4xx) did
// not.
func TestMayHaveCreated(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{&makeapi.OutcomeUnknownError{Err: errors.New("EOF")}, true},
		{context.Canceled, true},
		{fmt.Errorf("POST: %w", context.DeadlineExceeded), true},
		{&makeapi.APIError{StatusCode: 500}, true},
		{&makeapi.APIError{StatusCode: 503}, true},
		{errors.New("read tcp: connection reset by peer"), true},
		{&makeapi.APIError{StatusCode: 499}, false},
		{&makeapi.APIError{StatusCode: 403}, false},
		{&makeapi.APIError{StatusCode: 400}, false},
	} {
		if got := mayHaveCreated(tt.err); got != tt.want {
			t.Errorf("mayHaveCreated(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// TestCreateLooksOnMakesClock: with Make's clock three hours behind this
// machine's, a token whose answer was lost is still found by its created
// (Make's clock) and revoked again.
func TestCreateLooksOnMakesClock(t *testing.T) {
	fastLooks(t)
	z, client := zone(t)
	z.SetClockOffset(-3 * time.Hour)
	listed, err := client.ListTokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	z.AddFault(emulator.Fault{Method: "POST", Path: "/users/me/api-tokens", DropAfterHandling: true, Times: 1})
	_, err = Create{Client: client, Revoker: Revoker{Client: client, Zone: "eu1"}, Label: "ci", Scopes: []string{"user:read"}, Before: listed}.Do(context.Background())
	var ce *CreateError
	if !errors.As(err, &ce) || len(ce.Revoked) != 1 || outcome.IsUnknown(err) {
		t.Fatalf("err = %v, want the token found and revoked", err)
	}
	if n := len(z.Labelled("ci")); n != 0 {
		t.Errorf("%d tokens labelled ci are left", n)
	}
}

// noDate takes the Date header off every answer.
type noDate struct{ base http.RoundTripper }

func (n noDate) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := n.base.RoundTrip(r)
	if resp != nil {
		resp.Header.Del("Date")
	}
	return resp, err
}

// TestCreateLooksWithoutMakesClock: when no answer gives Make's clock, a
// token is this create's if it was created since the start less the skew
// maketoken allows: one made by a clock 3 minutes behind is found.
func TestCreateLooksWithoutMakesClock(t *testing.T) {
	fastLooks(t)
	z, _ := zone(t)
	z.SetClockOffset(-3 * time.Minute)
	client, err := makeapi.New(z.URL(), z.AdminToken(), makeapi.Options{HTTPClient: makeapi.NewHTTPClient(noDate{http.DefaultTransport}, 0)})
	if err != nil {
		t.Fatal(err)
	}
	z.AddFault(emulator.Fault{Method: "POST", Path: "/users/me/api-tokens", DropAfterHandling: true, Times: 1})
	_, err = Create{Client: client, Revoker: Revoker{Client: client, Zone: "eu1"}, Label: "ci", Scopes: []string{"user:read"}}.Do(context.Background())
	var ce *CreateError
	if _, known := client.ServerNow(); known || !errors.As(err, &ce) || len(ce.Revoked) != 1 {
		t.Fatalf("err = %v (Make's clock known: %v), want the token found and revoked", err, known)
	}
}

// TestCreateFoundLate: a token Make finishes making more than a second
// after the create began (cut short) is still this create's on a later
// look: the time since the start counts back from Make's now.
func TestCreateFoundLate(t *testing.T) {
	saved := lookAgain
	lookAgain = []time.Duration{300 * time.Millisecond, 1500 * time.Millisecond}
	t.Cleanup(func() { lookAgain = saved })
	z, client := zone(t)
	z.AddFault(emulator.Fault{Method: "POST", Path: "/users/me/api-tokens", Delay: 600 * time.Millisecond, Finish: true, Times: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := Create{Client: client, Revoker: Revoker{Client: client, Zone: "eu1"}, Label: "ci", Scopes: []string{"user:read"}}.Do(ctx)
	var ce *CreateError
	if !errors.As(err, &ce) || len(ce.Revoked) != 1 {
		t.Fatalf("err = %v, want the token found on the last look and revoked", err)
	}
}

// TestCreateAnswerWithoutLabel: Make may leave the label out of its answer;
// the token is the one asked for, with the label sent.
func TestCreateAnswerWithoutLabel(t *testing.T) {
	z, client := zone(t)
	z.AddFault(emulator.Fault{Method: "POST", Status: 200, Times: 1, Body: `{"apiToken":{"token":"3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e","scope":["user:read"],"created":"2026-01-02T03:04:05.678Z"}}`})
	tok, err := Create{Client: client, Revoker: Revoker{Client: client, Zone: "eu1"}, Label: "ci", Scopes: []string{"user:read"}}.Do(context.Background())
	if err != nil || tok.Label != "ci" || tok.Created != "2026-01-02T03:04:05.678Z" {
		t.Fatalf("Do = %+v, %v", tok, err)
	}
}

// TestLookAgainAsDocumented: docs/security.md promises the looks after a
// create that got no answer: at once, then after 1 and 4 seconds.
func TestLookAgainAsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(strings.Fields(string(doc)), " "), "when Make gave no answer at all look again after 1 and 4 seconds") {
		t.Fatal("docs/security.md no longer says when maketoken looks again: update this test with it")
	}
	if !slices.Equal(lookAgain, []time.Duration{time.Second, 3 * time.Second}) {
		t.Errorf("looks again after waits of %v, not after 1 and 4 seconds", lookAgain)
	}
}

// slowSecondLook delays the second list of the zone's tokens by delay (or
// until its request is cancelled).
type slowSecondLook struct {
	base  http.RoundTripper
	delay time.Duration
	mu    sync.Mutex
	looks int
}

func (s *slowSecondLook) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/users/me/api-tokens") {
		s.mu.Lock()
		s.looks++
		n := s.looks
		s.mu.Unlock()
		if n == 2 {
			select {
			case <-time.After(s.delay):
			case <-r.Context().Done():
				return nil, r.Context().Err()
			}
		}
	}
	return s.base.RoundTrip(r)
}

// TestCreateLooksWithinTheCleanupTime: the looks for a create that got no
// answer end with the clean-up time (10 s, docs/security.md), even in the
// middle of a wait: the outcome is then not known, never a success.
func TestCreateLooksWithinTheCleanupTime(t *testing.T) {
	t.Parallel()
	z, _ := zone(t)
	// The first look at once, the second after 1 s taking 7 s: the clean-up
	// time ends during the 3 s wait that follows.
	slow := &slowSecondLook{base: http.DefaultTransport, delay: 7 * time.Second}
	client, err := makeapi.New(z.URL(), z.AdminToken(), makeapi.Options{HTTPClient: makeapi.NewHTTPClient(slow, 0)})
	if err != nil {
		t.Fatal(err)
	}
	z.AddFault(emulator.Fault{Method: "POST", Path: "/users/me/api-tokens", Drop: true, Times: 1})
	start := time.Now()
	tok, err := Create{Client: client, Revoker: Revoker{Client: client, Zone: "eu1"}, Label: "ci", Scopes: []string{"user:read"}}.Do(context.Background())
	took := time.Since(start)
	var ce *CreateError
	if !errors.As(err, &ce) || !outcome.IsUnknown(err) || tok.Token != "" {
		t.Fatalf("Do = %+v, %v: want an unknown outcome", tok, err)
	}
	if !strings.Contains(err.Error(), `whether Make created it is not known: no token labelled "ci" had appeared by `) {
		t.Errorf("err = %q", err)
	}
	if took < CleanupTimeout-500*time.Millisecond || took > CleanupTimeout+1500*time.Millisecond {
		t.Errorf("the looks took %v, want the clean-up time, %v", took, CleanupTimeout)
	}
	if slow.looks != 2 {
		t.Errorf("%d looks, want 2", slow.looks)
	}
}

// TestCreateErrorWording: what a create whose outcome was not known says,
// for each thing the looks found.
func TestCreateErrorWording(t *testing.T) {
	since := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	base := CreateError{Err: errors.New("POST: EOF"), Zone: "eu1", Label: "ci", Since: since, LookedAt: since.Add(time.Minute)}
	for _, tt := range []struct {
		name    string
		edit    func(e *CreateError)
		says    []string
		saysNot []string
	}{
		{"not looked: a plain label as it is", func(e *CreateError) { e.LookErr = errors.New("500") },
			[]string{"could not be checked (500)", "`maketoken list -z eu1 --label ci` shows it"}, []string{"'ci'", "prune --expired", "was kept"}},
		{"not looked: a label the shell would split, quoted", func(e *CreateError) { e.Label = "my job's"; e.LookErr = errors.New("500") },
			[]string{`--label 'my job'\''s'` + "`"}, nil},
		{"a lifetime: prune --expired revokes it", func(e *CreateError) { e.Label = "ci~exp=20260102T050000Z"; e.Looked, e.Waited = true, true },
			[]string{"is not known", "`maketoken prune --expired` revokes it after 2026-01-02T05:00:00Z"}, nil},
		{"waited, with the old token kept", func(e *CreateError) { e.Looked, e.Waited, e.Kept = true, true, "the old token" },
			[]string{"is not known", "; the old token was kept"}, []string{"prune --expired"}},
		{"one left: named with why it could not be revoked", func(e *CreateError) {
			e.Looked, e.Left, e.RevokeErr = true, []makeapi.Token{{Created: "2026-01-02T03:04:06.000Z"}}, errors.New("DELETE: 500")
		}, []string{"Make created it anyway (its answer was lost) and it could not be revoked again (DELETE: 500): revoke it with `maketoken revoke -z eu1 2026-01-02T03:04:06.000Z`"}, []string{"cannot be told"}},
		{"two left: which one cannot be told", func(e *CreateError) {
			e.Looked, e.Left = true, []makeapi.Token{{Created: "2026-01-02T03:04:06.000Z"}, {Created: "2026-01-02T03:04:07.000Z"}}
		}, []string{"2 tokens labelled \"ci\" appeared", "cannot be told"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := base
			tt.edit(&e)
			got := e.Error()
			for _, s := range tt.says {
				if !strings.Contains(got, s) {
					t.Errorf("%q\nlacks %q", got, s)
				}
			}
			for _, s := range tt.saysNot {
				if strings.Contains(got, s) {
					t.Errorf("%q\nsays %q", got, s)
				}
			}
		})
	}
}

// TestListBefore: the zone's tokens are listed while the check runs; the
// check's error wins, and a list the credential may not make (no
// user:read) is no list, not a failure.
func TestListBefore(t *testing.T) {
	z, client := zone(t)
	z.AddToken("ci", []string{"user:read"}, time.Time{})
	ran := false
	before, err := ListBefore(context.Background(), client, func() error { ran = true; return nil })
	if err != nil || !ran || len(before) == 0 || !slices.ContainsFunc(before, func(t makeapi.Token) bool { return t.Label == "ci" }) {
		t.Errorf("ListBefore = %v, %v (check ran: %v)", before, err, ran)
	}
	boom := errors.New("unknown scope")
	if before, err := ListBefore(context.Background(), client, func() error { return boom }); !errors.Is(err, boom) || before != nil {
		t.Errorf("a failed check: %v, %v", before, err)
	}
	writer := clientFor(t, z, z.AddToken("writer", []string{"user:write"}, time.Time{}).Token)
	if before, err := ListBefore(context.Background(), writer, func() error { return nil }); err != nil || before != nil {
		t.Errorf("without user:read: %v, %v; want no list and no error", before, err)
	}
}
