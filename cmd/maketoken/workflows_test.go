package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestActionScriptsShellcheck runs shellcheck on each script of
// action.yml. actionlint checks the run: scripts of workflows but not
// those of an action's own steps (it reads only action.yml's metadata), so
// this test does it; .ci/run installs shellcheck and requires it to pass.
func TestActionScriptsShellcheck(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck is not installed (apt-get install shellcheck); .ci/run runs this test with it")
	}
	var a ghAction
	if err := decodeStrict(actionFile, &a); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	n := 0
	for i, s := range a.Runs.Steps {
		if s.Run == "" {
			continue
		}
		if s.Shell != "bash" {
			t.Errorf("step %d: shell %q, want bash (the one shell on every runner)", i, s.Shell)
		}
		// The runner runs it as bash --noprofile --norc -eo pipefail FILE.
		p := filepath.Join(dir, "step-"+s.ID+".sh")
		if err := os.WriteFile(p, []byte("#!/usr/bin/env bash\nset -eo pipefail\n"+s.Run), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(sc, "--shell=bash", "--severity=style", p).CombinedOutput()
		if err != nil {
			t.Errorf("shellcheck on step %s (lines counted from 3):\n%s", s.ID, out)
		}
		n++
	}
	if n == 0 {
		t.Fatal("action.yml has no run: steps")
	}
	if !t.Failed() {
		t.Logf("shellcheck: the %d scripts of action.yml are clean", n)
	}
}

// exampleWorkflows are the workflows docs/ci.md shows, each also a file
// people can copy; the marker names the block in docs/ci.md.
var exampleWorkflows = map[string]string{
	"github":  "examples/github/rotate.yml",
	"expired": "examples/github/prune-expired.yml",
}

// TestExampleWorkflowsMatchDocs: the workflows in docs/ci.md are the files
// in examples/github/, byte for byte, so that what the tests run (ghjob,
// actionlint) is what people read and copy.
func TestExampleWorkflowsMatchDocs(t *testing.T) {
	for marker, file := range exampleWorkflows {
		lang, body, err := docSnippet(ciDoc, marker)
		if err != nil {
			t.Fatal(err)
		}
		if lang != "yaml" {
			t.Errorf("docs/ci.md block %s is %q, want yaml", marker, lang)
		}
		data, err := os.ReadFile(filepath.Join("..", "..", file))
		if err != nil {
			t.Fatal(err)
		}
		if string(data) != body {
			t.Errorf("docs/ci.md's block %q differs from %s: keep them the same", marker, file)
		}
	}
}

// TestWorkflowsPinOneRelease: every `uses:` of the action in the docs and
// examples names the same release, and every other action is pinned by its
// commit; no script takes ${{ }} (values go through env:).
func TestWorkflowsPinOneRelease(t *testing.T) {
	root := filepath.Join("..", "..")
	files := []string{"README.md", "docs/ci.md"}
	for _, dir := range []string{"examples/github", ".github/workflows"} {
		m, _ := filepath.Glob(filepath.Join(root, dir, "*.yml"))
		for _, p := range m {
			rel, _ := filepath.Rel(root, p)
			files = append(files, rel)
		}
	}
	usesRe := regexp.MustCompile(`uses:\s*([^\s#]+)`)
	refs := map[string][]string{}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range usesRe.FindAllStringSubmatch(string(data), -1) {
			name, ref, _ := strings.Cut(m[1], "@")
			switch {
			case m[1] == "./":
			case name == "maketoken/maketoken":
				refs[ref] = append(refs[ref], f)
			case !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(ref):
				t.Errorf("%s: %s is not pinned by a commit", f, m[1])
			}
		}
	}
	if len(refs) != 1 {
		t.Errorf("the docs and examples name different releases of the action: %v", refs)
	}
	for ref := range refs {
		if !regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+$`).MatchString(ref) {
			t.Errorf("the action is used at %q, want a release tag vX.Y.Z", ref)
		}
	}
	for _, f := range files[2:] {
		var wf ghWorkflow
		if err := decodeStrict(filepath.Join(root, f), &wf); err != nil {
			t.Fatal(err)
		}
		for name, j := range wf.Jobs {
			for _, s := range j.Steps {
				if ghExpr.MatchString(s.Run) {
					t.Errorf("%s: job %s, step %q: ${{ }} in a script; pass it through env:", f, name, stepName(s))
				}
			}
		}
	}
}

// TestCIDocLinks: the relative links of the CI guide and the README lead
// somewhere: the file exists and, for #anchor, has a heading of that name
// (as GitHub makes them: lower case, punctuation dropped, spaces as -).
func TestCIDocLinks(t *testing.T) {
	root := filepath.Join("..", "..")
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, doc := range []string{"README.md", "docs/ci.md"} {
		data, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(string(data), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			path := filepath.Join(root, doc)
			if file != "" {
				path = filepath.Join(root, filepath.Dir(doc), file)
			}
			text, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("%s: link %s: %v", doc, target, err)
				continue
			}
			if anchor != "" && !hasHeading(string(text), anchor) {
				t.Errorf("%s: link %s: %s has no heading #%s", doc, target, file, anchor)
			}
		}
	}
}

func hasHeading(markdown, anchor string) bool {
	drop := regexp.MustCompile(`[^\p{L}\p{N} _-]`)
	for _, l := range strings.Split(markdown, "\n") {
		if !strings.HasPrefix(l, "#") {
			continue
		}
		h := strings.ToLower(strings.TrimSpace(strings.TrimLeft(l, "#")))
		if strings.ReplaceAll(drop.ReplaceAllString(h, ""), " ", "-") == anchor {
			return true
		}
	}
	return false
}
