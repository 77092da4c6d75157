package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
)

// counts are the statuses of a set of mutants.
type counts struct {
	Mutants     int     `json:"mutants"`
	Killed      int     `json:"killed"`
	TimedOut    int     `json:"timedOut"`
	Survived    int     `json:"survived"`
	NotCovered  int     `json:"notCovered"`
	NotCompiled int     `json:"notCompiled"`
	Score       float64 `json:"score"`
}

func (c *counts) add(m *Mutant) {
	c.Mutants++
	switch m.Status {
	case Killed:
		c.Killed++
	case TimedOut:
		c.TimedOut++
	case Survived:
		c.Survived++
	case NotCovered:
		c.NotCovered++
	case NotCompiled:
		c.NotCompiled++
	}
	c.Score = c.score()
}

// score is the share of killed (and timed-out) mutants among those that
// compiled, in percent; 100 when none compiled.
func (c *counts) score() float64 {
	caught := c.Killed + c.TimedOut
	all := caught + c.Survived + c.NotCovered
	if all == 0 {
		return 100
	}
	return 100 * float64(caught) / float64(all)
}

func (c counts) String() string {
	return fmt.Sprintf("%d mutants: %d killed, %d timed out, %d survived, %d not covered, %d not compiled; score %.1f%% (%d of %d)",
		c.Mutants, c.Killed, c.TimedOut, c.Survived, c.NotCovered, c.NotCompiled,
		c.Score, c.Killed+c.TimedOut, c.Killed+c.TimedOut+c.Survived+c.NotCovered)
}

// pkgReport is the result for one package.
type pkgReport struct {
	Package string            `json:"package"`
	Elapsed string            `json:"elapsed"`
	Total   counts            `json:"total"`
	ByOp    map[string]counts `json:"byOp"`
	ByFile  map[string]counts `json:"byFile"`
	Mutants []*Mutant         `json:"mutants"`
}

func newReport(pkgPath string, ms []*Mutant) *pkgReport {
	r := &pkgReport{Package: pkgPath, ByOp: map[string]counts{}, ByFile: map[string]counts{}, Mutants: ms}
	slices.SortStableFunc(r.Mutants, func(a, b *Mutant) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	for _, m := range ms {
		r.Total.add(m)
		op := r.ByOp[opGroup(m.Op)]
		op.add(m)
		r.ByOp[opGroup(m.Op)] = op
		f := r.ByFile[m.File]
		f.add(m)
		r.ByFile[m.File] = f
	}
	return r
}

// opGroup puts const+1 and const-1 together.
func opGroup(op string) string {
	if op == opPlus || op == opMinus {
		return "const"
	}
	return op
}

// write prints the package's score, its score per operator and per file,
// and under each file its survivors (every mutant when verbose), by line.
func (r *pkgReport) write(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "\n%s (%s)\n  %s\n", r.Package, r.Elapsed, r.Total)
	for _, op := range []string{opCall, opReturn, opIf, "const"} {
		if c, ok := r.ByOp[op]; ok {
			fmt.Fprintf(w, "  %-7s %s\n", op, c)
		}
	}
	files := make([]string, 0, len(r.ByFile))
	for f := range r.ByFile {
		files = append(files, f)
	}
	slices.Sort(files)
	for _, f := range files {
		fmt.Fprintf(w, "  %s: %s\n", f, r.ByFile[f])
		for _, m := range r.Mutants {
			shown := verbose || m.Status == Survived || m.Status == NotCovered
			if m.File != f || !shown {
				continue
			}
			line := fmt.Sprintf("    %-16s %-12s %-8s %s: %s", fmt.Sprintf("%s:%d:%d", m.File, m.Line, m.Col), m.Status, m.Op, m.Func, m.Desc)
			if verbose && m.Detail != "" {
				line += " [" + m.Detail + "]"
			}
			fmt.Fprintln(w, line)
		}
	}
}

func total(reports []*pkgReport) counts {
	var t counts
	for _, r := range reports {
		t.Mutants += r.Total.Mutants
		t.Killed += r.Total.Killed
		t.TimedOut += r.Total.TimedOut
		t.Survived += r.Total.Survived
		t.NotCovered += r.Total.NotCovered
		t.NotCompiled += r.Total.NotCompiled
	}
	t.Score = t.score()
	return t
}

func writeTotal(w io.Writer, reports []*pkgReport) {
	fmt.Fprintf(w, "\ntotal\n  %s\n", total(reports))
}
