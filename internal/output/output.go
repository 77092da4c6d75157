// Package output prints command results as a table for people, TSV for
// scripts or JSON (optionally filtered with a jq expression).
package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/itchyny/gojq"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Formats.
const (
	Table = "table"
	TSV   = "tsv"
	JSON  = "json"
)

// Format picks the output format: the one asked for, JSON when a jq
// expression is given, else a table on a terminal and TSV elsewhere.
func Format(asked, jq string, stdoutTTY bool) string {
	switch {
	case jq != "":
		return JSON
	case asked != "":
		return asked
	case stdoutTTY:
		return Table
	default:
		return TSV
	}
}

// Rows is the tabular form of a result: headers and one row per record.
type Rows struct {
	Headers []string
	Rows    [][]string
}

// Printer writes results to standard output.
type Printer struct {
	Out    io.Writer
	Format string
	JQ     *gojq.Code // compiled --jq expression, or nil
}

// ParseJQ compiles a --jq expression.
func ParseJQ(expr string) (*gojq.Code, error) {
	if expr == "" {
		return nil, nil
	}
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("--jq: %w", err)
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, fmt.Errorf("--jq: %w", err)
	}
	return code, nil
}

// Print writes data (for JSON) or rows (for table and TSV).
func (p *Printer) Print(data any, rows Rows) error {
	switch p.Format {
	case JSON:
		return p.printJSON(data)
	case Table:
		return WriteTable(p.Out, rows)
	default:
		return WriteTSV(p.Out, rows)
	}
}

func (p *Printer) printJSON(data any) error {
	if p.JQ == nil {
		enc := json.NewEncoder(p.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(data)
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	iter := p.JQ.Run(v)
	var buf bytes.Buffer
	for {
		r, ok := iter.Next()
		if !ok {
			break
		}
		if err, ok := r.(error); ok {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				break
			}
			return &JQError{Err: err}
		}
		if s, ok := r.(string); ok {
			buf.WriteString(s)
			buf.WriteByte('\n')
			continue
		}
		b, err := gojq.Marshal(r)
		if err != nil {
			return &JQError{Err: err}
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	_, err = p.Out.Write(buf.Bytes())
	return err
}

// JQError is a --jq expression that failed on the data.
type JQError struct{ Err error }

func (e *JQError) Error() string { return "--jq: " + e.Err.Error() }
func (e *JQError) Unwrap() error { return e.Err }

// WriteTSV writes one line per row, fields separated by tabs, no header.
// Tabs, newlines and backslashes inside a field are escaped (\t, \n, \\)
// so every record stays on one line, and other control characters are
// written as Go escapes (\x1b) so that none reaches a terminal raw.
func WriteTSV(w io.Writer, rows Rows) error {
	var b strings.Builder
	for _, r := range rows.Rows {
		for i, f := range r {
			if i > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(escapeTSV(f))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func escapeTSV(s string) string {
	clean := true
	for _, r := range s {
		if r == '\\' || isUnsafe(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case isUnsafe(r):
			// Any other control character (ESC starts terminal escape
			// sequences) is written as a Go escape, never raw.
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// WriteTable writes rows as aligned columns without borders, for people.
// Every cell is made safe for a terminal first (see Printable).
func WriteTable(w io.Writer, rows Rows) error {
	var buf bytes.Buffer
	t := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off, ShowHeader: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.Off, ShowTop: tw.Off, ShowBottom: tw.Off},
			},
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithTrimSpace(tw.Off),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: "  ", Overwrite: true}),
	)
	headers := make([]any, len(rows.Headers))
	for i, h := range rows.Headers {
		headers[i] = Printable(h)
	}
	t.Header(headers...)
	for _, r := range rows.Rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = Printable(c)
		}
		if err := t.Append(cells); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	// The renderer pads the last column too; people's terminals and golden
	// files are better off without trailing blanks.
	var out strings.Builder
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line == "" {
			continue
		}
		out.WriteString(strings.TrimRight(line, " \n"))
		out.WriteByte('\n')
	}
	_, err := io.WriteString(w, out.String())
	return err
}

// Printable makes a table cell safe to show on a terminal (see Sanitize)
// and shortens very long values.
func Printable(s string) string {
	s = Sanitize(s)
	const maxCell = 120
	if n := len([]rune(s)); n > maxCell {
		s = string([]rune(s)[:maxCell-1]) + "…"
	}
	return s
}

// Sanitize shows control characters (escape sequences, newlines, bidi
// overrides) as Go escapes, so that text from a server or a user cannot
// drive the terminal it is printed on.
func Sanitize(s string) string {
	safe := true
	for _, r := range s {
		if isUnsafe(r) {
			safe = false
			break
		}
	}
	if !safe {
		q := fmt.Sprintf("%+q", s)
		s = q[1 : len(q)-1]
	}
	return s
}

func isUnsafe(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar
}

// Time shows a timestamp to people: relative when recent ("3 days ago"),
// else the local date and time. A value that does not parse is shown as
// it is.
func Time(ts string, now time.Time) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ts
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return t.Local().Format("2006-01-02 15:04")
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	case d < 30*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	default:
		return t.Local().Format("2006-01-02 15:04")
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// Scopes shows a scope list in a table: in full when short, else the first
// few and how many more ("scenarios:read,scenarios:run,… +44 more"), so
// that one admin token does not push every other column off the screen.
// TSV and JSON always carry the full list.
func Scopes(scopes []string) string {
	const shown = 3
	if len(scopes) <= shown+1 {
		return strings.Join(scopes, ",")
	}
	return fmt.Sprintf("%s,… +%d more", strings.Join(scopes[:shown], ","), len(scopes)-shown)
}
