package output

import (
	"io"
	"strings"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// columnGap is the blank space between two columns of a table.
const columnGap = 2

// minCut is the narrowest a cut column is made (its header permitting):
// "ci-ni…" still says which label it is; "c…" says nothing.
const minCut = 6

// WriteTable writes rows as aligned columns without borders, for people,
// fitted into width columns (0: no limit). When the table is wider than
// that, it gives up what identifies a row least, in this order:
//
//  1. Cells with shorter forms (Forms, Short) shorten, a column at a
//     time from the right: a time shows its date, then how long ago
//     ("3mo ago"); a list of scopes its count ("61 scopes"). A cell shows
//     the longest of its forms that fits its column.
//  2. Optional columns (a URL that the host already says) are left out,
//     from the right.
//  3. Flexible columns are cut with "…", the widest first: the others
//     before those marked Keep (a label, which names the row), and none
//     narrower than its header.
//
// The room left then goes to a Keep column first (up to 30 columns),
// takes back the concessions it can, last first, and is shared among the
// columns that can show more in it. Every cell is made safe for a terminal first (see
// Printable). No line has trailing blanks.
//
// With style's colour, headers are bold, the Dim columns dim, and a cell
// that starts with a mark (✓, ✗, !) green, red or yellow.
func WriteTable(w io.Writer, rows Rows, width int, style Style) error {
	t := newTable(rows)
	t.layout(width)
	var b strings.Builder
	t.writeRow(&b, -1, func(_ int, c string) string { return style.Bold(c) })
	for i := range t.cells {
		t.writeRow(&b, i, func(j int, c string) string {
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
	headers []string
	// cells[i][j] are the forms of row i's cell j, the full one first
	// and each shorter than the one before.
	cells    [][][]string
	flexible []bool
	keep     []bool
	optional []bool
	width    []int  // each column's width
	level    []int  // how many forms each column has given up
	shown    []bool // false: the column is left out
}

func newTable(rows Rows) *table {
	n := len(rows.Headers)
	flag := func(src []bool) []bool {
		out := make([]bool, n)
		copy(out, src)
		return out
	}
	t := &table{flexible: flag(rows.Flexible), keep: flag(rows.Keep), optional: flag(rows.Optional),
		width: make([]int, n), level: make([]int, n), shown: make([]bool, n)}
	t.headers = make([]string, n)
	for j, h := range rows.Headers {
		t.headers[j] = Printable(h)
		t.shown[j] = true
	}
	for i, r := range rows.Rows {
		row := make([][]string, n)
		for j := range n {
			cell := ""
			if j < len(r) {
				cell = Printable(r[j])
			}
			forms := []string{cell}
			if i < len(rows.Forms) && j < len(rows.Forms[i]) {
				for _, f := range rows.Forms[i][j] {
					forms = addForm(forms, Sanitize(f))
				}
			}
			if i < len(rows.Short) && j < len(rows.Short[i]) && rows.Short[i][j] != "" {
				forms = addForm(forms, Sanitize(rows.Short[i][j]))
			}
			row[j] = forms
		}
		t.cells = append(t.cells, row)
	}
	for j := range n {
		t.width[j] = t.levelWidth(j, 0)
	}
	return t
}

// addForm adds a shorter form to forms; one that is not shorter than the
// last is left out. "" is a form too: a cell that has nothing to add
// when room is short.
func addForm(forms []string, f string) []string {
	last := forms[len(forms)-1]
	if last == "" || f != "" && twwidth.Width(f) >= twwidth.Width(last) {
		return forms
	}
	return append(forms, f)
}

// levelWidth is column j's width when each cell shows its form number
// level (or its last).
func (t *table) levelWidth(j, level int) int {
	w, empty := 0, true
	for _, r := range t.cells {
		f := r[j][min(level, len(r[j])-1)]
		w = max(w, twwidth.Width(f))
		empty = empty && f == ""
	}
	if empty && level > 0 {
		return 0 // the column has nothing left to show
	}
	return max(w, twwidth.Width(t.headers[j]))
}

// levels is how many forms column j can give up.
func (t *table) levels(j int) int {
	n := 0
	for _, r := range t.cells {
		n = max(n, len(r[j])-1)
	}
	return n
}

// total is the table's width.
func (t *table) total() int {
	sum, cols := 0, 0
	for j, w := range t.width {
		if t.visible(j) {
			sum += w
			cols++
		}
	}
	return sum + columnGap*max(cols-1, 0)
}

// comfort is how narrow a flexible column is made before a column is
// left out: a label keeps 20 columns, enough to tell most apart.
const comfort = 20

// layout chooses which columns are shown, and how wide, to fit width: it
// makes the concessions WriteTable lists, in order, as long as the table
// does not fit; then takes back, last first, those it can afford, and
// gives the room left to the columns that can use it, from the left.
func (t *table) layout(width int) {
	if width <= 0 || t.total() <= width {
		return
	}
	var undo []func() // the concessions made, to be taken back if they can
	// 0. What is long anyway is made narrower first: free text that names
	// nothing (an error, a note: flexible, not Keep, without shorter
	// forms) to a comfortable width, a label to keepRoom. A wider
	// terminal then never shows a shorter time than a narrower one (the
	// concessions below are made only while the table does not fit, and
	// what is left is given back below, to these columns too).
	for j := range t.width {
		switch {
		case !t.flexible[j]:
		case t.keep[j] && t.width[j] > max(keepRoom, t.floor(j)):
			t.width[j] = max(keepRoom, t.floor(j))
		case !t.keep[j] && t.levels(j) == 0 && t.width[j] > max(comfort, t.floor(j)):
			t.width[j] = max(comfort, t.floor(j))
		}
	}
	// 1. Shorter forms, a column at a time from the left ("61 scopes"
	// before a time's date, the date before "3mo ago").
	for stepped := true; stepped && t.total() > width; {
		stepped = false
		for j := 0; j < len(t.width) && t.total() > width; j++ {
			if t.level[j] < t.levels(j) {
				t.setLevel(j, t.level[j]+1)
				undo = append(undo, func() { t.setLevel(j, t.level[j]-1) })
				stepped = true
			}
		}
	}
	// 2. Flexible columns narrower, the widest first, as far as a
	// comfortable width.
	t.cut(width, func(j int) bool { return t.flexible[j] }, func(j int) int { return max(comfort, t.floor(j)) })
	// 3. Optional columns left out, from the right.
	for j := len(t.width) - 1; j >= 0 && t.total() > width; j-- {
		if t.optional[j] && t.shown[j] {
			t.shown[j] = false
			undo = append(undo, func() {
				// Back, cut if it must be, to what is left of width.
				t.shown[j] = true
				if over := t.total() - width; over > 0 && t.flexible[j] {
					t.width[j] = max(t.width[j]-over, t.floor(j), min(showWidth, t.levelWidth(j, t.levels(j))))
				}
			})
		}
	}
	// 4. Flexible columns cut, the widest first: not below their shortest
	// forms ("61 scopes" is not cut to "61 sc…"), then Keep columns,
	// then, at the very last, anything flexible.
	soft := func(j int) int { return max(t.floor(j), t.levelWidth(j, t.levels(j))) }
	for _, pass := range []struct {
		keep  bool
		floor func(int) int
	}{{false, soft}, {true, t.floor}, {false, t.floor}} {
		t.cut(width, func(j int) bool { return t.flexible[j] && t.keep[j] == pass.keep }, pass.floor)
	}
	// The room left goes first to what names a row (up to keepRoom
	// columns), then takes concessions back, last first, then goes to
	// the columns that can show more in it, from the left.
	t.grow(width, func(j int) int {
		if !t.keep[j] {
			return 0
		}
		return max(t.width[j], keepRoom)
	})
	// The first that does not fit ends the taking back: what stays given
	// up is always the first concessions in the order above, so a wider
	// terminal never shows less than a narrower one.
	for k := len(undo) - 1; k >= 0; k-- {
		before := append([]int(nil), t.width...)
		level, shown := append([]int(nil), t.level...), append([]bool(nil), t.shown...)
		undo[k]()
		if t.total() > width {
			t.width, t.level, t.shown = before, level, shown
			break
		}
	}
	t.share(width)
}

// cut makes the visible columns for which which is true narrower, the
// widest first, none below floor(j), until the table fits width.
func (t *table) cut(width int, which func(j int) bool, floor func(j int) int) {
	for t.total() > width {
		widest := -1
		for j := range t.width {
			if t.visible(j) && which(j) && t.width[j] > floor(j) && (widest < 0 || t.width[j] > t.width[widest]) {
				widest = j
			}
		}
		if widest < 0 {
			return
		}
		t.width[widest]--
	}
}

// share gives the room left in width to the visible columns that can show
// more in it, in equal shares: each takes what its cells can use of its
// share, and what one leaves goes round again.
func (t *table) share(width int) {
	for {
		room := width - t.total()
		var open []int
		for j := range t.width {
			if t.visible(j) && t.used(j, t.width[j]+room) > t.width[j] {
				open = append(open, j)
			}
		}
		if room <= 0 || len(open) == 0 {
			return
		}
		grew := false
		for k, j := range open {
			share := room / len(open)
			if k < room%len(open) {
				share++
			}
			if w := t.used(j, t.width[j]+share); w > t.width[j] {
				t.width[j], grew = w, true
			}
		}
		if !grew {
			// No column can use its share alone: the first that can use
			// the whole room takes what it needs.
			t.width[open[0]] = t.used(open[0], t.width[open[0]]+room)
		}
	}
}

// showWidth is how narrow an optional column may be cut when it is shown
// again: an email cut to "user@exampl…" still says whose; to "us…", no.
const showWidth = 12

// keepRoom is how wide a Keep column gets before concessions made for
// the other columns are taken back.
const keepRoom = 30

// grow gives the room left in width to the visible columns, from the
// left, each up to limit(j) and as far as its cells can use it.
func (t *table) grow(width int, limit func(j int) int) {
	for j := range t.width {
		room := width - t.total()
		if room <= 0 {
			return
		}
		if t.visible(j) && limit(j) > t.width[j] {
			t.width[j] = max(t.width[j], t.used(j, min(t.width[j]+room, limit(j))))
		}
	}
}

// setLevel makes column j show its cells' form number level (or their
// last), and sizes it for them.
func (t *table) setLevel(j, level int) {
	t.level[j] = level
	t.width[j] = t.levelWidth(j, level)
}

// visible reports whether column j is shown: not left out, and not one
// whose every cell has become empty (a URL that only repeats the host).
func (t *table) visible(j int) bool { return t.shown[j] && t.width[j] > 0 }

// floor is the narrowest column j is cut to.
func (t *table) floor(j int) int {
	return max(twwidth.Width(t.headers[j]), min(minCut, t.levelWidth(j, 0)))
}

// used is how wide column j's cells are once fitted into w.
func (t *table) used(j, w int) int {
	u := twwidth.Width(t.headers[j])
	for _, r := range t.cells {
		u = max(u, twwidth.Width(fit(r[j], w)))
	}
	return min(u, w)
}

// fit returns the cell whose forms are given as it is shown in a column
// w wide: the longest form that fits, else the shortest one cut with "…".
func fit(forms []string, w int) string {
	for _, f := range forms {
		if twwidth.Width(f) <= w {
			return f
		}
	}
	return twwidth.Truncate(forms[len(forms)-1], max(w, 1), "…")
}

// writeRow writes row i, or the headers (i < 0).
func (t *table) writeRow(b *strings.Builder, i int, paint func(col int, cell string) string) {
	// Trailing blanks are left out: padding goes in only before a cell
	// that has text.
	pad, first := 0, true
	for j := range t.headers {
		if !t.visible(j) {
			continue
		}
		if !first {
			pad += columnGap
		}
		first = false
		var c string
		if i < 0 {
			c = fit([]string{t.headers[j]}, t.width[j])
		} else {
			c = fit(t.cells[i][j], t.width[j])
		}
		if c != "" {
			b.WriteString(strings.Repeat(" ", pad))
			b.WriteString(paint(j, c))
			pad = 0
		}
		pad += t.width[j] - twwidth.Width(c)
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
