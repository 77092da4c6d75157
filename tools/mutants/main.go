// Command mutants is maketoken's statement mutation tester. It makes, for
// each package it is given, the statement mutants of every Go file built
// on this platform:
//
//	call     a call statement removed (also defer and go statements)
//	return   `return …, err` (or `return f()` whose last result is an
//	         error) turned into the zero values and a nil error
//	if       an if condition negated
//	const±1  an integer literal one more, and one less
//
// and runs the package's tests against each mutant, through `go test -c
// -overlay` so that the work tree is never changed. A mutant is killed
// when a test fails, timed out when the tests did not end in time (also a
// kill: a test timeout would have caught it), survived when every test
// passed, not covered when no test runs its line (with -cover only:
// such mutants are counted as survived without running), and not compiled
// when it is not valid Go (left out of the score). The score is the share of killed and
// timed-out mutants among the compiled ones.
//
//	go run ./tools/mutants ./internal/delivery ./internal/tokens
//	go run ./tools/mutants -only 'delivery.go:189:' ./internal/delivery
//	go run ./tools/mutants -list ./internal/job
//	go run ./tools/mutants -test ./cmd/maketoken -run 'TestScripts/store_proof' \
//	    -only 'delivery.go:189:.*:if' ./internal/delivery
//	go run ./tools/mutants -overlay 'delivery.go:189:9:if' ./internal/delivery
//
// -test runs another package's tests (the end-to-end scripts) against the
// mutants of the named package. The tests run with GOFLAGS=-overlay=FILE,
// so a program a test builds itself (go build, as the pty tests do)
// carries the mutant too. -overlay writes one mutant's overlay file
// and prints the go test command that runs any test against it.
//
// Exit status: 0 when done (and every score reaches -min), 1 when a score
// is below -min, 2 when the tool could not run (bad flags, a package that
// does not build or whose tests fail without mutants).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

type options struct {
	jobs     int
	only     *regexp.Regexp
	ops      map[string]bool
	list     bool
	cover    bool
	testPkg  string
	run      string
	timeout  time.Duration
	factor   float64
	jsonOut  string
	gocache  string
	tags     string
	overlay  string
	work     string
	verbose  bool
	min      float64
	patterns []string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(mainErr(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("mutants", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.jobs, "j", 1, "mutants tried at the same time")
	only := fs.String("only", "", "try only mutants whose id (file:line:col:op) matches this regular expression")
	ops := fs.String("ops", "call,return,if,const", "operators: call, return, if, const (both ±1)")
	fs.BoolVar(&o.list, "list", false, "list the mutants, run nothing")
	fs.BoolVar(&o.cover, "cover", false, "measure coverage first and do not run mutants no test reaches (counted as survived); wrong for code only tests' child processes run")
	fs.StringVar(&o.testPkg, "test", "", "run this package's tests instead of the mutated package's (coverage is then not used)")
	fs.StringVar(&o.run, "run", "", "run only tests matching this regular expression (-test.run)")
	fs.DurationVar(&o.timeout, "timeout", 0, "time limit of the tests per mutant (default: -factor times the unmutated run, plus 10s)")
	fs.Float64Var(&o.factor, "factor", 3, "time limit per mutant as a multiple of the unmutated run")
	fs.StringVar(&o.jsonOut, "json", "", "also write the results as JSON to this file")
	fs.StringVar(&o.gocache, "gocache", "", "GOCACHE for the builds (mutated packages fill a build cache; default: the go command's)")
	fs.StringVar(&o.tags, "tags", "", "build tags")
	fs.StringVar(&o.overlay, "overlay", "", "write the overlay of the mutant with this id, print how to test it, and stop")
	fs.StringVar(&o.work, "work", "", "scratch folder, kept (default: a temporary one, removed)")
	fs.BoolVar(&o.verbose, "v", false, "report every mutant, not only survivors")
	fs.Float64Var(&o.min, "min", 0, "exit 1 when a package's score is below this percentage")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./tools/mutants [flags] PACKAGE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	o.patterns = fs.Args()
	if len(o.patterns) == 0 {
		fs.Usage()
		return nil, errors.New("no package named")
	}
	if *only != "" {
		re, err := regexp.Compile(*only)
		if err != nil {
			return nil, fmt.Errorf("-only: %w", err)
		}
		o.only = re
	}
	o.ops = map[string]bool{}
	for op := range strings.SplitSeq(*ops, ",") {
		switch op = strings.TrimSpace(op); op {
		case opCall, opReturn, opIf:
			o.ops[op] = true
		case "const":
			o.ops[opPlus], o.ops[opMinus] = true, true
		default:
			return nil, fmt.Errorf("-ops: unknown operator %q", op)
		}
	}
	if o.jobs < 1 || o.factor <= 0 {
		return nil, errors.New("-j and -factor must be positive")
	}
	if o.testPkg != "" {
		o.cover = false
	}
	return o, nil
}

func mainErr(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "mutants:", err)
		return 2
	}
	modDir, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(stderr, "mutants:", err)
		return 2
	}
	env := append(os.Environ(), "GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=")
	if o.gocache != "" {
		env = append(env, "GOCACHE="+o.gocache)
	}
	work := o.work
	if work == "" {
		work, err = os.MkdirTemp("", "mutants-")
		if err != nil {
			fmt.Fprintln(stderr, "mutants:", err)
			return 2
		}
		if o.overlay == "" {
			defer os.RemoveAll(work)
		}
	} else if err := os.MkdirAll(work, 0o700); err != nil {
		fmt.Fprintln(stderr, "mutants:", err)
		return 2
	}
	pkgs, err := loadPackages(ctx, modDir, env, o.tags, o.patterns)
	if err != nil {
		fmt.Fprintln(stderr, "mutants:", err)
		return 2
	}
	if o.overlay != "" {
		return writeOneOverlay(o, pkgs, work, stdout, stderr)
	}
	var reports []*pkgReport
	code := 0
	for _, p := range pkgs {
		if p.TypeErr != nil {
			fmt.Fprintf(stderr, "mutants: %s: type check failed, mutants made from the syntax only: %v\n", p.ImportPath, p.TypeErr)
		}
		ms := selectMutants(mutantsOf(p), o)
		if o.list {
			for _, m := range ms {
				fmt.Fprintf(stdout, "%s\t%s\t%s\n", m.ID(), m.Func, m.Desc)
			}
			continue
		}
		rep, err := testPackage(ctx, o, modDir, env, work, p, ms, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "mutants:", err)
			return 2
		}
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "mutants: interrupted")
			return 2
		}
		reports = append(reports, rep)
		rep.write(stdout, o.verbose)
		if rep.Total.Score < o.min {
			code = 1
		}
	}
	if len(reports) > 1 {
		writeTotal(stdout, reports)
	}
	if o.jsonOut != "" && !o.list {
		if err := writeJSON(o.jsonOut, reports); err != nil {
			fmt.Fprintln(stderr, "mutants:", err)
			return 2
		}
	}
	return code
}

// selectMutants keeps the mutants of the chosen operators that -only
// matches.
func selectMutants(ms []*Mutant, o *options) []*Mutant {
	var out []*Mutant
	for _, m := range ms {
		if !o.ops[m.Op] || (o.only != nil && !o.only.MatchString(m.ID())) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// testPackage runs the tests against each of p's mutants.
func testPackage(ctx context.Context, o *options, modDir string, env []string, work string, p *pkg, ms []*Mutant, stderr io.Writer) (*pkgReport, error) {
	r := &runner{
		modDir: modDir, env: env, tags: o.tags, work: filepath.Join(work, sanitize(p.ImportPath)),
		testPkg: o.testPkg, run: o.run, timeout: o.timeout, factor: o.factor, buildMax: 5 * time.Minute,
	}
	if err := os.MkdirAll(r.work, 0o700); err != nil {
		return nil, err
	}
	r.testDir = p.Dir
	if o.testPkg != "" {
		out, err := goCmd(ctx, modDir, env, "list", "-f", "{{.Dir}}", "--", o.testPkg)
		if err != nil {
			return nil, err
		}
		r.testDir = strings.TrimSpace(string(out))
	}
	started := time.Now()
	fmt.Fprintf(stderr, "mutants: %s: %d mutants; running the tests without them first\n", p.ImportPath, len(ms))
	base, cov, err := r.baseline(ctx, p, o.cover)
	if err != nil {
		return nil, err
	}
	limit := r.limitFor(base)
	for _, m := range ms {
		if !cov.reached(m) {
			m.Status = NotCovered
		}
	}
	fmt.Fprintf(stderr, "mutants: %s: the tests took %s; %s per mutant at most\n", p.ImportPath, base.Round(time.Millisecond), limit.Round(time.Second))
	done, total := 0, 0
	for _, m := range ms {
		if m.Status == Pending {
			total++
		}
	}
	r.runAll(ctx, p, ms, limit, o.jobs, func(m *Mutant) {
		done++
		fmt.Fprintf(stderr, "[%d/%d] %-12s %s %s\n", done, total, m.Status, m.ID(), m.Detail)
	})
	rep := newReport(p.ImportPath, ms)
	rep.Elapsed = time.Since(started).Round(time.Second).String()
	return rep, nil
}

// writeOneOverlay writes the overlay of the mutant -overlay names and
// prints the command that tests it.
func writeOneOverlay(o *options, pkgs []*pkg, work string, stdout, stderr io.Writer) int {
	for _, p := range pkgs {
		for _, m := range mutantsOf(p) {
			if m.ID() != o.overlay {
				continue
			}
			var src []byte
			for _, f := range p.Files {
				if f.Path == m.path {
					src = f.Src
				}
			}
			path, err := writeOverlay(work, m, src)
			if err != nil {
				fmt.Fprintln(stderr, "mutants:", err)
				return 2
			}
			fmt.Fprintf(stdout, "# %s %s: %s\n", m.ID(), m.Func, m.Desc)
			fmt.Fprintf(stdout, "go test -count=1 -overlay %s %s\n", path, p.ImportPath)
			return 0
		}
	}
	fmt.Fprintf(stderr, "mutants: no mutant %s (see -list)\n", o.overlay)
	return 2
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' {
			return '_'
		}
		return r
	}, s)
}

func writeJSON(path string, reports []*pkgReport) error {
	data, err := json.MarshalIndent(struct {
		Packages []*pkgReport `json:"packages"`
		Total    counts       `json:"total"`
	}{reports, total(reports)}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o600)
}
