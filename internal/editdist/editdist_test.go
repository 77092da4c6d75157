package editdist

import (
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "abc", 3},
		{"read", "read", 0},
		{"read", "raed", 1},
		{"scenario:read", "scenarios:read", 1},
		{"kitten", "sitting", 3},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	shells := []string{"bash", "fish", "powershell", "zsh"}
	tests := []struct {
		name  string
		names []string
		want  []string
	}{
		{"bsh", shells, []string{"bash", "zsh"}},  // as near each: by name
		{"zsh", shells, []string{"zsh"}},          // exact wins alone
		{"power", shells, []string{"powershell"}}, // a prefix, however far
		{"po", shells, nil},                       // too short for a prefix, too far
		{"BASH", shells, []string{"bash"}},        // compared lower-cased
		{"lst", []string{"list", "login", "logout", "status"}, []string{"list"}},
		{"xyzzy", shells, nil},
		{"stat", []string{"status", "stats", "state"}, []string{"state", "stats"}}, // at most two, nearest first
		{"pow", []string{"powershell", "pow"}, []string{"pow", "powershell"}},      // a further one that name starts stays
	}
	for _, tt := range tests {
		got := Closest(tt.name, tt.names)
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("Closest(%q, %q) = %q, want %q", tt.name, tt.names, got, tt.want)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	if got, want := DidYouMean([]string{"list"}), `did you mean "list"?`; got != want {
		t.Errorf("DidYouMean(list) = %q, want %q", got, want)
	}
	if got, want := DidYouMean([]string{"--label", "--label-prefix"}), `did you mean "--label" or "--label-prefix"?`; got != want {
		t.Errorf("DidYouMean(two) = %q, want %q", got, want)
	}
}
