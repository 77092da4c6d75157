package main

import (
	"context"
	"go/ast"
	"go/parser"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sampleModule writes a module holding one package, sample, with the
// given files, and returns its folder.
func sampleModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files["go.mod"] = "module example.com/sample\n\ngo 1.26\n"
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func testEnv() []string {
	return append(os.Environ(), "GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=")
}

const generated = `package sample

import (
	"errors"
	"os"
	"strconv"
)

// Mode is the folder mode.
const Mode = 0o700

const legacy, hex = 0700, 0x1f

var errEmpty = errors.New("empty")

type pair struct{ a, b int }

func Parse(s string) (int, error) {
	if s == "" {
		return 0, errEmpty
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, err
	}
	return n, nil
}

func Save(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		os.Remove(path)
		return err
	}
	return f.Chmod(Mode)
}

func Open(path string) (*os.File, error) { return os.Open(path) }

func Pair(s string) (pair, []int, error) {
	n, err := Parse(s)
	return pair{n, 0}, nil, err
}

func Last(s string) (p pair, err error) {
	p.a, err = Parse(s)
	return
}

func table(log func(int)) {
	var a [4]byte
	for i := 0; i < len(a); log(i) {
		i++
	}
}
`

// TestMutants pins the mutants made from a file holding each kind of
// site, and checks that every one of them is valid Go: a removed call
// keeps what it used in use, a dropped error keeps its calls, literals
// keep their base.
func TestMutants(t *testing.T) {
	dir := sampleModule(t, map[string]string{"sample.go": generated})
	pkgs, err := loadPackages(context.Background(), dir, testEnv(), "", []string{"./..."})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 1 || pkgs[0].TypeErr != nil {
		t.Fatalf("loaded %d packages, type error %v", len(pkgs), pkgs[0].TypeErr)
	}
	p := pkgs[0]
	ms := mutantsOf(p)
	got := map[string]string{}
	for _, m := range ms {
		got[m.ID()] = m.Func + ": " + m.Desc + " => " + m.repl
	}
	want := map[string]string{
		"sample.go:10:14:const+1": "(package): 0o700 → 0o701 => 0o701",
		"sample.go:10:14:const-1": "(package): 0o700 → 0o677 => 0o677",
		"sample.go:12:21:const+1": "(package): 0700 → 0701 => 0701",
		"sample.go:12:21:const-1": "(package): 0700 → 0677 => 0677",
		"sample.go:12:27:const+1": "(package): 0x1f → 0x20 => 0x20",
		"sample.go:19:5:if":       `Parse: negated: if s == "" => !(s == "")`,
		"sample.go:20:3:return":   "Parse: return 0, errEmpty → return 0, nil => return 0, nil",
		"sample.go:24:3:return":   "Parse: return 0, err → return 0, nil => { _ = err; return 0, nil }",
		"sample.go:34:2:call":     "Save: removed: defer f.Close() => _ = f",
		"sample.go:36:3:call":     "Save: removed: os.Remove(path) => _ = os.Remove; _ = path",
		"sample.go:39:2:return":   "Save: return f.Chmod(Mode) → return nil => { _ = f.Chmod(Mode); return nil }",
		"sample.go:42:44:return":  "Open: return os.Open(path) → return nil, nil => { _, _ = os.Open(path); return nil, nil }",
		"sample.go:46:2:return":   "Pair: return pair{n, 0}, nil, err → return *new(pair), nil, nil => { _ = n; _ = err; return *new(pair), nil, nil }",
		"sample.go:46:17:const+1": "Pair: 0 → 1 => 1",
		"sample.go:46:17:const-1": "Pair: 0 → (-1) => (-1)",
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s:\n got %q\nwant %q", id, got[id], w)
		}
	}
	for id := range got {
		switch {
		case strings.HasPrefix(id, "sample.go:51:"), strings.HasPrefix(id, "sample.go:50:"):
			t.Errorf("%s: a naked return has no error to drop", id)
		case strings.HasPrefix(id, "sample.go:55:"):
			t.Errorf("%s: an array length is not mutated", id)
		case strings.HasPrefix(id, "sample.go:56:") && !strings.HasSuffix(id, ":const+1") && !strings.HasSuffix(id, ":const-1"):
			t.Errorf("%s: the post statement of a for loop is not removed", id)
		}
	}
	if len(ms) != 27 {
		for _, m := range ms {
			t.Log(m.ID(), m.Desc)
		}
		t.Errorf("%d mutants, want 27", len(ms))
	}
	for _, m := range ms {
		if err := typeCheck(p, m); err != nil {
			t.Errorf("%s (%s) does not compile: %v", m.ID(), m.Desc, err)
		}
	}
}

// typeCheck checks the package with the mutant applied.
func typeCheck(p *pkg, m *Mutant) error {
	var files []*ast.File
	for _, f := range p.Files {
		src := f.Src
		if f.Path == m.path {
			src = m.Apply(src)
		}
		af, err := parser.ParseFile(p.Fset, f.Path, src, 0)
		if err != nil {
			return err
		}
		files = append(files, af)
	}
	conf := types.Config{Importer: p.importer}
	_, err := conf.Check(p.ImportPath, p.Fset, files, nil)
	return err
}

func TestFormatLike(t *testing.T) {
	for _, c := range []struct {
		lit  string
		v    int64
		want string
	}{
		{"0o700", 0o701, "0o701"}, {"0O700", 0o677, "0O677"}, {"0700", 0o701, "0701"},
		{"0x1F", 0x20, "0x20"}, {"0b11", 4, "0b100"}, {"9", 10, "10"}, {"0", -1, "(-1)"},
		{"0", 1, "1"}, {"1_000", 999, "999"},
	} {
		if got := formatLike(c.lit, c.v); got != c.want {
			t.Errorf("formatLike(%q, %d) = %q, want %q", c.lit, c.v, got, c.want)
		}
	}
}

func TestZeroOf(t *testing.T) {
	for typ, want := range map[string]string{
		"error": "nil", "string": `""`, "bool": "false", "int64": "0", "*os.File": "nil",
		"[]byte": "nil", "map[string]int": "nil", "func() error": "nil", "chan int": "nil",
		"time.Duration": "*new(time.Duration)", "Outcome": "*new(Outcome)", "[2]int": "*new([2]int)",
	} {
		if got := zeroOf(typ); got != want {
			t.Errorf("zeroOf(%q) = %q, want %q", typ, got, want)
		}
	}
}
