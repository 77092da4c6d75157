package output

import (
	"bytes"
	"encoding/json"
	"github.com/maketoken/maketoken/internal/testkit"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// terminalSafe reports the first rune of s that could drive a terminal
// (a C0 or C1 control other than newline, a format character such as a
// bidi override), or -1.
func terminalSafe(s string, allowTab bool) rune {
	for _, r := range s {
		switch {
		case r == '\n':
		case r == '\t' && allowTab:
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return r
		}
	}
	return -1
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"plain label":           "plain label",
		"ci-nightly · prod ✓":   "ci-nightly · prod ✓",
		"two\nlines":            `two\nlines`,
		"evil\x1b[2Jclear":      `evil\x1b[2Jclear`,
		"title\x1b]0;owned\x07": `title\x1b]0;owned\a`,
		"csi\u009b31m":          `csi\u009b31m`,
		"rtl\u202egnp.exe":      `rtl\u202egnp.exe`,
		"bad\xffutf8":           `bad\xffutf8`,
		"tab\there":             `tab\there`,
	} {
		got := Sanitize(in)
		if got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
		if r := terminalSafe(got, false); r >= 0 || strings.Contains(got, "\n") {
			t.Errorf("Sanitize(%q) = %q still holds %U", in, got, r)
		}
	}
}

func TestPrintableShortens(t *testing.T) {
	long := strings.Repeat("é", 500)
	got := Printable(long)
	if n := utf8.RuneCountInString(got); n != 120 || !strings.HasSuffix(got, "…") || !utf8.ValidString(got) {
		t.Errorf("Printable(500 × é) = %d runes, %q…", n, got[:20])
	}
}

func TestTableWithHostileLabels(t *testing.T) {
	rows := Rows{
		Headers: []string{"LABEL", "CREATED"},
		Rows: [][]string{
			{"ok", "2024-03-27T05:53:27.360Z"},
			{"evil\x1b[2J\x1b]0;owned\x07\nsecond line", "x"},
			{strings.Repeat("L", 5000), "y"},
			{"", ""},
		},
	}
	var b bytes.Buffer
	if err := WriteTable(&b, rows, 0, Style{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if r := terminalSafe(out, false); r >= 0 {
		t.Fatalf("table holds %U:\n%q", r, out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines, want a header and 4 rows:\n%s", len(lines), out)
	}
	if !strings.Contains(out, `evil\x1b[2J\x1b]0;owned\a\nsecond line`) {
		t.Errorf("the hostile label is not shown escaped:\n%s", out)
	}
	for _, l := range lines {
		if utf8.RuneCountInString(l) > 300 {
			t.Errorf("a line of %d characters: a long label is not shortened", utf8.RuneCountInString(l))
		}
	}
}

func TestTSVKeepsOneRecordPerLine(t *testing.T) {
	var b bytes.Buffer
	err := WriteTSV(&b, Rows{Rows: [][]string{{"a\tb", "c\nd", `e\f`, "g\rh"}, {"", "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "a\\tb\tc\\nd\te\\\\f\tg\\rh\n\tx\n"; got != want {
		t.Errorf("TSV %q, want %q", got, want)
	}
}

func TestTime(t *testing.T) {
	now := time.Date(2024, 3, 27, 12, 0, 0, 0, time.UTC)
	testkit.Answers(t, "Time", func(in string) string { return Time(in, now) }, map[string]string{
		"2024-03-27T11:59:30.000Z": "just now",
		"2024-03-27T11:00:00.000Z": "1 hour ago",
		"2024-03-24T12:00:00.000Z": "3 days ago",
		"27/03/2024 05:53":         "27/03/2024 05:53", // unknown format: as it is
		"":                         "",
	})
}

// FuzzTable renders arbitrary labels as a table: never a panic, never a
// character that could drive the terminal, every row on its own line, and
// every label still recognisable.
func FuzzTable(f *testing.F) {
	for _, s := range []string{
		"ci-nightly", "", "two\nlines", "\x1b[2J\x1b]0;owned\x07", "\u202egnp.exe", "\xff\xfe", "a\tb", "é" + strings.Repeat("x", 300),
		"\u009b31m", "\r\n", "😀 emoji 🏳️‍🌈", "\u200d\u200b\ufeff",
	} {
		f.Add(s, "user:read")
	}
	f.Fuzz(func(t *testing.T, label, scope string) {
		var b bytes.Buffer
		rows := Rows{Headers: []string{"ZONE", "LABEL", "SCOPES"}, Rows: [][]string{{"eu1", label, scope}, {"us1", "plain", "x"}}}
		if err := WriteTable(&b, rows, 0, Style{}); err != nil {
			t.Fatalf("WriteTable: %v", err)
		}
		out := b.String()
		// Fitted into 30 columns, with LABEL and SCOPES flexible, every
		// line fits (the fixed ZONE column is 4 wide).
		var nb bytes.Buffer
		narrow := rows
		narrow.Flexible = []bool{false, true, true}
		if err := WriteTable(&nb, narrow, 30, Style{}); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSuffix(nb.String(), "\n"), "\n") {
			if w := twwidth.Width(l); w > 30 {
				t.Fatalf("a line %d wide in 30 columns for label %q:\n%s", w, label, nb.String())
			}
		}
		if r := terminalSafe(out, false); r >= 0 {
			t.Fatalf("table holds %U for label %q:\n%q", r, label, out)
		}
		if n := strings.Count(out, "\n"); n != 3 {
			t.Fatalf("%d lines for label %q:\n%q", n, label, out)
		}
		// Short labels survive whole (escaped), long ones by their start.
		if want := Printable(label); !strings.Contains(out, strings.TrimRight(want, " ")) {
			t.Fatalf("label %q shown as %q, not found in:\n%s", label, want, out)
		}
		// JSON keeps the label exactly.
		var jb bytes.Buffer
		p := &Printer{Out: &jb, Format: JSON}
		if err := p.Print(map[string]string{"label": label}, rows); err != nil {
			t.Fatal(err)
		}
		var back map[string]string
		if err := json.Unmarshal(jb.Bytes(), &back); err != nil {
			t.Fatalf("JSON output does not parse: %v", err)
		}
		if utf8.ValidString(label) && back["label"] != label {
			t.Fatalf("JSON label %q, want %q", back["label"], label)
		}
		// TSV: one record per line, whatever the label.
		var tb bytes.Buffer
		if err := WriteTSV(&tb, rows); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(tb.String(), "\n"); n != 2 {
			t.Fatalf("TSV has %d lines for label %q", n, label)
		}
	})
}

func TestScopeCount(t *testing.T) {
	for n, want := range map[int]string{0: "no scopes", 1: "1 scope", 47: "47 scopes"} {
		if got := ScopeCount(make([]string, n)); got != want {
			t.Errorf("ScopeCount(%d scopes) = %q, want %q", n, got, want)
		}
	}
}

func TestShortToken(t *testing.T) {
	testkit.Answers(t, "ShortToken", ShortToken, map[string]string{
		"58cac8fd-****-****-****-************": "58cac8fd…",
		"abcdefgh****":                         "abcdefgh…",
		"********":                             "********",
		"":                                     "",
	})
}

// TestTableFitsWidth renders one table at every width from very narrow to
// wide: fixed columns are never cut, no line is wider than the terminal
// while the fixed columns fit, a cell that must be shortened shows its
// short form if that fits, else its start and "…".
func TestTableFitsWidth(t *testing.T) {
	rows := Rows{
		Headers:  []string{"ZONE", "LABEL", "SCOPES", "CREATED"},
		Flexible: []bool{false, true, true, false},
		Keep:     []bool{false, true, false, false},
		Rows: [][]string{
			{"celonis-eu1", "nightly export of every scenario blueprint to the backup bucket", "a:read,b:read,c:read,d:read,e:read,f:read", "2024-03-27 05:53"},
			{"eu1", "ünïcode ✓ 日本語ラベル", "user:read", "3 days ago"},
		},
		Short: [][]string{{"", "", "6 scopes", ""}, {"", "", "1 scope", ""}},
	}
	fixed := len("celonis-eu1") + len("2024-03-27 05:53") + 3*columnGap
	for width := 20; width <= 200; width++ {
		var b bytes.Buffer
		if err := WriteTable(&b, rows, width, Style{}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if w := twwidth.Width(l); width >= fixed+2*len("SCOPES") && w > width {
				t.Errorf("width %d: a line of %d:\n%s", width, w, out)
			}
		}
		for _, keep := range []string{"celonis-eu1", "2024-03-27 05:53", "3 days ago"} {
			if !strings.Contains(out, keep) {
				t.Errorf("width %d: the fixed cell %q was cut:\n%s", width, keep, out)
			}
		}
		switch {
		case width >= 140:
			if !strings.Contains(out, rows.Rows[0][1]) || !strings.Contains(out, rows.Rows[0][2]) {
				t.Errorf("width %d: a cell was shortened though the table fits:\n%s", width, out)
			}
		case width <= 100 && width >= fixed+2*len("SCOPES")+len("6 scopes"):
			if !strings.Contains(out, "6 scopes") {
				t.Errorf("width %d: no short form for the long scope list:\n%s", width, out)
			}
			if !strings.Contains(out, "…") {
				t.Errorf("width %d: the long label was not cut with …:\n%s", width, out)
			}
		}
	}
}

func TestBool(t *testing.T) {
	for _, tt := range []struct {
		b      bool
		format string
		want   string
	}{
		{true, Table, "yes"}, {false, Table, ""},
		{true, TSV, "true"}, {false, TSV, "false"},
	} {
		if got := Bool(tt.b, tt.format); got != tt.want {
			t.Errorf("Bool(%v, %s) = %q, want %q", tt.b, tt.format, got, tt.want)
		}
	}
}

// TestSanitizingFamily: every member treats the same characters as unsafe.
func TestSanitizingFamily(t *testing.T) {
	hostile := "a\x1b[31mb\u202ec\td\ne\u200bf\u0085g\xff"
	if got, want := OneLine(hostile, 0), "a [31mb c d e f g?"; got != want {
		t.Errorf("OneLine = %q, want %q", got, want)
	}
	if got, want := OneLine("ééé", 3), "é…"; got != want {
		t.Errorf("OneLine cut = %q, want %q", got, want)
	}
	if got, want := Lines(hostile), "a?[31mb?c\td\ne?f?g?"; got != want {
		t.Errorf("Lines = %q, want %q", got, want)
	}
	if got, want := Escape(hostile), `a\x1b[31mb\u202ec\td\ne\u200bf\u0085g\xff`; got != want {
		t.Errorf("Escape = %q, want %q", got, want)
	}
	if got, want := Escape(`café C:\path "q"`), `café C:\path "q"`; got != want {
		t.Errorf("Escape of safe text = %q, want it unchanged", got)
	}
	if got, want := Escape("é\r\x1b[2K\u2066"), `é\r\x1b[2K\u2066`; got != want {
		t.Errorf("Escape = %q, want %q", got, want)
	}
	if got, want := Clip("ab\x1bcd", 4), "ab…"; got != want {
		t.Errorf("Clip cutting an escape = %q, want %q", got, want)
	}
	if got, want := Clip("ab\x1bcd", 6), `ab\x1b…`; got != want {
		t.Errorf("Clip = %q, want %q", got, want)
	}
	if got, want := Clip("ééé", 3), "é…"; got != want {
		t.Errorf("Clip cut = %q, want %q", got, want)
	}
	if got, want := Clip("a\nb", 0), `a\nb`; got != want {
		t.Errorf("Clip without a limit = %q, want %q", got, want)
	}
	for _, s := range []string{Sanitize(hostile), Printable(hostile), OneLine(hostile, 0), Escape(hostile), Clip(hostile, 10)} {
		if strings.ContainsFunc(s, IsUnsafe) {
			t.Errorf("%q still holds an unsafe character", s)
		}
	}
}

// A TSV record with another number of fields than its columns is refused:
// the columns are what `maketoken help formatting` promises.
func TestTSVRecordsHaveTheirColumns(t *testing.T) {
	var b strings.Builder
	rows := Rows{Headers: []string{"zone", "label"}, Rows: [][]string{{"eu1", "a"}, {"eu1"}}}
	if err := WriteTSV(&b, rows); err == nil || !strings.Contains(err.Error(), "1 fields where the columns are 2") {
		t.Errorf("err %v", err)
	}
	if err := WriteTSV(&b, Rows{Rows: [][]string{{"a", "b"}, {"c"}}}); err != nil {
		t.Errorf("rows without columns: %v", err)
	}
}

// TestIsUnsafeASCII: the shortcut for printable ASCII answers as the
// Unicode tables do, for every ASCII character.
func TestIsUnsafeASCII(t *testing.T) {
	for r := rune(0); r < utf8.RuneSelf; r++ {
		want := unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar
		if got := IsUnsafe(r); got != want {
			t.Errorf("IsUnsafe(%q) = %v, want %v", r, got, want)
		}
	}
}

// TestTableGivesUpWhatNamesARowLast is issue 20's item 3 on the tour's
// `list --all-zones` at 60 columns: it used to cut the labels to "emu…"
// and the scope counts to "ad…", and keep the 16-column dates. Dates
// shorten first (the date, then "3mo ago"), scope lists become counts,
// then the (optional) scope column goes; the labels and token prefixes
// stay whole.
func TestTableGivesUpWhatNamesARowLast(t *testing.T) {
	now := time.Date(2026, 11, 27, 13, 0, 0, 0, time.UTC)
	type tok struct{ zone, label, scopes, created, token, current string }
	toks := []tok{
		{"eu1", "emulator admin", strings.Repeat("admin:read,", 60) + "user:write", "2026-11-27T12:59:40.000Z", "4961e78f…", "yes"},
		{"eu1", "zapier-bridge", "a:read,b:read,c:read,d:read", "2026-11-11T07:59:26.798Z", "e9f7b3fc…", ""},
		{"eu1", "ci-nightly", "scenarios:read,scenarios:run", "2026-08-22T09:42:31.691Z", "2c86b93c…", ""},
		{"celonis-eu1", "zapier-bridge", "a:read,b:read", "2026-11-19T07:59:26.798Z", "a9f7edf3…", ""},
	}
	rows := Rows{
		Headers:  []string{"ZONE", "LABEL", "SCOPES", "CREATED", "TOKEN", "CURRENT"},
		Flexible: []bool{false, true, true, false, false, false},
		Keep:     []bool{false, true, false, false, false, false},
		Optional: []bool{false, false, true, false, false, false},
	}
	for _, k := range toks {
		forms := TimeForms(k.created, now)
		rows.Rows = append(rows.Rows, []string{k.zone, k.label, k.scopes, forms[0], k.token, k.current})
		rows.Forms = append(rows.Forms, [][]string{nil, nil, nil, forms[1:], nil, nil})
		rows.Short = append(rows.Short, []string{"", "", ScopeCount(strings.Split(k.scopes, ",")), "", "", ""})
	}
	want := map[int]string{
		60: "" +
			"ZONE         LABEL           CREATED      TOKEN      CURRENT\n" +
			"eu1          emulator admin  just now     4961e78f…  yes\n" +
			"eu1          zapier-bridge   16 days ago  e9f7b3fc…\n" +
			"eu1          ci-nightly      2026-08-22   2c86b93c…\n" +
			"celonis-eu1  zapier-bridge   8 days ago   a9f7edf3…\n",
		80: "" +
			"ZONE         LABEL           SCOPES         CREATED           TOKEN      CURRENT\n" +
			"eu1          emulator admin  61 scopes      just now          4961e78f…  yes\n" +
			"eu1          zapier-bridge   4 scopes       16 days ago       e9f7b3fc…\n" +
			"eu1          ci-nightly      2 scopes       2026-08-22 09:42  2c86b93c…\n" +
			"celonis-eu1  zapier-bridge   a:read,b:read  8 days ago        a9f7edf3…\n",
	}
	for _, width := range []int{60, 80} {
		var b bytes.Buffer
		if err := WriteTable(&b, rows, width, Style{}); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); got != want[width] {
			t.Errorf("at %d columns:\n%s\nwant\n%s", width, got, want[width])
		}
	}
}

// A column whose cells all shorten to nothing is left out, header and
// all: zones' URL when it only says what the host does.
func TestTableLeavesOutAnEmptiedColumn(t *testing.T) {
	rows := Rows{
		Headers:  []string{"ZONE", "HOST", "URL", "CREDENTIAL"},
		Flexible: []bool{false, true, true, true},
		Rows: [][]string{
			{"eu1", "eu1.make.com", "https://eu1.make.com/api/v2", "env (MAKETOKEN_TOKEN_EU1)"},
			{"celonis-us1", "us1.make.celonis.com", "https://us1.make.celonis.com/api/v2", "keyring"},
		},
		Forms: [][][]string{{nil, nil, {""}, nil}, {nil, nil, {""}, nil}},
		Short: [][]string{{"", "", "", "env"}, {"", "", "", ""}},
	}
	var b bytes.Buffer
	if err := WriteTable(&b, rows, 60, Style{}); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"ZONE         HOST                  CREDENTIAL\n" +
		"eu1          eu1.make.com          env (MAKETOKEN_TOKEN_EU1)\n" +
		"celonis-us1  us1.make.celonis.com  keyring\n"
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestAgo(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	testkit.Answers(t, "Ago", func(d time.Duration) string { return Ago(now.Add(-d), now) }, map[time.Duration]string{
		30 * time.Second: "now", 5 * time.Minute: "5m ago", 3 * time.Hour: "3h ago", 16 * 24 * time.Hour: "16d ago",
		95 * 24 * time.Hour: "3mo ago", 800 * 24 * time.Hour: "2y ago", -5 * time.Hour: "in 5h",
	})
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 tokens", 1: "1 token", 2: "2 tokens"} {
		if got := Plural(n, "token"); got != want {
			t.Errorf("Plural(%d) = %q; want %q", n, got, want)
		}
	}
}
