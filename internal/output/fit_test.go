package output

import "testing"

func TestFitLines(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"short line", 20, "short line"},
		{"one two three four", 9, "one two\nthree\nfour"},
		{"    indented words here", 14, "    indented\n    words here"},
		{"keep\n  a b c d e f", 7, "keep\n  a b c\n  d e f"},
		{"unbreakableword here", 5, "unbreakableword here"}, // no blank in reach
		{"  nospaceatall", 5, "  nospaceatall"},
		{"héllo wörld", 6, "héllo\nwörld"},
	}
	for _, tt := range tests {
		if got := FitLines(tt.in, tt.width); got != tt.want {
			t.Errorf("FitLines(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}
