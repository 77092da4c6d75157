package output

import (
	"strings"
	"unicode/utf8"
)

// FitLines breaks every line of s wider than width characters at its last
// blank that fits, continuing with the line's own indentation. A line
// with no such blank stays as it is.
func FitLines(s string, width int) string {
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
