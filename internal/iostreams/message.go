package iostreams

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// The one way to write to a person. Everything maketoken says on stderr
// that is not a progress line goes through these methods, in one of four
// shapes:
//
//	maketoken: zone eu1: ...            an error (PrintError)
//	maketoken: warning: ...             something that may be wrong (Warn)
//	maketoken: note: ...                something worth knowing (Note)
//	✓ Revoked 1 of 1 token ...          a result (Result; ✗ when it failed)
//
// and plain sentences (Say): a plan, what was done, the next step. At a
// terminal a line too long for it is wrapped at spaces to its width, the
// rows after the first indented two more than the line (a hanging
// indent); a word wider than the terminal (a URL, a path) is never split,
// nor a `command` in backquotes that fits on a row. Without a terminal
// every line stays as it is, as scripts expect. Nothing in the source is
// wrapped by hand.

// Say writes a message for a person to stderr: format's own text as it
// is (its newlines make lines), each argument made safe first (see
// clean: no secret, no control character: a server's text cannot start
// a line of its own).
func (s *IOStreams) Say(format string, a ...any) {
	s.write("", "", s.sprintf(format, a...))
}

// Warn writes a warning: "maketoken: warning: msg". msg is one line.
func (s *IOStreams) Warn(msg string) {
	s.write("maketoken: warning: ", "maketoken: "+s.ErrStyle().Yellow("warning:")+" ", s.clean(msg))
}

// Warnf is Warn with a format, its arguments made safe as Say's are.
func (s *IOStreams) Warnf(format string, a ...any) { s.Warn(s.sprintf(format, a...)) }

// Note writes a note: "maketoken: note: ...", one line.
func (s *IOStreams) Note(format string, a ...any) {
	s.write("maketoken: note: ", "", s.clean(s.sprintf(format, a...)))
}

// Result writes a result line, marked ✓ when ok and ✗ when not (on a
// terminal only).
func (s *IOStreams) Result(ok bool, format string, a ...any) {
	st := s.ErrStyle()
	mark, colored := "", ""
	if st.Marks {
		mark, colored = "✓ ", st.Green("✓")+" "
		if !ok {
			mark, colored = "✗ ", st.Red("✗")+" "
		}
	}
	s.write(mark, colored, s.sprintf(format, a...))
}

// silent is an error whose command has reported everything itself: it
// only carries an exit code.
type silent interface{ Silent() bool }

// PrintError writes err to stderr as maketoken's one-line error message,
// "maketoken: ...", with every secret the run knows of removed. A nil
// error, or one that says it is silent, writes nothing.
func (s *IOStreams) PrintError(err error) {
	if err == nil {
		return
	}
	var quiet silent
	if errors.As(err, &quiet) && quiet.Silent() {
		return
	}
	msg := err.Error()
	if errors.Is(err, context.DeadlineExceeded) && !strings.Contains(msg, "timeout") {
		msg += " (the command ran out of time; raise --timeout)"
	}
	s.write("maketoken: ", "", s.clean(msg))
}

// Prompt writes a question that waits for an answer on the same row: it
// ends without a newline.
func (s *IOStreams) Prompt(format string, a ...any) {
	text := wrap(s.sprintf(format, a...), s.ErrWidth())
	// The answer goes after the question's last word.
	_, _ = io.WriteString(s.ErrOut, text+" ")
}

// sprintf formats a message with every argument that is text (a string,
// an error, a Stringer) made safe: redacted and with control characters
// escaped, newlines included, so that only format's own newlines break
// lines.
func (s *IOStreams) sprintf(format string, a ...any) string {
	if len(a) == 0 {
		return format
	}
	args := make([]any, len(a))
	for i, v := range a {
		switch v := v.(type) {
		case string:
			args[i] = s.clean(v)
		case error:
			args[i] = s.clean(v.Error())
		case fmt.Stringer:
			args[i] = s.clean(v.String())
		default:
			args[i] = v
		}
	}
	return fmt.Sprintf(format, args...)
}

// write writes prefix and text, and a newline, in one piece (a status
// line is cleared once, and drawn again after it). At a terminal the
// text is wrapped to its width after the prefix, which is then shown as
// colored (when not "").
func (s *IOStreams) write(prefix, colored, text string) {
	out := wrap(prefix+text, s.ErrWidth())
	if colored != "" && colored != prefix {
		out = colored + strings.TrimPrefix(out, prefix)
	}
	_, _ = io.WriteString(s.ErrOut, out+"\n")
}

// hangingIndent is how much further than its line a wrapped row starts.
const hangingIndent = 2

// wrap fits each line of text into width columns (0: no limit) by
// breaking it at spaces; the rows after a line's first start
// hangingIndent further in than the line. A word wider than a row, and a
// backquoted `command` that fits on a row, stay whole.
func wrap(text string, width int) string {
	if width <= 0 {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = wrapLine(l, width)
	}
	return strings.Join(lines, "\n")
}

func wrapLine(line string, width int) string {
	if twwidth.Width(line) <= width {
		return line
	}
	body := strings.TrimLeft(line, " ")
	lead := len(line) - len(body)
	indent := strings.Repeat(" ", min(lead+hangingIndent, width/2))
	var b strings.Builder
	row := strings.Repeat(" ", lead)
	rowWidth, rowStart := lead, true
	for _, w := range words(body, width-len(indent)) {
		ww, gap := twwidth.Width(w.text), 1
		if w.glued {
			gap = 0
		}
		if !rowStart && rowWidth+gap+ww > width {
			b.WriteString(row)
			b.WriteByte('\n')
			row, rowWidth, rowStart = indent, len(indent), true
		}
		if !rowStart && gap > 0 {
			row += " "
			rowWidth++
		}
		row += w.text
		rowWidth += ww
		rowStart = false
	}
	b.WriteString(row)
	return b.String()
}

// word is a word of a line; glued: it goes on the row of the word before
// without a space, if it fits (a piece of a comma list).
type word struct {
	text  string
	glued bool
}

// words splits text at spaces (runs of spaces count as one), keeping a
// backquoted span that fits in room columns as one word, and breaking a
// word wider than room after its commas (a list of scopes; never a URL).
func words(text string, room int) []word {
	var out []word
	for _, w := range spans(text, room) {
		if twwidth.Width(w) <= room || strings.Contains(w, "://") || !strings.Contains(w, ",") {
			out = append(out, word{text: w})
			continue
		}
		for i, piece := range strings.SplitAfter(w, ",") {
			if piece != "" {
				out = append(out, word{text: piece, glued: i > 0})
			}
		}
	}
	return out
}

// spans splits text at spaces, keeping a backquoted span that fits in
// room columns as one.
func spans(text string, room int) []string {
	fields := strings.Fields(text)
	var out []string
	for i := 0; i < len(fields); i++ {
		w := fields[i]
		if strings.HasPrefix(w, "`") && strings.Count(w, "`") == 1 {
			// An opening backquote: glue the span up to its closing one,
			// if it fits on a row.
			j := i + 1
			for j < len(fields) && !strings.Contains(fields[j], "`") {
				j++
			}
			if j < len(fields) {
				span := strings.Join(fields[i:j+1], " ")
				if twwidth.Width(span) <= room {
					out = append(out, span)
					i = j
					continue
				}
			}
		}
		out = append(out, w)
	}
	return out
}
