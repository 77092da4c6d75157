package output

import (
	"strings"
	"unicode/utf8"
)

// FitLines breaks every line of s wider than width characters at its last
// blank that fits, continuing with the line's own indentation. A line
// with no such blank stays as it is.
func FitLines(s string, width int) string {
	if !hasLineLongerThan(s, width) {
		return s // nothing to break (help's texts, mostly)
	}
	lines := strings.Split(s, "\n")
	var out []string
	for _, line := range lines {
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		// A line of at most width bytes has at most width characters.
		for len(line) > width && utf8.RuneCountInString(line) > width {
			cut := lastBlankIn(line, width+1)
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

// hasLineLongerThan reports whether a line of s has more than width
// bytes: only such a line can have more than width characters.
func hasLineLongerThan(s string, width int) bool {
	for s != "" {
		line, rest, _ := strings.Cut(s, "\n")
		if len(line) > width {
			return true
		}
		s = rest
	}
	return false
}

// lastBlankIn is where the last blank among the first n characters of
// line is, -1 if none; line has more than n characters. An ASCII line's
// characters are its bytes: it is not copied into runes for the search
// (help's long texts were, at each break, at every start-up).
func lastBlankIn(line string, n int) int {
	for i := 0; i < len(line); i++ {
		if line[i] >= utf8.RuneSelf {
			return strings.LastIndexByte(string([]rune(line)[:n]), ' ')
		}
	}
	return strings.LastIndexByte(line[:n], ' ')
}
