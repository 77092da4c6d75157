package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Status is what became of a mutant.
type Status string

const (
	Killed      Status = "killed"       // a test failed
	TimedOut    Status = "timed out"    // the tests did not end in time (counted as killed)
	Survived    Status = "survived"     // every test passed
	NotCovered  Status = "not covered"  // no test runs the line (counted as survived)
	NotCompiled Status = "not compiled" // the mutant is not valid Go (left out of the score)
	Pending     Status = ""
)

// runner builds and runs the tests of a package against mutants.
type runner struct {
	modDir   string   // where the go command runs
	env      []string // for the go command and the tests
	tags     string
	work     string // scratch folder
	testPkg  string // the package whose tests run ("" = the mutated one)
	testDir  string
	run      string // -test.run
	timeout  time.Duration
	factor   float64
	buildMax time.Duration
}

// testBinary builds the test binary of the package under test with the
// overlay (a mutated file) and, when coverPkg is set, coverage of it.
func (r *runner) testBinary(ctx context.Context, pkgPath, overlay, out, coverPkg string) error {
	ctx, cancel := context.WithTimeout(ctx, r.buildMax)
	defer cancel()
	args := []string{"test", "-c", "-vet=off", "-o", out}
	if r.tags != "" {
		args = append(args, "-tags", r.tags)
	}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	if coverPkg != "" {
		args = append(args, "-cover", "-covermode=set", "-coverpkg", coverPkg)
	}
	args = append(args, pkgPath)
	_, err := goCmd(ctx, r.modDir, r.env, args...)
	return err
}

// result of one run of a test binary.
type result struct {
	status  Status
	detail  string
	elapsed time.Duration
}

// runTests runs a test binary in the tested package's folder, at most for
// limit, and kills it with whatever it started on time-out. overlay, when
// set, goes to the tests' environment as GOFLAGS=-overlay=FILE, so that a
// test that builds a program itself (go build) builds it with the mutant.
func (r *runner) runTests(ctx context.Context, bin, overlay string, limit time.Duration, extra ...string) result {
	args := []string{"-test.count=1", "-test.failfast", "-test.timeout=" + (limit + 30*time.Second).String()}
	if r.run != "" {
		args = append(args, "-test.run="+r.run)
	}
	args = append(args, extra...)
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = r.testDir
	cmd.Env = r.env
	if overlay != "" && !strings.ContainsAny(overlay, " \t") { // GOFLAGS splits at spaces
		cmd.Env = append(slices.Clip(r.env), "GOFLAGS=-overlay="+overlay)
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	ownGroup(cmd)
	cmd.Cancel = func() error { killGroup(cmd); return nil }
	// A process the tests started in a group of its own may hold the
	// output open: stop waiting for it a while after the tests ended.
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	err := cmd.Run()
	if parent.Err() != nil {
		return result{status: Pending, detail: "interrupted"}
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return result{status: TimedOut, detail: "no end after " + limit.String(), elapsed: time.Since(start)}
	}
	elapsed := time.Since(start)
	if errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState.Success() {
		err = nil // the tests passed; something they left held the output
	}
	if err == nil {
		return result{status: Survived, elapsed: elapsed}
	}
	return result{status: Killed, detail: firstFailure(out.Bytes()), elapsed: elapsed}
}

// firstFailure names the first failing test in go test's output, its
// failing subtest when it has one (or the panic), for the report.
func firstFailure(out []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	name := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "--- FAIL: ") {
			f := strings.Fields(strings.TrimPrefix(line, "--- FAIL: "))
			switch {
			case len(f) == 0:
			case name == "":
				name = f[0]
			case strings.HasPrefix(f[0], name+"/"):
				name = f[0] // a subtest of it: more precise
			default:
				return name
			}
			continue
		}
		if name == "" && strings.HasPrefix(line, "panic: ") {
			return cut(line, 100)
		}
	}
	if name != "" {
		return name
	}
	return "tests failed"
}

func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// baseline builds and runs the unmutated tests once, with coverage of the
// mutated package when useCover, and returns the time they took and the
// covered blocks.
func (r *runner) baseline(ctx context.Context, p *pkg, useCover bool) (time.Duration, *coverage, error) {
	bin := filepath.Join(r.work, "baseline.test")
	cover := ""
	if useCover {
		cover = p.ImportPath
	}
	if err := r.testBinary(ctx, r.testPkgOr(p), "", bin, cover); err != nil {
		return 0, nil, err
	}
	var extra []string
	profile := filepath.Join(r.work, "cover.out")
	if useCover {
		extra = append(extra, "-test.coverprofile="+profile)
	}
	limit := r.timeout
	if limit == 0 {
		limit = 20 * time.Minute
	}
	res := r.runTests(ctx, bin, "", limit, extra...)
	if res.status != Survived {
		return 0, nil, fmt.Errorf("the tests of %s do not pass without mutants (%s: %s)", r.testPkgOr(p), res.status, res.detail)
	}
	if !useCover {
		return res.elapsed, nil, nil
	}
	cov, err := readCoverage(profile, p)
	return res.elapsed, cov, err
}

func (r *runner) testPkgOr(p *pkg) string {
	if r.testPkg != "" {
		return r.testPkg
	}
	return p.ImportPath
}

// limitFor is the time a mutant's tests get: -timeout, or the factor
// times the baseline's time plus 10 s.
func (r *runner) limitFor(base time.Duration) time.Duration {
	if r.timeout > 0 {
		return r.timeout
	}
	return time.Duration(r.factor*float64(base)) + 10*time.Second
}

// try builds and runs the tests against one mutant.
func (r *runner) try(ctx context.Context, p *pkg, m *Mutant, src []byte, limit time.Duration, slot int) {
	dir := filepath.Join(r.work, "slot"+strconv.Itoa(slot))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		m.Status, m.Detail = NotCompiled, err.Error()
		return
	}
	overlay, err := writeOverlay(dir, m, src)
	if err != nil {
		m.Status, m.Detail = NotCompiled, err.Error()
		return
	}
	bin := filepath.Join(dir, "mutant.test")
	if err := r.testBinary(ctx, r.testPkgOr(p), overlay, bin, ""); err != nil {
		if ctx.Err() != nil {
			return
		}
		m.Status, m.Detail = NotCompiled, compileError(err)
		return
	}
	res := r.runTests(ctx, bin, overlay, limit)
	m.Status, m.Detail = res.status, res.detail
}

// writeOverlay writes the mutated file and the -overlay file naming it in
// dir, and returns the overlay's path.
func writeOverlay(dir string, m *Mutant, src []byte) (string, error) {
	mutated := filepath.Join(dir, m.File)
	if err := os.WriteFile(mutated, m.Apply(src), 0o600); err != nil {
		return "", err
	}
	data, err := json.Marshal(map[string]map[string]string{"Replace": {m.path: mutated}})
	if err != nil {
		return "", err
	}
	overlay := filepath.Join(dir, "overlay.json")
	return overlay, os.WriteFile(overlay, data, 0o600)
}

// compileError is the first line of the compiler's complaint.
func compileError(err error) string {
	for _, line := range strings.Split(err.Error(), "\n") {
		if strings.Contains(line, ".go:") {
			if i := strings.Index(line, ".go:"); i >= 0 {
				if j := strings.LastIndexAny(line[:i], "/ "); j >= 0 {
					line = line[j+1:]
				}
			}
			return cut(strings.TrimSpace(line), 90)
		}
	}
	return cut(strings.TrimSpace(err.Error()), 90)
}

// runAll tries every pending mutant with jobs in parallel. progress is
// called after each.
func (r *runner) runAll(ctx context.Context, p *pkg, ms []*Mutant, limit time.Duration, jobs int, progress func(*Mutant)) {
	srcs := map[string][]byte{}
	for _, f := range p.Files {
		srcs[f.Path] = f.Src
	}
	todo := make(chan *Mutant)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for slot := range max(1, jobs) {
		wg.Go(func() {
			for m := range todo {
				r.try(ctx, p, m, srcs[m.path], limit, slot)
				if m.Status == Pending {
					continue
				}
				mu.Lock()
				progress(m)
				mu.Unlock()
			}
		})
	}
	for _, m := range ms {
		if m.Status != Pending {
			continue
		}
		select {
		case todo <- m:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(todo)
	wg.Wait()
}
