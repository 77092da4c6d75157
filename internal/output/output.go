// Package output prints command results as a table for people, TSV for
// scripts or JSON (optionally filtered with a jq expression).
package output

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/itchyny/gojq"
)

// Formats.
const (
	Table = "table"
	TSV   = "tsv"
	JSON  = "json"
)

// FormatsHelp is `maketoken help formatting`: the three formats and
// --jq.
const FormatsHelp = `Every command that prints data prints it in one of three formats (-o):

  table  for people, the default on a terminal: aligned columns that fit the
         terminal's width. Long labels and scope lists are shortened ("…",
         "47 scopes"), tokens shown by their prefix, times relative
         ("3 days ago") or local.
  tsv    for scripts, the default when stdout is not a terminal: one record
         per line, fields separated by tabs, no header, every field in full
         (tabs, newlines and backslashes inside a field written as \t, \n,
         \\).
  json   stable field names (see docs/reference and the command's help),
         every field in full.

--jq EXPR filters the JSON with a jq expression and implies -o json; a
string result is printed without quotes:

  maketoken list --all-zones --jq '.[] | select(.current) | .zone'

Only data goes to stdout; progress, warnings, prompts and errors go to
stderr. A token in list output is always masked; the full secret is printed
only by create, rotate and token.`

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
//
// The marks of columns (Flexible, Keep, Optional, Dim) and a row's Forms
// and Short may stop short of the last column: the columns past their
// end are not marked and have no other forms.
type Rows struct {
	Headers []string
	Rows    [][]string
	// Flexible marks the columns of a table that may be cut (with …) to
	// fit the terminal, as a last resort (see WriteTable). Nil: none.
	Flexible []bool
	// Keep marks the flexible columns that name a row (a label): they are
	// cut only after the other flexible columns.
	Keep []bool
	// Optional marks the columns a narrow table leaves out entirely, rather
	// than cut what names a row (a URL the host already says).
	Optional []bool
	// Forms holds, where a cell has them, shorter texts for it, longest
	// first ("2026-08-22", "3mo ago"); Forms[i][j] goes with Rows[i][j].
	Forms [][][]string
	// Short holds, where a cell has one, its shortest form ("47 scopes"),
	// after any in Forms; Short[i][j] goes with Rows[i][j].
	Short [][]string
	// Dim marks the columns of secondary text, dim where there is colour.
	Dim []bool
}

// Printer writes results to standard output.
type Printer struct {
	Out    io.Writer
	Format string
	JQ     *gojq.Code // compiled --jq expression, or nil
	// Width is the terminal's width that tables must fit; 0: no limit.
	Width int
	// Ctx bounds the --jq evaluation (the command's context: --timeout
	// and signals); nil: no bound but memory and output size.
	Ctx context.Context
	// Terminal says Out is a terminal: JSON and --jq output then goes
	// through the terminal gate (see TerminalSafe).
	Terminal bool
	// JQMaxOutput and JQMaxMemory bound a --jq evaluation, in bytes;
	// zero: MaxJQOutput and MaxJQMemory.
	JQMaxOutput, JQMaxMemory int
	// Style colours tables (bold headers, dim secondary columns).
	Style Style
	// Unasked says no format was asked for (-o, MAKETOKEN_OUTPUT, --jq):
	// Format is the default for where stdout goes.
	Unasked bool
}

// TableUnasked reports whether p shows a table only because stdout is a
// terminal: a command whose stderr already said everything may then leave
// it out.
func (p *Printer) TableUnasked() bool { return p.Format == Table && p.Unasked }

// Bounds of a --jq evaluation: a filter that builds more than this in
// memory, or prints more, is stopped with an error rather than taking the
// machine down.
const (
	MaxJQOutput = 64 << 20
	MaxJQMemory = 512 << 20
	// jqMemoryEvery is how often the memory a filter uses is looked at.
	jqMemoryEvery = 20 * time.Millisecond
)

// ParseJQ compiles a --jq expression.
func ParseJQ(expr string) (*gojq.Code, error) {
	if expr == "" {
		return nil, nil
	}
	// gojq's messages quote pieces of the expression: a long one is cut
	// as every echo of input is (see EchoPlain).
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("--jq: %w", EchoError(err, err.Error()))
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, fmt.Errorf("--jq: %w", EchoError(err, err.Error()))
	}
	return code, nil
}

// Print writes data (for JSON) or rows (for table and TSV).
func (p *Printer) Print(data any, rows Rows) error {
	switch p.Format {
	case JSON:
		return p.printJSON(data)
	case Table:
		return WriteTable(p.Out, rows, p.Width, p.Style)
	default:
		return WriteTSV(p.Out, rows)
	}
}

func (p *Printer) printJSON(data any) error {
	out := p.Out
	if p.Terminal {
		out = TerminalSafe(out)
	}
	if p.JQ == nil {
		enc := json.NewEncoder(out)
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
	buf, err := p.runJQ(v)
	if err != nil {
		return err
	}
	_, err = out.Write(buf)
	return err
}

// jqMemoryError ends a --jq evaluation that uses too much memory.
type jqMemoryError struct{ max int }

func (e jqMemoryError) Error() string {
	return fmt.Sprintf("the filter used more than %d MiB of memory; narrow it", e.max>>20)
}

// runJQ evaluates --jq on v within p.Ctx, MaxJQMemory and MaxJQOutput,
// and returns what it printed.
func (p *Printer) runJQ(v any) ([]byte, error) {
	parent := p.Ctx
	if parent == nil {
		parent = context.Background()
	}
	maxOut, maxMem := p.JQMaxOutput, p.JQMaxMemory
	if maxOut <= 0 {
		maxOut = MaxJQOutput
	}
	if maxMem <= 0 {
		maxMem = MaxJQMemory
	}
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	go watchMemory(ctx, cancel, maxMem)
	iter := p.JQ.RunWithContext(ctx, v)
	var buf bytes.Buffer
	for {
		r, ok := iter.Next()
		if !ok {
			break
		}
		if err, ok := r.(error); ok {
			var halt *gojq.HaltError
			switch {
			case errors.As(err, &halt) && halt.Value() == nil:
				return buf.Bytes(), nil
			case errors.As(context.Cause(ctx), new(jqMemoryError)):
				return nil, &JQError{Err: context.Cause(ctx)}
			case ctx.Err() != nil:
				// The command's time ran out or it was interrupted.
				return nil, fmt.Errorf("--jq: the filter did not finish: %w", parent.Err())
			}
			return nil, &JQError{Err: err}
		}
		if s, ok := r.(string); ok {
			buf.WriteString(s)
		} else {
			b, err := gojq.Marshal(r)
			if err != nil {
				return nil, &JQError{Err: err}
			}
			buf.Write(b)
		}
		buf.WriteByte('\n')
		if buf.Len() > maxOut {
			return nil, &JQError{Err: fmt.Errorf("the filter printed more than %d MiB; narrow it", maxOut>>20)}
		}
	}
	return buf.Bytes(), nil
}

// watchMemory ends ctx with a jqMemoryError if the heap grows by more
// than max while ctx runs.
func watchMemory(ctx context.Context, cancel context.CancelCauseFunc, max int) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapAlloc
	t := time.NewTicker(jqMemoryEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > base && m.HeapAlloc-base > uint64(max) {
				cancel(jqMemoryError{max})
				return
			}
		}
	}
}

// JQError is a --jq expression that failed on the data.
type JQError struct{ Err error }

func (e *JQError) Error() string { return "--jq: " + e.Err.Error() }
func (e *JQError) Unwrap() error { return e.Err }

// WriteTSV writes one line per row, fields separated by tabs, no header.
// Tabs, newlines and backslashes inside a field are escaped (\t, \n, \\)
// so every record stays on one line, and other control characters are
// written as Go escapes (\x1b) so that none reaches a terminal raw.
//
// Rows' Headers name the columns (the ones `maketoken help formatting`
// lists): a row with another number of fields is refused, so that no
// column the help promises goes missing or moves unnoticed.
func WriteTSV(w io.Writer, rows Rows) error {
	var b strings.Builder
	for _, r := range rows.Rows {
		if len(rows.Headers) > 0 && len(r) != len(rows.Headers) {
			return fmt.Errorf("internal error: a TSV record of %d fields where the columns are %d (%s)", len(r), len(rows.Headers), strings.Join(rows.Headers, " "))
		}
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
		if r == '\\' || IsUnsafe(r) {
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
		case IsUnsafe(r):
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

// Bool is the one rendering of a yes/no cell: "yes" or blank in a table,
// for people; "true" or "false" in TSV, for scripts.
func Bool(b bool, format string) string {
	switch {
	case format != Table:
		return strconv.FormatBool(b)
	case b:
		return "yes"
	}
	return ""
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
		return Plural(int(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return Plural(int(d/time.Hour), "hour") + " ago"
	case d < 30*24*time.Hour:
		return Plural(int(d/(24*time.Hour)), "day") + " ago"
	default:
		return t.Local().Format("2006-01-02 15:04")
	}
}

// TimeForms are the forms a table may show a timestamp in, longest first:
// as Time shows it; the local date (or, for a recent past, "16d ago");
// how long ago, or how far ahead, in a few letters ("3mo ago", "in 5h").
func TimeForms(ts string, now time.Time) []string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return []string{ts}
	}
	d := now.Sub(t)
	forms := []string{Time(ts, now)}
	if d >= 0 && d < 30*24*time.Hour {
		forms = append(forms, Ago(t, now))
	} else {
		forms = append(forms, t.Local().Format("2006-01-02"), Ago(t, now))
	}
	return forms
}

// Ago is how long ago t was, or how far ahead it is, in a few letters:
// "now", "5m ago", "3h ago", "16d ago", "3mo ago", "2y ago", "in 5h".
func Ago(t, now time.Time) string {
	d := now.Sub(t)
	ahead := d < 0
	if ahead {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		s = fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		s = fmt.Sprintf("%dh", int(d/time.Hour))
	case d < 30*24*time.Hour:
		s = fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	case d < 365*24*time.Hour:
		s = fmt.Sprintf("%dmo", int(d/(30*24*time.Hour)))
	default:
		s = fmt.Sprintf("%dy", int(d/(365*24*time.Hour)))
	}
	if ahead {
		return "in " + s
	}
	return s + " ago"
}

// Plural counts n of unit in words: "1 token", "3 tokens".
func Plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// ScopeCount is a scope list in a few words ("47 scopes"), the short form
// of a list too long for its table column. TSV and JSON always carry the
// full list.
func ScopeCount(scopes []string) string {
	switch len(scopes) {
	case 0:
		return "no scopes"
	case 1:
		return "1 scope"
	}
	return fmt.Sprintf("%d scopes", len(scopes))
}
