package tokens

import (
	"slices"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/testkit"
)

// The zone the selector table picks from: two "ci" tokens, a laptop, two
// lifetime tokens "d" (one expired by noon of 2024-06-01, one not), a
// "dd", a label whose suffix is no lifetime, and one whose `created`
// cannot be read.
var zoneTokens = []makeapi.Token{
	{Token: "3f2a9c1d-****-****-****-************", Label: "ci", Created: "2024-03-27T05:53:27.360Z"},
	{Token: "3f2b0000-****-****-****-************", Label: "ci", Created: "2024-03-27T05:53:27.361Z"},
	{Token: "77aa0011-****-****-****-************", Label: "laptop", Created: "2024-01-02T00:00:00.000Z"},
	{Token: "d0000001-****-****-****-************", Label: "d~exp=20240601T0000Z", Created: "2024-05-31T22:00:00.000Z"},
	{Token: "d0000002-****-****-****-************", Label: "d~exp=20240602T000000Z", Created: "2024-05-31T23:00:00.000Z"},
	{Token: "dd000003-****-****-****-************", Label: "dd", Created: "2024-05-01T00:00:00.000Z"},
	{Token: "d0000004-****-****-****-************", Label: "d~exp=soon", Created: "2024-05-02T00:00:00.000Z"},
	{Token: "0dd00005-****-****-****-************", Label: "odd", Created: "yesterday"},
}

func createdOf(ts []makeapi.Token) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.Created)
	}
	return out
}

var noon = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// TestSelector is the selector's specification: what each criterion picks
// from zoneTokens, oldest first.
func TestSelector(t *testing.T) {
	const current = "d0000002-7b4e-4c1a-9d2e-5f6a7b8c9d0e" // the second "d"
	for _, tt := range []struct {
		name string
		sel  Selector
		want []string
	}{
		{"a zero selector picks all (an unreadable created sorts as text)", Selector{}, []string{"2024-01-02T00:00:00.000Z", "2024-03-27T05:53:27.360Z", "2024-03-27T05:53:27.361Z", "2024-05-01T00:00:00.000Z", "2024-05-02T00:00:00.000Z", "2024-05-31T22:00:00.000Z", "2024-05-31T23:00:00.000Z", "yesterday"}},
		{"created, exactly", Selector{Created: []string{"2024-03-27T05:53:27.360Z"}}, []string{"2024-03-27T05:53:27.360Z"}},
		{"created is never re-formatted", Selector{Created: []string{"2024-03-27T05:53:27.36Z"}}, []string{}},
		{"several created", Selector{Created: []string{"2024-01-02T00:00:00.000Z", "2024-03-27T05:53:27.361Z"}}, []string{"2024-01-02T00:00:00.000Z", "2024-03-27T05:53:27.361Z"}},
		{"label", Selector{Label: "ci"}, []string{"2024-03-27T05:53:27.360Z", "2024-03-27T05:53:27.361Z"}},
		{"label is not a prefix", Selector{Label: "c"}, []string{}},
		{"label L matches L~exp=TIME, not L~exp=junk nor LL", Selector{Label: "d"}, []string{"2024-05-31T22:00:00.000Z", "2024-05-31T23:00:00.000Z"}},
		{"a whole lifetime label matches itself", Selector{Label: "d~exp=20240601T0000Z"}, []string{"2024-05-31T22:00:00.000Z"}},
		{"a label that only looks like a lifetime matches itself", Selector{Label: "d~exp=soon"}, []string{"2024-05-02T00:00:00.000Z"}},
		{"label prefix", Selector{LabelPrefix: "d"}, []string{"2024-05-01T00:00:00.000Z", "2024-05-02T00:00:00.000Z", "2024-05-31T22:00:00.000Z", "2024-05-31T23:00:00.000Z"}},
		{"prefix", Selector{Prefix: "3f2a9c1d"}, []string{"2024-03-27T05:53:27.360Z"}},
		{"prefix start", Selector{Prefix: "3f2"}, []string{"2024-03-27T05:53:27.360Z", "2024-03-27T05:53:27.361Z"}},
		{"prefix as listed", Selector{Prefix: "77aa0011-****-****"}, []string{"2024-01-02T00:00:00.000Z"}},
		{"prefix in upper case", Selector{Prefix: "77AA"}, []string{"2024-01-02T00:00:00.000Z"}},
		{"a prefix of masking only names nothing", Selector{Prefix: "****"}, []string{}},
		{"label and prefix", Selector{Label: "ci", Prefix: "3f2b"}, []string{"2024-03-27T05:53:27.361Z"}},
		{"label and prefix disagree", Selector{Label: "laptop", Prefix: "3f2b"}, []string{}},
		{"age: created before the cutoff; an unreadable created is never old", Selector{Before: time.Date(2024, 3, 27, 5, 53, 27, 361e6, time.UTC)}, []string{"2024-01-02T00:00:00.000Z", "2024-03-27T05:53:27.360Z"}},
		{"expired as of a time: only real lifetimes", Selector{ExpiredAt: noon}, []string{"2024-05-31T22:00:00.000Z"}},
		{"expired at the instant itself", Selector{ExpiredAt: time.Date(2024, 6, 2, 0, 0, 0, 0, time.UTC)}, []string{"2024-05-31T22:00:00.000Z", "2024-05-31T23:00:00.000Z"}},
		{"keep the newest 1 per label", Selector{Keep: 1}, []string{"2024-03-27T05:53:27.360Z", "2024-05-31T22:00:00.000Z"}},
		{"keep counts a label without its lifetime", Selector{Label: "d", Keep: 1}, []string{"2024-05-31T22:00:00.000Z"}},
		{"keep before age", Selector{Label: "ci", Keep: 1, Before: noon}, []string{"2024-03-27T05:53:27.360Z"}},
		{"keep more than there are", Selector{Label: "ci", Keep: 5}, []string{}},
		{"the credential in use, spared", Selector{Label: "d", Current: current, SpareCurrent: true}, []string{"2024-05-31T22:00:00.000Z"}},
		{"the credential in use, not spared", Selector{Label: "d", Current: current}, []string{"2024-05-31T22:00:00.000Z", "2024-05-31T23:00:00.000Z"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := createdOf(tt.sel.Select(zoneTokens).Tokens); !slices.Equal(got, tt.want) {
				t.Errorf("Select(%+v) = %q, want %q", tt.sel, got, tt.want)
			}
		})
	}
}

// TestSelectionCounts: what a selection says besides the tokens it picked.
func TestSelectionCounts(t *testing.T) {
	s := Selector{Label: "d", Created: []string{"2024-05-31T23:00:00.000Z", "2099-01-01T00:00:00.000Z"}, Current: "d0000002-aaaa", SpareCurrent: true}.Select(zoneTokens)
	if s.Matched != 1 || len(s.Tokens) != 0 || len(s.Spared) != 1 || s.Spared[0].Created != "2024-05-31T23:00:00.000Z" {
		t.Errorf("matched %d, picked %v, spared %v", s.Matched, s.Tokens, s.Spared)
	}
	if !slices.Equal(s.Missing, []string{"2099-01-01T00:00:00.000Z"}) {
		t.Errorf("missing = %q", s.Missing)
	}
	if s := (Selector{Before: noon}).Select(zoneTokens); s.Undated != 1 || s.Matched != len(zoneTokens) {
		t.Errorf("by age: undated %d, matched %d", s.Undated, s.Matched)
	}
	if s := (Selector{ExpiredAt: noon}).Select(zoneTokens); s.Undated != 0 {
		t.Errorf("an expiry needs no created: undated %d", s.Undated)
	}
	if (Selector{Keep: 3, Before: noon}).Names() || !(Selector{LabelPrefix: "x"}).Names() {
		t.Error("Names: only created, label, label prefix and prefix name tokens")
	}
}

func TestIsCurrent(t *testing.T) {
	secret := "3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e"
	testkit.Answers(t, "IsCurrent", func(listed string) bool { return IsCurrent(makeapi.Token{Token: listed}, secret) }, map[string]bool{
		"3f2a9c1d-****-****-****-************": true,
		secret:                                 true,
		"3f2b0000-****-****-****-************": false,
		"3f2a9c1d-7b4e-4c1a-9d2e-000000000000": true, // same first group: the server shows no more
		"":                                     false,
	})
	if IsCurrent(zoneTokens[0], "") {
		t.Error("a zone without a credential has a current token")
	}
}

func TestCurrentLast(t *testing.T) {
	list := slices.Clone(zoneTokens[:3])
	CurrentLast(list, "3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e")
	if got := createdOf(list); !slices.Equal(got, []string{"2024-03-27T05:53:27.361Z", "2024-01-02T00:00:00.000Z", "2024-03-27T05:53:27.360Z"}) {
		t.Errorf("CurrentLast = %q", got)
	}
}

func TestSortByCreated(t *testing.T) {
	ts := []makeapi.Token{{Created: "2024-03-27T05:53:27.4Z"}, {Created: "2024-03-27T05:53:27.360Z"}, {Created: "2023-12-31T23:59:59.999Z"}}
	SortByCreated(ts)
	want := []string{"2023-12-31T23:59:59.999Z", "2024-03-27T05:53:27.360Z", "2024-03-27T05:53:27.4Z"}
	if got := createdOf(ts); !slices.Equal(got, want) {
		t.Errorf("sorted = %q, want %q", got, want)
	}
	// By time, whatever the text (a whole second sorts before its
	// fractions); one that cannot be read, as text.
	ts = []makeapi.Token{{Created: "yesterday"}, {Created: "2024-03-27T05:53:27.1Z"}, {Created: "2024-03-27T05:53:27Z"}}
	SortByCreated(ts)
	want = []string{"2024-03-27T05:53:27Z", "2024-03-27T05:53:27.1Z", "yesterday"}
	if got := createdOf(ts); !slices.Equal(got, want) {
		t.Errorf("sorted = %q, want %q", got, want)
	}
}

func TestMaskListedAndSortedScopes(t *testing.T) {
	if got := MaskListed("3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e"); got != "3f2a9c1d-****-****-****-************" {
		t.Errorf("a full token is masked: %q", got)
	}
	if got := MaskListed("3f2a9c1d-••••"); got != "3f2a9c1d-••••" {
		t.Errorf("a masked token is kept as listed: %q", got)
	}
	if got := SortedScopes([]string{"b", "a", "b"}); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("SortedScopes = %v", got)
	}
	if got := SortedScopes(nil); got == nil || len(got) != 0 {
		t.Errorf("SortedScopes(nil) = %#v, want an empty slice", got)
	}
}

// TestKeepSparesTheNewest: --keep spares the newest tokens of a label
// whatever order Make lists them in, never the first ones listed.
func TestKeepSparesTheNewest(t *testing.T) {
	reversed := slices.Clone(zoneTokens)
	slices.Reverse(reversed)
	got := createdOf(Selector{Keep: 1}.Select(reversed).Tokens)
	if want := []string{"2024-03-27T05:53:27.360Z", "2024-05-31T22:00:00.000Z"}; !slices.Equal(got, want) {
		t.Errorf("keep 1 of a list newest first picked %q, want the older ones %q", got, want)
	}
}

// TestNames: a selector names tokens by any one of created, label, label
// prefix or prefix; ages, lifetimes and keep name none.
func TestNames(t *testing.T) {
	for _, tt := range []struct {
		sel  Selector
		want bool
	}{
		{Selector{Created: []string{"2024-03-27T05:53:27.360Z"}}, true},
		{Selector{Label: "ci"}, true},
		{Selector{LabelPrefix: "c"}, true},
		{Selector{Prefix: "3f2a"}, true},
		{Selector{}, false},
		{Selector{Before: noon, ExpiredAt: noon, Keep: 1, Current: "3f2a", SpareCurrent: true}, false},
	} {
		if got := tt.sel.Names(); got != tt.want {
			t.Errorf("%+v.Names() = %v, want %v", tt.sel, got, tt.want)
		}
	}
}

func TestLabels(t *testing.T) {
	listed := []makeapi.Token{
		{Label: "ci"}, {Label: "deploy~exp=20240601T120000Z"}, {Label: "ci"},
		{Label: "deploy"}, {Label: "bad\x1b[2Jlabel"}, {Label: ""}, {Label: "dev"},
	}
	got := Labels(listed, "")
	want := []LabelCount{{"ci", 2}, {"deploy", 2}, {"dev", 1}}
	if !slices.Equal(got, want) {
		t.Errorf("Labels(all) = %v, want %v", got, want)
	}
	if got, want := Labels(listed, "de"), want[1:]; !slices.Equal(got, want) {
		t.Errorf(`Labels("de") = %v, want %v`, got, want)
	}
	if got := Labels(listed, "x"); len(got) != 0 {
		t.Errorf(`Labels("x") = %v, want none`, got)
	}
}

// A list shows a token by its first group: the credential is found only
// when one listed token looks like it; a look-alike may or may not be it.
func TestFindCurrentAndLookAlikes(t *testing.T) {
	secret := "3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e"
	mine := makeapi.Token{Token: "3f2a9c1d-****-****-****-************", Label: "mine", Created: "2026-01-01T00:00:00.000Z"}
	alike := makeapi.Token{Token: "3f2a9c1d-****-****-****-************", Label: "alike", Created: "2026-01-02T00:00:00.000Z"}
	other := makeapi.Token{Token: "0badcafe-****-****-****-************", Label: "other", Created: "2026-01-03T00:00:00.000Z"}

	if got, n := FindCurrent([]makeapi.Token{other, mine}, secret); n != 1 || got.Label != "mine" {
		t.Errorf("one match: FindCurrent = %+v, %d; want mine, 1", got, n)
	}
	if got, n := FindCurrent([]makeapi.Token{other}, secret); n != 0 || got.Token != "" {
		t.Errorf("none: FindCurrent = %+v, %d", got, n)
	}
	if got, n := FindCurrent([]makeapi.Token{mine, other, alike}, secret); n != 2 || got.Token != "" {
		t.Errorf("two alike: FindCurrent = %+v, %d; want nothing, 2", got, n)
	}

	listed := []makeapi.Token{mine, alike, other}
	for _, tc := range []struct {
		listed, picked []makeapi.Token
		want           bool
	}{
		{listed, []makeapi.Token{alike}, true},
		{listed, []makeapi.Token{mine, other}, true},
		{listed, []makeapi.Token{other}, false},
		{[]makeapi.Token{mine, other}, []makeapi.Token{mine}, false}, // it is the credential
	} {
		if got := MayBeCurrent(tc.listed, tc.picked, secret); got != tc.want {
			t.Errorf("MayBeCurrent(%v) = %v, want %v", tc.picked, got, tc.want)
		}
	}
	if _, _, ok := CredentialLifetime([]makeapi.Token{{Token: mine.Token, Label: "ci~exp=20991231T235900Z"}, alike}, secret); ok {
		t.Error("CredentialLifetime names a lifetime of one of two look-alikes")
	}
}
