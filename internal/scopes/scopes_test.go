package scopes

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

var zoneScopes = []string{
	"connections:read", "connections:write",
	"scenarios:read", "scenarios:run", "scenarios:write",
	"teams:read", "teams:write", "user:read", "user:write",
}

func TestExpand(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		want     []string
	}{
		{"exact", []string{"user:read"}, []string{"user:read"}},
		{"several flags", []string{"user:write", "scenarios:read"}, []string{"scenarios:read", "user:write"}},
		{"comma separated", []string{"user:write,scenarios:read"}, []string{"scenarios:read", "user:write"}},
		{"resource glob", []string{"scenarios:*"}, []string{"scenarios:read", "scenarios:run", "scenarios:write"}},
		{"action glob", []string{"*:read"}, []string{"connections:read", "scenarios:read", "teams:read", "user:read"}},
		{"question mark", []string{"user:?ead"}, []string{"user:read"}},
		{"bracket", []string{"[tu]*:write"}, []string{"teams:write", "user:write"}},
		{"everything", []string{"*"}, slices.Sorted(slices.Values(zoneScopes))},
		{"duplicates removed", []string{"scenarios:*", "scenarios:read", "*:read,scenarios:read"},
			[]string{"connections:read", "scenarios:read", "scenarios:run", "scenarios:write", "teams:read", "user:read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Expand(tt.patterns, zoneScopes)
			if err != nil {
				t.Fatalf("Expand(%q): %v", tt.patterns, err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Expand(%q) = %q, want %q", tt.patterns, got, tt.want)
			}
		})
	}
}

// expandError is the error, of type E, that Expand must return for
// patterns, with no scopes; the test ends if it returns another.
func expandError[E error](t *testing.T, patterns []string) (E, error) {
	t.Helper()
	got, err := Expand(patterns, zoneScopes)
	var e E
	if !errors.As(err, &e) {
		t.Fatalf("Expand(%q) = %q, %v; want an %T", patterns, got, err, e)
	}
	if got != nil {
		t.Errorf("Expand returned scopes with an error: %q", got)
	}
	return e, err
}

func TestExpandUnknown(t *testing.T) {
	tests := []struct {
		name      string
		patterns  []string
		pattern   string
		firstHint string // the best suggestion; "" for none
		message   string
	}{
		{"missing letter", []string{"scenario:read"}, "scenario:read", "scenarios:read", `unknown scope "scenario:read"; did you mean`},
		{"swapped letters", []string{"user:raed"}, "user:raed", "user:read", "did you mean"},
		{"case", []string{"User:Read"}, "User:Read", "user:read", ""},
		{"unknown action, same resource", []string{"scenarios:exec"}, "scenarios:exec", "scenarios:read", ""},
		{"glob matching nothing", []string{"scenario:*"}, "scenario:*", "scenarios:*", `scope pattern "scenario:*" matches no scope; did you mean`},
		{"action glob matching nothing", []string{"*:reed"}, "*:reed", "*:read", ""},
		{"nothing close", []string{"zzzzzzzzzzzzzz"}, "zzzzzzzzzzzzzz", "", `unknown scope "zzzzzzzzzzzzzz"`},
		{"second of a list", []string{"user:read", "teams:wrte"}, "teams:wrte", "teams:write", ""},
		{"inside a comma list", []string{"user:read,scenarios:rn"}, "scenarios:rn", "scenarios:run", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ue, err := expandError[*UnknownError](t, tt.patterns)
			if ue.Pattern != tt.pattern {
				t.Errorf("Pattern = %q, want %q", ue.Pattern, tt.pattern)
			}
			if tt.firstHint == "" && len(ue.Suggestions) != 0 {
				t.Errorf("Suggestions = %q, want none", ue.Suggestions)
			}
			if tt.firstHint != "" && (len(ue.Suggestions) == 0 || ue.Suggestions[0] != tt.firstHint) {
				t.Errorf("Suggestions = %q, want %q first", ue.Suggestions, tt.firstHint)
			}
			if len(ue.Suggestions) > maxSuggestions {
				t.Errorf("%d suggestions, want at most %d", len(ue.Suggestions), maxSuggestions)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("message %q does not contain %q", err.Error(), tt.message)
			}
			if tt.firstHint != "" && !strings.Contains(err.Error(), tt.firstHint) {
				t.Errorf("message %q does not name %q", err.Error(), tt.firstHint)
			}
		})
	}
}

func TestExpandInvalid(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		message  string
	}{
		{"none", nil, "no scope given"},
		{"empty flag", []string{""}, "cannot be blank"},
		{"blank flag", []string{" "}, "cannot be blank"},
		{"empty list entry", []string{"user:read,"}, "cannot be blank"},
		{"space inside", []string{"user: read"}, "cannot contain spaces"},
		{"space after comma", []string{"user:read, user:write"}, "cannot contain spaces"},
		{"tab", []string{"user:read\t"}, "cannot contain spaces"},
		{"control character", []string{"user:read\x1b"}, "control characters"},
		{"bad glob", []string{"scenarios:[read"}, "malformed pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ie, err := expandError[*InvalidError](t, tt.patterns)
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("message %q does not contain %q", err.Error(), tt.message)
			}
			if verr := Validate(tt.patterns); !errors.As(verr, &ie) || verr.Error() != err.Error() {
				t.Errorf("Validate(%q) = %v; want %v", tt.patterns, verr, err)
			}
		})
	}
}

func TestValidateAcceptsUnknownNames(t *testing.T) {
	if err := Validate([]string{"no-such:scope,scenarios:*", "*:read"}); err != nil {
		t.Errorf("Validate: %v; it checks form only", err)
	}
}

func TestExpandNoAvailableScopes(t *testing.T) {
	_, err := Expand([]string{"user:read"}, nil)
	var ue *UnknownError
	if !errors.As(err, &ue) || len(ue.Suggestions) != 0 {
		t.Fatalf("Expand with no scopes = %v; want an *UnknownError without suggestions", err)
	}
}

func TestGlobsLeaveAdministrationScopesOut(t *testing.T) {
	avail := []string{"admin:read", "admin:write", "apps:read", "apps:write", "mcp:use",
		"scenarios:read", "sdk-apps:read", "system:read", "user:read", "user:write"}
	for _, tc := range []struct {
		patterns      []string
		want, leftOut string
	}{
		{[]string{"*:read"}, "scenarios:read,sdk-apps:read,user:read", "admin:read,apps:read,system:read"},
		{[]string{"*"}, "mcp:use,scenarios:read,sdk-apps:read,user:read,user:write", "admin:read,admin:write,apps:read,apps:write,system:read"},
		{[]string{"*:*"}, "mcp:use,scenarios:read,sdk-apps:read,user:read,user:write", "admin:read,admin:write,apps:read,apps:write,system:read"},
		{[]string{"admin:read"}, "admin:read", ""},
		{[]string{"admin:*"}, "admin:read,admin:write", ""},
		{[]string{"*:read", "apps:read"}, "apps:read,scenarios:read,sdk-apps:read,user:read", "admin:read,system:read"},
		{[]string{"user:*"}, "user:read,user:write", ""},
	} {
		got, left, err := ExpandDetailed(tc.patterns, avail)
		if err != nil {
			t.Errorf("%v: %v", tc.patterns, err)
			continue
		}
		if strings.Join(got, ",") != tc.want || strings.Join(left, ",") != tc.leftOut {
			t.Errorf("%v: got %v, left out %v; want %s, left out %s", tc.patterns, got, left, tc.want, tc.leftOut)
		}
	}
	if _, err := Expand([]string{"*:read"}, []string{"admin:read"}); err == nil {
		t.Error("a glob that matches only administration scopes picked something")
	}
}

func TestMissing(t *testing.T) {
	if got := Missing([]string{"user:write", "scenarios:read"}, UserRead, UserWrite); len(got) != 1 || got[0] != UserRead {
		t.Errorf("Missing = %v", got)
	}
	for _, n := range CommandNeeds() {
		if n.Command == "list" && !slices.Equal(n.Scopes, []string{UserRead}) {
			t.Errorf("list needs %v", n.Scopes)
		}
	}
}

func TestComplete(t *testing.T) {
	tests := []struct {
		typed string
		want  []string
	}{
		{"", zoneScopes},
		{"scenarios:r", []string{"scenarios:read", "scenarios:run"}},
		{"scenarios:read,scenarios:", []string{"scenarios:read,scenarios:run", "scenarios:read,scenarios:write"}},
		{"connections:read,scenarios:read,s", []string{"connections:read,scenarios:read,scenarios:run", "connections:read,scenarios:read,scenarios:write"}},
		{"nothing", nil},
	}
	for _, tt := range tests {
		got := Complete(zoneScopes, tt.typed)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Complete(%q) = %q, want %q", tt.typed, got, tt.want)
		}
	}
}
