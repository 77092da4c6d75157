package main

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestNoMethodCalledByName: nothing in maketoken can call a method by its
// name through reflection (text/template's execution, reflect's
// MethodByName). Where anything can, the Go linker keeps every exported
// method of every type in the binary: 15% more binary, which every start
// pays for (cobra's version template did it; see docs/performance.md).
func TestNoMethodCalledByName(t *testing.T) {
	if testing.Short() {
		t.Skip("links maketoken")
	}
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -dumpdep", "-o", t.TempDir()+"/maketoken", ".")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	var deps bytes.Buffer
	cmd.Stderr = &deps
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v\n%s", err, deps.Bytes()[:min(deps.Len(), 2000)])
	}
	var callers []string
	sc := bufio.NewScanner(&deps)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		from, _, ok := strings.Cut(sc.Text(), " -> ")
		if ok && strings.HasSuffix(from, "<ReflectMethod>") && !slices.Contains(callers, from) {
			callers = append(callers, from)
		}
	}
	if len(callers) > 0 {
		t.Errorf("the binary can call methods by name, so the linker keeps them all; reached from:\n%s", strings.Join(callers, "\n"))
	}
}
