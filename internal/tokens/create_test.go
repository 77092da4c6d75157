package tokens

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/outcome"
)

// fastLooks makes the looks after a create that got no answer quick, for
// the length of a test.
func fastLooks(t *testing.T) {
	saved := lookAgain
	lookAgain = []time.Duration{100 * time.Millisecond, 300 * time.Millisecond}
	t.Cleanup(func() { lookAgain = saved })
}

func labelled(z *emulator.Zone, label string) int {
	n := 0
	for _, t := range z.Tokens() {
		if t.Label == label {
			n++
		}
	}
	return n
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
	}{
		{"answer lost after Make made it: found and revoked",
			[]emulator.Fault{{Method: "POST", Path: post, DropAfterHandling: true, Times: 1}}, 0, 0, false,
			"Make had created it anyway (its answer was lost); it was revoked again and the old token kept: nothing was changed"},
		{"Make answered 500 and lists nothing: not created",
			[]emulator.Fault{{Method: "POST", Path: post, Status: 500, Times: 1}}, 0, 0, false,
			"Make did not create it; the old token was kept, nothing was changed"},
		{"no answer and nothing appears: not known, label and time named",
			[]emulator.Fault{{Method: "POST", Path: post, Drop: true, Times: 1}}, 0, 0, true,
			`whether Make created it is not known: no token labelled "ci" had appeared by `},
		{"cut short while Make makes it: found on a later look and revoked",
			[]emulator.Fault{{Method: "POST", Path: post, Delay: 250 * time.Millisecond, Finish: true, Times: 1}}, 50 * time.Millisecond, 0, false,
			"Make had created it anyway (after the request was cut short); it was revoked again"},
		{"found, but it cannot be revoked: named",
			[]emulator.Fault{{Method: "POST", Path: post, DropAfterHandling: true, Times: 1}, {Method: "DELETE", Status: 500}}, 0, 1, true,
			"Make created it anyway (its answer was lost) and it could not be revoked again"},
		{"the look fails: the label and time are named",
			[]emulator.Fault{{Method: "POST", Path: post, DropAfterHandling: true, Times: 1}, {Method: "GET", Path: post, Status: 500}}, 0, 1, true,
			`whether Make created it could not be checked`},
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
			z.ClearFaults()
			time.Sleep(300 * time.Millisecond) // a late create lands
			if n := labelled(z, "ci"); n != 1+tt.left || !z.HasToken(old.Token) {
				t.Errorf("the zone holds %d tokens labelled ci (the old one: %v), want %d", n, z.HasToken(old.Token), 1+tt.left)
			}
		})
	}
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
	if !z.HasToken(listedBefore.Token) || !z.HasToken(hourAgo.Token) || labelled(z, "ci") != 2 {
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
	if labelled(z, "ci") != 4 {
		t.Errorf("%d tokens labelled ci, want 4", labelled(z, "ci"))
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
	if labelled(z, label) != 0 {
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
	for created, want := range map[string]bool{
		"2024-03-27T05:53:27.368Z": true,
		"2024-03-27T05:53:27.000Z": true,
		"2024-03-27T05:53:26.999Z": false,
		"not a time":               true,
	} {
		if got := createdSince(created, start); got != want {
			t.Errorf("createdSince(%q) = %v, want %v", created, got, want)
		}
	}
}
