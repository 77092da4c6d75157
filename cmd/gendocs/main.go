// Command gendocs writes maketoken's command reference from the command
// tree itself, so that the documentation cannot drift from the commands:
//
//	go run ./cmd/gendocs -markdown docs/reference          # committed, checked by a test
//	go run ./cmd/gendocs -man manpages -version 1.2.3 -date 2026-01-31
//
// The output is deterministic: no generation dates, and the man pages'
// date and source come only from -date (or $SOURCE_DATE_EPOCH) and
// -version, so a release build reproduces byte for byte.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/buildinfo"
	"github.com/maketoken/maketoken/internal/cli"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"
)

// regenerateCommand is what a reader runs when the reference is stale.
const regenerateCommand = "go run ./cmd/gendocs -markdown docs/reference"

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("gendocs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	markdownDir := fs.String("markdown", "", "write the Markdown command reference into `DIR`")
	manDir := fs.String("man", "", "write section 1 man pages into `DIR`")
	version := fs.String("version", "", "version named in the man pages' footer (e.g. 1.2.3)")
	date := fs.String("date", "", "date of the man pages: YYYY-MM-DD or RFC 3339 (default $SOURCE_DATE_EPOCH; none: no date)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: gendocs [-markdown DIR] [-man DIR [-version V] [-date D]]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || (*markdownDir == "" && *manDir == "") {
		fs.Usage()
		return fmt.Errorf("give -markdown DIR, -man DIR or both")
	}
	if *markdownDir != "" {
		if err := writeMarkdown(*markdownDir); err != nil {
			return err
		}
	}
	if *manDir != "" {
		when, err := manDate(*date, os.Getenv("SOURCE_DATE_EPOCH"))
		if err != nil {
			return err
		}
		if err := writeMan(*manDir, strings.TrimPrefix(*version, "v"), when); err != nil {
			return err
		}
	}
	return nil
}

// rootCommand builds the real command tree, with a world that has no
// terminal, no environment and no output, and with cobra's implicit
// parts (the completion command, --version) added as Execute would.
func rootCommand() *cobra.Command {
	streams := &iostreams.IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard}
	root := cli.NewRootCommand(cli.Deps{
		IO:      streams,
		Getenv:  func(string) string { return "" },
		Environ: func() []string { return nil },
		Now:     func() time.Time { return time.Unix(0, 0).UTC() },
		Build:   buildinfo.Linked{Version: "docs", Commit: "docs", Date: "docs"},
	})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.InitDefaultVersionFlag()
	visit(root, func(c *cobra.Command) { c.DisableAutoGenTag = true })
	return root
}

// visit calls fn on c and on every command below it that the docs show.
func visit(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		if !sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() {
			continue
		}
		visit(sub, fn)
	}
}

// writeMarkdown replaces the generated pages in dir (maketoken*.md) with
// the current command tree's, so that a removed command's page goes too.
func writeMarkdown(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // documentation is for everyone to read
		return err
	}
	old, err := filepath.Glob(filepath.Join(dir, "maketoken*.md"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	prepend := func(string) string {
		return "<!-- Generated from the command tree; do not edit. Regenerate: " + regenerateCommand + " -->\n\n"
	}
	root := rootCommand()
	escapeHelpText(root, false) // flags are printed in a code block: as written
	if err := doc.GenMarkdownTreeCustom(root, dir, prepend, func(s string) string { return s }); err != nil {
		return err
	}
	return writeHelpTopics(root, dir, prepend(""))
}

// writeHelpTopics writes one page per help topic (`maketoken help
// exit-codes`), which cobra's generator leaves out: the topic's text as
// the terminal shows it, in a code block.
func writeHelpTopics(root *cobra.Command, dir, header string) error {
	for _, c := range root.Commands() {
		if !c.IsAdditionalHelpTopicCommand() {
			continue
		}
		var b strings.Builder
		b.WriteString(header)
		fmt.Fprintf(&b, "## %s help %s\n\n%s\n\n", root.Name(), c.Name(), c.Short)
		fmt.Fprintf(&b, "```\n%s\n```\n", c.Long) // visit skipped it: not escaped
		name := filepath.Join(dir, root.Name()+"_help_"+c.Name()+".md")
		if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil { //nolint:gosec // documentation is for everyone to read
			return err
		}
	}
	return nil
}

// escapeHelpText makes the help texts of the tree, written as plain text for
// a terminal, safe to pass to a Markdown renderer (GitHub for the reference,
// go-md2man for the man pages), which would otherwise take the stars of
// "'scenarios:*', '*:read'" for emphasis and "<Z>" for HTML. Examples are
// code blocks and stay as written; so do flag usages unless withFlags.
func escapeHelpText(root *cobra.Command, withFlags bool) {
	seen := map[*pflag.Flag]bool{} // persistent flags are shared by every command
	visit(root, func(c *cobra.Command) {
		c.Short = escapeMarkdown(c.Short)
		c.Long = escapeMarkdown(c.Long)
		if !withFlags {
			return
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if !seen[f] {
				seen[f] = true
				f.Usage = escapeMarkdown(f.Usage)
			}
		})
		c.InheritedFlags().VisitAll(func(f *pflag.Flag) {
			if !seen[f] {
				seen[f] = true
				f.Usage = escapeMarkdown(f.Usage)
			}
		})
	})
}

// What plain help text trips over: "*" and "_" (emphasis: go-md2man makes
// MAKETOKEN_TOKEN_<Z> italic), "<" (HTML) and the backslash itself.
// "[...]" is a link only with a target, so "[flags]" stays as it is.
var markdownEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "<", `\<`)

// escapeMarkdown escapes Markdown's emphasis and HTML characters in s,
// except inside `code spans` and on indented (code block) lines.
func escapeMarkdown(s string) string {
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "    ") {
			continue
		}
		parts := strings.Split(line, "`")
		if len(parts)%2 == 0 { // an unpaired backtick: no code span on this line
			lines[i] = markdownEscaper.Replace(line)
			continue
		}
		for j := 0; j < len(parts); j += 2 {
			parts[j] = markdownEscaper.Replace(parts[j])
		}
		lines[i] = strings.Join(parts, "`")
	}
	return strings.Join(lines, "\n")
}

// manDate chooses the man pages' date: -date, else SOURCE_DATE_EPOCH,
// else none (zero time), never the clock.
func manDate(flagValue, epoch string) (time.Time, error) {
	switch {
	case flagValue != "":
		for _, layout := range []string{time.RFC3339, "2006-01-02"} {
			if t, err := time.Parse(layout, flagValue); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, fmt.Errorf("-date %q: want YYYY-MM-DD or RFC 3339", flagValue)
	case epoch != "":
		n, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", epoch, err)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, nil
}

// writeMan writes one page per command (maketoken.1, maketoken-list.1,
// maketoken-completion-bash.1, ...) into dir.
func writeMan(dir, version string, when time.Time) error {
	if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // documentation is for everyone to read
		return err
	}
	source := "maketoken"
	if version != "" {
		source += " " + version
	}
	root := rootCommand()
	escapeHelpText(root, true)
	var failed error
	visit(root, func(c *cobra.Command) {
		if failed != nil {
			return
		}
		page, err := manPage(c, source, when)
		if err != nil {
			failed = err
			return
		}
		name := strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1"
		failed = os.WriteFile(filepath.Join(dir, name), page, 0o644) //nolint:gosec // man pages are for everyone to read
	})
	return failed
}

func manPage(c *cobra.Command, source string, when time.Time) ([]byte, error) {
	date := when
	if when.IsZero() {
		date = time.Unix(0, 0).UTC() // replaced below: cobra always prints a date
	}
	header := &doc.GenManHeader{Section: "1", Date: &date, Source: source, Manual: "maketoken manual"}
	var buf bytes.Buffer
	if err := doc.GenMan(c, header, &buf); err != nil {
		return nil, err
	}
	page := unindentText(buf.Bytes())
	if when.IsZero() {
		page = bytes.Replace(page, []byte(` "`+date.Format("Jan 2006")+`" `), []byte(` "" `), 1)
	}
	if !c.HasParent() {
		page = insertSections(page, rootManSections)
	}
	return page, nil
}

// unindentText removes the leading spaces go-md2man keeps on the wrapped
// lines of a list item ("  2. check ...\n     be the ones ..."): to roff a
// line that starts with a space is a line break, which tore such items
// apart. Code blocks (.EX to .EE) keep their indentation.
func unindentText(page []byte) []byte {
	lines := bytes.Split(page, []byte("\n"))
	inCode := false
	for i, line := range lines {
		switch {
		case bytes.HasPrefix(line, []byte(".EX")):
			inCode = true
		case bytes.HasPrefix(line, []byte(".EE")):
			inCode = false
		case !inCode && bytes.HasPrefix(line, []byte(" ")):
			lines[i] = bytes.TrimLeft(line, " ")
		}
	}
	return bytes.Join(lines, []byte("\n"))
}

// insertSections puts extra roff sections before EXAMPLE / SEE ALSO, where
// man-pages(7) expects EXIT STATUS, ENVIRONMENT and FILES.
func insertSections(page []byte, sections string) []byte {
	for _, marker := range []string{"\n.SH EXAMPLE", "\n.SH SEE ALSO"} {
		if i := bytes.Index(page, []byte(marker)); i >= 0 {
			out := append([]byte{}, page[:i+1]...)
			out = append(out, sections...)
			return append(out, page[i+1:]...)
		}
	}
	return append(page, sections...)
}

// rootManSections are the parts of the command-line contract
// that only the main page carries; keep them in step with docs/README.md.
const rootManSections = `.SH EXIT STATUS
.TP
.B 0
success
.TP
.B 1
failure: network, server error, anything not below
.TP
.B 2
usage: unknown flag, zone or scope, missing argument, \fB\-\-yes\fR needed without a terminal
.TP
.B 3
cancelled at a confirmation prompt
.TP
.B 4
not authenticated: no credential for the zone, or the API answered 401
.TP
.B 5
permission denied: the API answered 403 (e.g. the credential lacks \fBuser:write\fR)
.TP
.B 6
nothing matched: no token fits the selector
.TP
.B 7
partial failure: some zones or tokens succeeded and others failed
.TP
.B 8
no keyring can be used (the OS keyring or the Linux kernel keyring), or it timed out
.TP
.B 130
interrupted (Ctrl\-C, SIGTERM, SIGHUP, SIGQUIT): one line on stderr says what was done and what was not
.SH ENVIRONMENT
.TP
.B MAKETOKEN_TOKEN_<ZONE>
the credential for a zone (zone name upper\-cased, \fB\-\fR as \fB_\fR: \fBMAKETOKEN_TOKEN_CELONIS_EU1\fR); it wins over every other source
.TP
.B MAKE_API_KEY
the credential for the zone selected for this command only (never for \fB\-\-all\-zones\fR)
.TP
.B MAKETOKEN_ZONE, MAKE_ZONE
the zone, when \fB\-\-zone\fR is not given
.TP
.B MAKETOKEN_CONFIG
the config file, when \fB\-\-config\fR is not given
.TP
.B MAKETOKEN_<KEY>
any setting of the config file (e.g. \fBMAKETOKEN_OUTPUT=json\fR)
.SH FILES
.TP
.B $XDG_CONFIG_HOME/maketoken/config.yaml
the config file (\fB~/.config/maketoken/config.yaml\fR; the OS equivalent on macOS and Windows): default zone, extra zones, zone URL overrides
.PP
Credentials live in the OS keyring (service \fBmaketoken\fR, one entry per zone); on Linux without a Secret Service (or after \fBmaketoken login \-\-store kernel\fR) in the kernel keyring (kernel memory, for your user only, until a reboot or 3 days unused); or, only after \fBmaketoken login \-\-store file\fR, in a plain\-text file of mode 0600.
`
