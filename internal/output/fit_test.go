package output

import (
	"strings"
	"testing"
	"unicode/utf8"
)

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

// fitLinesByRunes is FitLines as it was written first, every line copied
// into runes: FitLines must break every line as it did.
func fitLinesByRunes(s string, width int) string {
	lines := strings.Split(s, "\n")
	var out []string
	for _, line := range lines {
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		for utf8.RuneCountInString(line) > width {
			cut := strings.LastIndexByte(string([]rune(line)[:width+1]), ' ')
			if cut <= len(indent) {
				break
			}
			out = append(out, line[:cut])
			line = indent + strings.TrimLeft(line[cut:], " ")
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func TestFitLinesAsByRunes(t *testing.T) {
	texts := []string{
		"",
		"short line",
		strings.Repeat("word ", 40),
		"  " + strings.Repeat("a bb ccc dddd ", 12) + "\n\t" + strings.Repeat("x y ", 30) + "\n",
		"Generate the autocompletion script for bash.\n\nThis script depends on the 'bash-completion' package.\nIf it is not installed already, you can install it via your OS's package manager.\n\n  source <(maketoken completion bash)\n",
		strings.Repeat("héllo wörld ", 10),
		"ascii first " + strings.Repeat("then ünïcode ", 8),
		strings.Repeat("ü", 30) + " " + strings.Repeat("a", 30) + " b",
		"  " + strings.Repeat("é ", 50),
		"bad \xff\xfe utf-8 " + strings.Repeat("here and there ", 8),
		strings.Repeat("nospace", 20) + " then",
		"   ",
		"a  b   c    d     e      f       g",
	}
	for _, s := range texts {
		for width := 1; width <= 90; width++ {
			if got, want := FitLines(s, width), fitLinesByRunes(s, width); got != want {
				t.Errorf("FitLines(%q, %d) = %q, by runes %q", s, width, got, want)
			}
		}
	}
}
