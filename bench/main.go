// Command bench measures maketoken against the performance targets of
// docs/performance.md and prints each figure beside its target:
//
//	go run ./bench                  # everything, about two minutes
//	go run ./bench -only startup,memory -reps 500
//
// It builds maketoken and a floor program (a main that prints a line) the
// way the release does, starts the Make emulator in this process, and runs
// maketoken as a separate process against it. Figures that are compared are
// measured side by side in one run, interleaved in a random order, many
// times; the table shows medians and 90th percentiles, so that the ratios
// hold on a small, noisy machine.
//
// The exit code is 0 when every figure meets its target, 1 when one misses
// it, and 2 when the benchmark itself could not run.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// options are the command-line flags.
type options struct {
	reps       int
	fanoutReps int
	only       map[string]bool
	keep       bool
}

// scenarioNames are the scenarios, in the order they run.
func scenarioNames() []string { return []string{"startup", "fanout", "bulk", "memory"} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(mainErr(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func mainErr(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.IntVar(&o.reps, "reps", 200, "repetitions of each start-up command")
	fs.IntVar(&o.fanoutReps, "fanout-reps", 15, "repetitions of each fan-out command")
	only := fs.String("only", strings.Join(scenarioNames(), ","), "comma-separated scenarios to run: "+strings.Join(scenarioNames(), ", "))
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary directory with the binaries")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	o.only = map[string]bool{}
	for _, s := range strings.Split(*only, ",") {
		s = strings.TrimSpace(s)
		if !slices.Contains(scenarioNames(), s) {
			fmt.Fprintf(stderr, "bench: unknown scenario %q (known: %s)\n", s, strings.Join(scenarioNames(), ", "))
			return 2
		}
		o.only[s] = true
	}
	if o.reps < 5 || o.fanoutReps < 3 {
		fmt.Fprintln(stderr, "bench: -reps must be at least 5 and -fanout-reps at least 3")
		return 2
	}
	rows, err := benchmark(ctx, o, stderr)
	printTable(stdout, rows)
	if err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return 2
	}
	for _, r := range rows {
		if r.result == fail {
			return 1
		}
	}
	return 0
}

// bench is what the scenarios share.
type bench struct {
	opts    options
	root    string // the checkout
	bin     binaries
	dir     string // scratch space
	devNull *os.File
	log     io.Writer // progress notes
}

func (b *bench) progress(format string, a ...any) {
	fmt.Fprintf(b.log, "bench: "+format+"\n", a...)
}

func benchmark(ctx context.Context, o options, log io.Writer) ([]row, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "maketoken-bench-")
	if err != nil {
		return nil, err
	}
	if o.keep {
		fmt.Fprintf(log, "bench: keeping %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	devNull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	defer devNull.Close()
	b := &bench{opts: o, root: root, dir: dir, devNull: devNull, log: log}
	b.progress("building maketoken, the floor and the dependency floor (go %s, CGO_ENABLED=0)", strings.Join(buildArgs(), " "))
	if b.bin, err = build(ctx, root, filepath.Join(dir, "bin")); err != nil {
		return nil, err
	}
	var rows []row
	for _, s := range []struct {
		name string
		run  func(context.Context) ([]row, error)
	}{
		{"startup", b.startup},
		{"fanout", b.fanout},
		{"bulk", b.bulk},
		{"memory", b.memory},
	} {
		if !o.only[s.name] {
			continue
		}
		start := time.Now()
		r, err := s.run(ctx)
		rows = append(rows, r...)
		if err != nil {
			return rows, fmt.Errorf("%s: %w", s.name, err)
		}
		b.progress("%s done in %s", s.name, time.Since(start).Round(100*time.Millisecond))
	}
	return rows, nil
}

// Results of a row.
const (
	pass = "PASS"
	fail = "FAIL"
	info = "info"
	na   = "n/a"
)

// row is one line of the report.
type row struct {
	figure   string
	measured string
	target   string
	result   string
}

func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FIGURE\tMEASURED\tTARGET\tRESULT")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.figure, r.measured, r.target, r.result)
	}
	tw.Flush()
}

func verdict(ok bool) string {
	if ok {
		return pass
	}
	return fail
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func mib(bytes int64) string {
	return fmt.Sprintf("%.1f MiB", float64(bytes)/(1<<20))
}
