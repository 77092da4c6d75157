package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const runSample = `package sample

import "errors"

var ErrNegative = errors.New("negative")

func Double(n int) (int, error) {
	if n < 0 {
		return 0, ErrNegative
	}
	return n * 2, nil
}

func Until(next func() bool) {
	for {
		if next() {
			return
		}
	}
}

func Name(n int) string {
	switch n {
	case 1:
		return "one"
	case 2:
		return "two"
	}
	return "many"
}
`

const runSampleTest = `package sample

import "testing"

func TestDouble(t *testing.T) {
	if got, err := Double(2); got != 4 || err != nil {
		t.Fatal(got, err)
	}
}

func TestUntil(t *testing.T) {
	Until(func() bool { return true })
}

func TestName(t *testing.T) {
	for n, want := range map[int]string{1: "one", 2: "two", 3: "many"} {
		if got := Name(n); got != want {
			t.Errorf("Name(%d) = %q", n, got)
		}
	}
}
`

// TestRun runs the tool on a small package whose tests miss some
// mutants, and checks each status, the score, the JSON and that the
// package's files are left as they were.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a test binary per mutant")
	}
	dir := sampleModule(t, map[string]string{"sample.go": runSample, "sample_test.go": runSampleTest})
	t.Chdir(dir)
	out := filepath.Join(t.TempDir(), "out.json")
	var stdout, stderr bytes.Buffer
	code := mainErr(context.Background(), []string{"-j", "2", "-timeout", "4s", "-json", out, "-min", "70", "./..."}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit %d, want 1 (score under -min 70)\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		Packages []struct {
			Total   counts
			Mutants []*Mutant
		}
	}
	if err := json.Unmarshal(data, &report); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range report.Packages[0].Mutants {
		got[m.ID()] = string(m.Status)
		if m.Status == Killed {
			got[m.ID()] += " " + m.Detail
		}
	}
	want := map[string]string{
		"sample.go:8:5:if":        "killed TestDouble",
		"sample.go:8:9:const+1":   "survived",
		"sample.go:8:9:const-1":   "survived",
		"sample.go:9:3:return":    "survived",
		"sample.go:9:10:const+1":  "survived",
		"sample.go:9:10:const-1":  "survived",
		"sample.go:11:13:const+1": "killed TestDouble",
		"sample.go:11:13:const-1": "killed TestDouble",
		"sample.go:16:6:if":       "timed out",
		"sample.go:24:7:const+1":  "not compiled",
		"sample.go:24:7:const-1":  "killed TestName",
		"sample.go:26:7:const+1":  "killed TestName",
		"sample.go:26:7:const-1":  "not compiled",
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: %q, want %q", id, got[id], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d mutants, want %d: %v", len(got), len(want), got)
	}
	tot := report.Packages[0].Total
	if tot.Killed != 5 || tot.TimedOut != 1 || tot.Survived != 5 || tot.NotCompiled != 2 || int(tot.Score) != 54 {
		t.Errorf("totals %+v", tot)
	}
	text := stdout.String()
	for _, line := range []string{
		"13 mutants: 5 killed, 1 timed out, 5 survived, 0 not covered, 2 not compiled; score 54.5% (6 of 11)",
		"sample.go:9:3    survived     return   Double: return 0, ErrNegative → return 0, nil",
	} {
		if !strings.Contains(text, line) {
			t.Errorf("the report lacks %q:\n%s", line, text)
		}
	}
	for name, text := range map[string]string{"sample.go": runSample, "sample_test.go": runSampleTest} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(b) != text {
			t.Errorf("%s was changed (%v)", name, err)
		}
	}
}

// TestCoverAndOverlay: with -cover a mutant no test reaches is counted
// without running; -overlay writes a mutant's overlay for go test.
func TestCoverAndOverlay(t *testing.T) {
	if testing.Short() {
		t.Skip("builds test binaries")
	}
	test := strings.Replace(runSampleTest, "func TestUntil", "func untested", 1)
	dir := sampleModule(t, map[string]string{"sample.go": runSample, "sample_test.go": test})
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	if code := mainErr(context.Background(), []string{"-cover", "-only", `^sample\.go:1[67]:`, "./..."}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "sample.go:16:6   not covered  if       Until: negated: if next()") {
		t.Errorf("Until's if is not reported as not covered:\n%s", stdout.String())
	}
	if strings.Contains(stderr.String(), "[1/") {
		t.Errorf("a mutant was run:\n%s", stderr.String())
	}

	stdout.Reset()
	work := t.TempDir()
	if code := mainErr(context.Background(), []string{"-work", work, "-overlay", "sample.go:8:5:if", "./..."}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	want := "go test -count=1 -overlay " + filepath.Join(work, "overlay.json") + " example.com/sample\n"
	if !strings.HasSuffix(stdout.String(), want) {
		t.Errorf("stdout %q, want it to end in %q", stdout.String(), want)
	}
	mutated, err := os.ReadFile(filepath.Join(work, "sample.go"))
	if err != nil || !strings.Contains(string(mutated), "if !(n < 0) {") {
		t.Errorf("overlay file: %v\n%s", err, mutated)
	}
}

func TestFirstFailure(t *testing.T) {
	for out, want := range map[string]string{
		"=== RUN   TestA\n--- FAIL: TestA (0.00s)\n    a_test.go:3: no\nFAIL\n":                                     "TestA",
		"--- FAIL: TestA (0.01s)\n    --- FAIL: TestA/sub (0.01s)\n        a_test.go:9: no\n--- FAIL: TestB (0s)\n": "TestA/sub",
		"panic: runtime error: invalid memory address or nil pointer dereference\n":                                 "panic: runtime error: invalid memory address or nil pointer dereference",
		"FAIL\n": "tests failed",
	} {
		if got := firstFailure([]byte(out)); got != want {
			t.Errorf("firstFailure(%q) = %q, want %q", out, got, want)
		}
	}
}

func TestCoverageBlocks(t *testing.T) {
	name, b, err := parseBlock("example.com/sample/sample.go:8:5,10:3 2 1")
	if err == nil {
		t.Fatalf("parsed a bad line: %s %+v", name, b)
	}
	name, b, err = parseBlock("example.com/sample/sample.go:8.15,10.3 2 0")
	if err != nil || name != "example.com/sample/sample.go" || b != (block{8, 15, 10, 3, false}) {
		t.Fatalf("%s %+v %v", name, b, err)
	}
	c := &coverage{files: map[string][]block{"a.go": {b, {9, 1, 9, 20, true}}}}
	for _, tc := range []struct {
		line, col int
		want      bool
	}{{8, 14, true}, {8, 15, false}, {10, 3, false}, {10, 4, true}, {9, 5, true}, {12, 1, true}} {
		if got := c.reached(&Mutant{File: "a.go", Line: tc.line, Col: tc.col}); got != tc.want {
			t.Errorf("reached(%d:%d) = %v, want %v", tc.line, tc.col, got, tc.want)
		}
	}
	if !(*coverage)(nil).reached(&Mutant{}) {
		t.Error("without coverage every mutant must run")
	}
}

// TestProgramsTheTestsBuild: a test that builds a program with go build
// (as end-to-end tests do) builds it with the mutant.
func TestProgramsTheTestsBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds test binaries")
	}
	dir := sampleModule(t, map[string]string{
		"greet.go":          "package sample\n\nfunc Greeting(loud bool) string {\n\tif loud {\n\t\treturn \"HI\"\n\t}\n\treturn \"hi\"\n}\n",
		"cmd/greet/main.go": "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/sample\"\n)\n\nfunc main() { fmt.Println(sample.Greeting(false)) }\n",
		"greet_test.go": `package sample

import (
	"os/exec"
	"path/filepath"
	"testing"
)

func TestGreet(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "greet")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/greet").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil || string(out) != "hi\n" {
		t.Fatalf("%q %v", out, err)
	}
}
`,
	})
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	if code := mainErr(context.Background(), []string{"-only", `^greet\.go:4:5:if$`, "-json", filepath.Join(t.TempDir(), "out.json"), "."}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "1 mutants: 1 killed") {
		t.Errorf("the mutant was not in the program the test built:\n%s\n%s", stdout.String(), stderr.String())
	}
}
