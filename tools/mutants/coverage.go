package main

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"strings"
)

// block is one block of a coverage profile.
type block struct {
	startLine, startCol, endLine, endCol int
	hit                                  bool
}

// coverage holds a package's blocks by file base name.
type coverage struct {
	files map[string][]block
}

// readCoverage reads a -test.coverprofile (mode set) for the package p.
func readCoverage(profile string, p *pkg) (*coverage, error) {
	f, err := os.Open(profile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c := &coverage{files: map[string][]block{}}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "mode:") || line == "" {
			continue
		}
		name, b, err := parseBlock(line)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", profile, err)
		}
		if path.Dir(name) != p.ImportPath {
			continue
		}
		c.files[path.Base(name)] = append(c.files[path.Base(name)], b)
	}
	return c, sc.Err()
}

// parseBlock reads "file.go:12.3,14.5 2 1".
func parseBlock(line string) (string, block, error) {
	colon := strings.LastIndex(line, ":")
	if colon < 0 {
		return "", block{}, fmt.Errorf("bad line %q", line)
	}
	name, rest := line[:colon], line[colon+1:]
	var b block
	var stmts, count int
	_, err := fmt.Sscanf(rest, "%d.%d,%d.%d %d %d", &b.startLine, &b.startCol, &b.endLine, &b.endCol, &stmts, &count)
	if err != nil {
		return "", block{}, fmt.Errorf("bad line %q: %w", line, err)
	}
	b.hit = count > 0
	return name, b, nil
}

// reached says whether a test ran the mutant's place: false only when
// every block holding it was never run. A place in no block (a constant
// declared outside functions) counts as reached, so its mutant is run.
func (c *coverage) reached(m *Mutant) bool {
	if c == nil {
		return true
	}
	inBlock := false
	for _, b := range c.files[m.File] {
		if !b.holds(m.Line, m.Col) {
			continue
		}
		if b.hit {
			return true
		}
		inBlock = true
	}
	return !inBlock
}

func (b block) holds(line, col int) bool {
	if line < b.startLine || line > b.endLine {
		return false
	}
	if line == b.startLine && col < b.startCol {
		return false
	}
	return line != b.endLine || col <= b.endCol
}
