package output

import (
	"io"
	"strings"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// columnGap is the blank space between two columns of a table.
const columnGap = 2

// WriteTable writes rows as aligned columns without borders, for people,
// fitted into width columns (0: no limit) the way the GitHub CLI's table
// printer does: columns that are not flexible keep their width, flexible
// ones share what is left, a cell too wide for its column shows its short
// form if it has one and fits, else is cut with "…". Every cell is made
// safe for a terminal first (see Printable). No line has trailing blanks.
//
// With style's colour, headers are bold, the Dim columns dim, and a cell
// that starts with a mark (✓, ✗, !) green, red or yellow.
func WriteTable(w io.Writer, rows Rows, width int, style Style) error {
	t := newTable(rows)
	widths := t.layout(width)
	var b strings.Builder
	t.writeRow(&b, t.headers, nil, widths, func(_ int, c string) string { return style.Bold(c) })
	for i, r := range t.cells {
		t.writeRow(&b, r, t.short[i], widths, func(j int, c string) string {
			switch {
			case strings.HasPrefix(c, "✓ "):
				return style.Green(c)
			case strings.HasPrefix(c, "✗ "):
				return style.Red(c)
			case strings.HasPrefix(c, "! "):
				return style.Yellow(c)
			case j < len(rows.Dim) && rows.Dim[j]:
				return style.Dim(c)
			}
			return c
		})
	}
	_, err := io.WriteString(w, b.String())
	return err
}

type table struct {
	headers  []string
	cells    [][]string
	short    [][]string
	flexible []bool
	natural  []int // the widest header or cell of each column
}

func newTable(rows Rows) *table {
	n := len(rows.Headers)
	t := &table{flexible: make([]bool, n), natural: make([]int, n)}
	copy(t.flexible, rows.Flexible)
	t.headers = make([]string, n)
	for j, h := range rows.Headers {
		t.headers[j] = Printable(h)
		t.natural[j] = twwidth.Width(t.headers[j])
	}
	for i, r := range rows.Rows {
		cells, short := make([]string, n), make([]string, n)
		for j := 0; j < n && j < len(r); j++ {
			cells[j] = Printable(r[j])
			if i < len(rows.Short) && j < len(rows.Short[i]) {
				short[j] = Sanitize(rows.Short[i][j])
			}
			t.natural[j] = max(t.natural[j], twwidth.Width(cells[j]))
		}
		t.cells = append(t.cells, cells)
		t.short = append(t.short, short)
	}
	return t
}

// layout chooses each column's width. When the natural widths do not
// fit, the flexible columns share the room the others leave: a column
// narrower than its fair share keeps its width, and one whose cells all
// fit in less than they were given (short forms) gives the rest back.
func (t *table) layout(width int) []int {
	n := len(t.natural)
	widths := append([]int(nil), t.natural...)
	total := columnGap * max(n-1, 0)
	for _, w := range widths {
		total += w
	}
	if width <= 0 || total <= width {
		return widths
	}
	room := width - columnGap*max(n-1, 0)
	var open []int // flexible columns not yet given their width
	for j := range n {
		if t.flexible[j] {
			open = append(open, j)
		} else {
			room -= widths[j]
		}
	}
	// settle gives the open columns for which width returns a width
	// within share that width (only the first such column if one is
	// set), and reports whether any was settled.
	settle := func(share int, one bool, width func(j, share int) (int, bool)) bool {
		settled := false
		for k := 0; k < len(open); k++ {
			j := open[k]
			if w, ok := width(j, share); ok {
				widths[j] = w
				room -= w
				open = append(open[:k], open[k+1:]...)
				k--
				settled = true
				if one {
					break
				}
			}
		}
		return settled
	}
	whole := func(j, share int) (int, bool) { return t.natural[j], t.natural[j] <= share }
	shortened := func(j, share int) (int, bool) {
		used := t.used(j, share)
		return min(used, t.natural[j]), used < share
	}
	for len(open) > 0 {
		// Columns that fit whole come first, and columns are shortened
		// one at a time, each giving room back before the next is
		// looked at: a column shows its short form only when the room
		// really is short.
		share := max(room/len(open), 1)
		if settle(share, false, whole) || settle(share, true, shortened) {
			continue
		}
		// Every open column is wider than its share: split the room, the
		// remainder going to the leftmost columns.
		for k, j := range open {
			widths[j] = max(room/len(open), 1)
			if k < room%len(open) {
				widths[j]++
			}
		}
		break
	}
	return widths
}

// used is how wide column j's cells are once fitted into w.
func (t *table) used(j, w int) int {
	u := twwidth.Width(t.headers[j])
	for i, r := range t.cells {
		u = max(u, twwidth.Width(fit(r[j], t.short[i][j], w)))
	}
	return u
}

// fit returns cell as it is shown in a column w wide.
func fit(cell, short string, w int) string {
	if twwidth.Width(cell) <= w {
		return cell
	}
	if short != "" && twwidth.Width(short) <= w {
		return short
	}
	return twwidth.Truncate(cell, w, "…")
}

func (t *table) writeRow(b *strings.Builder, cells, short []string, widths []int, paint func(col int, cell string) string) {
	// Trailing blanks are left out: padding goes in only before a cell
	// that has text.
	pad := 0
	for j, c := range cells {
		s := ""
		if short != nil {
			s = short[j]
		}
		c = fit(c, s, widths[j])
		if c != "" {
			b.WriteString(strings.Repeat(" ", pad))
			b.WriteString(paint(j, c))
			pad = 0
		}
		pad += widths[j] - twwidth.Width(c) + columnGap
	}
	b.WriteByte('\n')
}

// ShortToken is a masked token as a table shows it: its visible prefix and
// "…" (58cac8fd…), the rest being only asterisks.
func ShortToken(masked string) string {
	i := strings.IndexAny(masked, "-*•")
	if i <= 0 {
		return masked
	}
	return masked[:i] + "…"
}
