package output

import (
	"strings"
	"testing"
	"time"
)

// TestWiderNeverShowsLess: a table on a wider terminal never shows a
// cell in a shorter form, nor leaves out a column a narrower one shows.
// The result table of revoke showed "6y ago" at 120 columns and the full
// time at 60 and 80: at 120, shortening the times alone made the table
// fit, while at 80 the error was cut first and the times taken back.
func TestWiderNeverShowsLess(t *testing.T) {
	now := time.Date(2026, 11, 27, 13, 0, 0, 0, time.UTC)
	result := Rows{
		Headers:  []string{"ZONE", "LABEL", "CREATED", "REVOKED", "ERROR"},
		Flexible: []bool{false, true, false, false, true},
		Keep:     []bool{false, true, false, false, false},
	}
	for i, created := range []string{"2020-01-02T08:15:00.120Z", "2021-06-30T08:15:00.120Z"} {
		forms := TimeForms(created, now)
		errText := ""
		if i == 1 {
			errText = "Make answered 500 Internal Server Error: Internal Server Error. [SC500]; try again later"
		}
		result.Rows = append(result.Rows, []string{"eu1", "build", forms[0], "yes", errText})
		result.Forms = append(result.Forms, [][]string{nil, nil, forms[1:], nil, nil})
	}
	list := Rows{
		Headers:  []string{"ZONE", "LABEL", "SCOPES", "CREATED", "TOKEN", "CURRENT"},
		Flexible: []bool{false, true, true, false, false, false},
		Keep:     []bool{false, true, false, false, false, false},
		Optional: []bool{false, false, true, false, false, false},
	}
	for _, k := range [][]string{
		{"eu1", "emulator admin", strings.Repeat("admin:read,", 60) + "user:write", "2026-11-27T12:59:40.000Z"},
		{"eu1", "nightly export of every scenario blueprint to the backup bucket", "scenarios:read", "2022-05-06T08:15:00.000Z"},
		{"celonis-eu1", "zapier-bridge", "a:read,b:read", "2026-11-19T07:59:26.798Z"},
	} {
		forms := TimeForms(k[3], now)
		list.Rows = append(list.Rows, []string{k[0], k[1], k[2], forms[0], "4961e78f…", ""})
		list.Forms = append(list.Forms, [][]string{nil, nil, nil, forms[1:], nil, nil})
		list.Short = append(list.Short, []string{"", "", ScopeCount(strings.Split(k[2], ",")), "", "", ""})
	}
	zones := Rows{
		Headers:  []string{"ZONE", "HOST", "URL", "DEFAULT", "CREDENTIAL"},
		Flexible: []bool{false, true, true, false, true},
		Rows: [][]string{
			{"eu1", "eu1.make.com", "https://eu1.make.com/api/v2", "yes", "env (MAKETOKEN_TOKEN_EU1)"},
			{"celonis-us1", "us1.make.celonis.com", "https://us1.make.celonis.com/api/v2", "", "keyring"},
			{"mine", "make.example.org", "https://make.example.org/make/api/v2", "", "none"},
		},
		Forms: [][][]string{{nil, nil, {""}, nil, nil}, {nil, nil, {""}, nil, nil}, nil},
		Short: [][]string{{"", "", "", "", "env"}, nil, nil},
	}
	for name, rows := range map[string]Rows{"result": result, "list": list, "zones": zones} {
		var last *table
		for width := 20; width <= 260; width++ {
			tb := newTable(rows)
			tb.layout(width)
			if tb.total() > width && width >= 60 {
				t.Errorf("%s at %d columns: the table is %d wide", name, width, tb.total())
			}
			if last != nil {
				for j := range tb.headers {
					if tb.visible(j) && last.visible(j) && tb.level[j] > last.level[j] || !tb.visible(j) && last.visible(j) {
						t.Errorf("%s: column %s shows less at %d columns (level %d, shown %v) than at %d (level %d, shown %v)",
							name, tb.headers[j], width, tb.level[j], tb.visible(j), width-1, last.level[j], last.visible(j))
					}
				}
			}
			last = tb
		}
	}
}

// TestShortMarks: marks and forms that stop before the last column leave
// the columns past their end unmarked, as status and list rely on: a
// narrow terminal cuts the flexible column, never the unmarked one after
// it, and a missing form is no form.
func TestShortMarks(t *testing.T) {
	rows := Rows{
		Headers:  []string{"ZONE", "LABEL", "EXPIRED"},
		Flexible: []bool{false, true},
		Rows:     [][]string{{"eu1", strings.Repeat("long-label-", 6), "12345678"}},
		Short:    [][]string{{""}},
	}
	var b strings.Builder
	if err := WriteTable(&b, rows, 30, Style{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], "…") || !strings.HasSuffix(lines[1], "12345678") {
		t.Fatalf("want the label cut and EXPIRED whole:\n%s", b.String())
	}
	for _, l := range lines {
		if w := len([]rune(l)); w > 30 {
			t.Errorf("line of %d columns, want at most 30: %q", w, l)
		}
	}
}
