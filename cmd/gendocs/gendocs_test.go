package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// committedReference is docs/reference, seen from this package's directory.
const committedReference = "../../docs/reference"

// TestReferenceUpToDate fails when a command, flag or help text changed
// without docs/reference being regenerated.
func TestReferenceUpToDate(t *testing.T) {
	fresh := t.TempDir()
	if err := writeMarkdown(fresh); err != nil {
		t.Fatal(err)
	}
	want := readPages(t, fresh)
	got := readPages(t, committedReference)

	var problems []string
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			problems = append(problems, "missing "+name)
		case !bytes.Equal(g, w):
			problems = append(problems, "stale "+name+firstDifference(g, w))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			problems = append(problems, "no such command any more: "+name)
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		t.Fatalf("docs/reference is out of date:\n  %s\n\nRegenerate it from the repository root with:\n\n\t%s\n\nand commit the result.",
			strings.Join(problems, "\n  "), regenerateCommand)
	}
}

// readPages reads the generated pages (maketoken*.md) of dir.
func readPages(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "maketoken*.md"))
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pages[filepath.Base(f)] = b
	}
	return pages
}

// firstDifference names the first line that differs, to make a stale page
// easy to understand.
func firstDifference(got, want []byte) string {
	g := strings.Split(string(got), "\n")
	w := strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return " (line " + strconv.Itoa(i+1) + ": committed " + quote(gl) + ", commands say " + quote(wl) + ")"
		}
	}
	return ""
}

func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return strconv.Quote(s)
}

// TestEveryCommandDocumented checks that the generators follow the command
// tree: one Markdown page and one man page per visible command.
func TestEveryCommandDocumented(t *testing.T) {
	var paths []string
	visit(rootCommand(), func(c *cobra.Command) { paths = append(paths, c.CommandPath()) })
	for _, must := range []string{"maketoken", "maketoken version", "maketoken completion bash", "maketoken completion powershell"} {
		if !slices.Contains(paths, must) {
			t.Errorf("command tree lacks %q: %v", must, paths)
		}
	}

	md, man := t.TempDir(), t.TempDir()
	if err := writeMarkdown(md); err != nil {
		t.Fatal(err)
	}
	if err := writeMan(man, "1.2.3", time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		for _, f := range []string{
			filepath.Join(md, strings.ReplaceAll(p, " ", "_")+".md"),
			filepath.Join(man, strings.ReplaceAll(p, " ", "-")+".1"),
		} {
			if _, err := os.Stat(f); err != nil {
				t.Errorf("%s: no page: %v", p, err)
			}
		}
	}
	if n := len(entries(t, man)); n != len(paths) {
		t.Errorf("%d man pages for %d commands", n, len(paths))
	}
}

func entries(t *testing.T, dir string) []os.DirEntry {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestManPagesDeterministic(t *testing.T) {
	when := time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)
	a, b := t.TempDir(), t.TempDir()
	if err := writeMan(a, "1.2.3", when); err != nil {
		t.Fatal(err)
	}
	if err := writeMan(b, "1.2.3", when); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries(t, a) {
		x, _ := os.ReadFile(filepath.Join(a, e.Name()))
		y, _ := os.ReadFile(filepath.Join(b, e.Name()))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs", e.Name())
		}
	}

	root, err := os.ReadFile(filepath.Join(a, "maketoken.1"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(root)
	for _, want := range []string{
		`.TH "MAKETOKEN" "1" "Jan 2026" "maketoken 1.2.3" "maketoken manual"`,
		".SH EXIT STATUS", ".SH ENVIRONMENT", ".SH FILES", ".SH SEE ALSO",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("maketoken.1 lacks %q", want)
		}
	}
	if strings.Contains(page, "Auto generated") {
		t.Error("maketoken.1 carries cobra's auto-generated tag")
	}
	if strings.Index(page, ".SH EXIT STATUS") > strings.Index(page, ".SH SEE ALSO") {
		t.Error("EXIT STATUS comes after SEE ALSO")
	}
}

func TestManDate(t *testing.T) {
	for _, tc := range []struct{ flag, epoch, want string }{
		{"2026-01-31", "", "2026-01-31"},
		{"2026-01-31T23:00:00-05:00", "", "2026-02-01"},
		{"", "1769817600", "2026-01-31"},
		{"2026-03-01", "1769817600", "2026-03-01"},
		{"", "", "0001-01-01"},
	} {
		got, err := manDate(tc.flag, tc.epoch)
		if err != nil {
			t.Fatalf("manDate(%q, %q): %v", tc.flag, tc.epoch, err)
		}
		if s := got.Format("2006-01-02"); s != tc.want {
			t.Errorf("manDate(%q, %q) = %s, want %s", tc.flag, tc.epoch, s, tc.want)
		}
	}
	if _, err := manDate("31/01/2026", ""); err == nil {
		t.Error("manDate accepted a date in an unknown layout")
	}
}

func TestUndatedManPage(t *testing.T) {
	dir := t.TempDir()
	if err := writeMan(dir, "", time.Time{}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "maketoken-version.1"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `.TH "MAKETOKEN-VERSION" "1" "" "maketoken" "maketoken manual"`) {
		t.Errorf("undated page header: %s", strings.SplitN(string(b), "\n", 3)[1])
	}
}

func TestRunNeedsAnOutput(t *testing.T) {
	if err := run(nil, io.Discard); err == nil {
		t.Error("gendocs with no flag succeeded")
	}
}

func TestEscapeMarkdown(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"globs ('scenarios:*', '*:read')", `globs ('scenarios:\*', '\*:read')`},
		{"MAKETOKEN_TOKEN_<Z> [flags]", `MAKETOKEN\_TOKEN\_\<Z> [flags]`},
		{"run `maketoken login -z eu_2 *` then *this*", "run `maketoken login -z eu_2 *` then \\*this\\*"},
		{"an unpaired ` and a *", "an unpaired ` and a \\*"},
		{"text:\n\n\tsource <(maketoken completion bash)\n    x_y *", "text:\n\n\tsource <(maketoken completion bash)\n    x_y *"},
		{`C:\Users`, `C:\\Users`},
	} {
		if got := escapeMarkdown(tc.in); got != tc.want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestManKeepsLiteralText checks that help text written for a terminal
// reaches the man page as written: globs keep their stars.
func TestManKeepsLiteralText(t *testing.T) {
	root := &cobra.Command{Use: "maketoken", Short: "root", DisableAutoGenTag: true}
	sub := &cobra.Command{
		Use:   "create",
		Short: "Create a token",
		Long: "Scopes are globs ('scenarios:*', '*:read'); the variable is MAKETOKEN_TOKEN_<Z>.\n\n" +
			"  1. create the new token;\n  2. check that it works: a call made with the new token, whose scopes must\n     be the ones asked for;\n\n" +
			"Run:\n\n\tsource <(maketoken completion bash)\n",
		Example: "  maketoken create -l x -s 'scenarios:*'",
		Run:     func(*cobra.Command, []string) {},
	}
	sub.Flags().StringArrayP("scope", "s", nil, "a scope name or glob ('scenarios:*', '*:read')")
	root.PersistentFlags().String("jq", "", "filter with a jq expression such as '.[] | .label'")
	root.AddCommand(sub)
	escapeHelpText(root, true)

	page, err := manPage(sub, "maketoken", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// Render the roff the way man does, without depending on man(1):
	// drop the zero-width \& and the font escapes.
	text := strings.NewReplacer(`\&`, "", `\fB`, "", `\fP`, "", `\fI`, "", `\-`, "-").Replace(string(page))
	for _, want := range []string{
		"('scenarios:*', '*:read'); the variable is MAKETOKEN_TOKEN_<Z>.",
		"a scope name or glob ('scenarios:*', '*:read')",
		"'.[] | .label'",
		"whose scopes must\nbe the ones asked for",      // a wrapped list item stays one paragraph
		".EX\nsource <(maketoken completion bash)\n.EE", // an indented block is code
		"\n  maketoken create -l x -s 'scenarios:*'\n",  // code keeps its indentation
	} {
		if !strings.Contains(text, want) {
			t.Errorf("man page lacks %q:\n%s", want, page)
		}
	}
}
