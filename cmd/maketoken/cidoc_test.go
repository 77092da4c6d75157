package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
	"go.yaml.in/yaml/v3"
)

// ciDoc is the guide whose commands ci_doc.txtar runs.
const ciDoc = "../../docs/ci.md"

// cmdCIDoc writes a snippet of docs/ci.md to a file, as the shell that runs
// it, so that ci_doc.txtar can run the guide's own commands:
//
//	cidoc NAME FILE [STEP-ID]
//
// NAME names a block marked <!-- ci-test: NAME --> in the guide. A shell
// block is written as it is. A YAML block becomes the shell its CI system
// would run: for a GitHub Actions workflow, the step with id STEP-ID
// (default "rotate")
// (under `set -eo pipefail`, as Actions runs bash, with its env, each
// ${{ secrets.X }} read from the variable X); for a GitLab CI job, its
// variables and script lines (under `set -e`). Steps that install software
// (uses:, before_script) are left out: they need the network.
func cmdCIDoc(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: cidoc NAME FILE [STEP-ID]")
	}
	stepID := "rotate"
	if len(args) == 3 {
		stepID = args[2]
	}
	lang, body, err := docSnippet(ciDoc, args[0])
	ts.Check(err)
	var script string
	switch lang {
	case "sh":
		script = body
	case "yaml":
		script, err = yamlShell(body, stepID)
		ts.Check(err)
	default:
		ts.Fatalf("cidoc: block %q is %q, want sh or yaml", args[0], lang)
	}
	out := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(filepath.Dir(out), 0o755))
	ts.Check(os.WriteFile(out, []byte(script), 0o755))
}

// docSnippet returns the language and text of the fenced block marked
// <!-- ci-test: name --> in a Markdown file. The marker must be on the
// line just before the block, and used once.
func docSnippet(path, name string) (lang, body string, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", "", err
	}
	marker := "<!-- ci-test: " + name + " -->"
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	found := -1
	for i, l := range lines {
		if strings.TrimSpace(l) == marker {
			if found >= 0 {
				return "", "", fmt.Errorf("%s: %q is marked twice", path, name)
			}
			found = i
		}
	}
	if found < 0 || found+1 >= len(lines) || !strings.HasPrefix(lines[found+1], "```") {
		return "", "", fmt.Errorf("%s: no fenced block marked %q", path, marker)
	}
	lang = strings.TrimSpace(strings.TrimPrefix(lines[found+1], "```"))
	var b strings.Builder
	for _, l := range lines[found+2:] {
		if strings.HasPrefix(l, "```") {
			return lang, b.String(), nil
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return "", "", fmt.Errorf("%s: the block marked %q never ends", path, name)
}

var (
	secretExpr = regexp.MustCompile(`^\$\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$`)
	plainValue = regexp.MustCompile(`^[A-Za-z0-9_./:@ -]*$`)
)

// yamlShell turns a GitHub Actions workflow or a GitLab CI file into the
// shell its rotation step or job runs.
func yamlShell(text, stepID string) (string, error) {
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return "", err
	}
	var b strings.Builder
	exports := func(env map[string]any) error {
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := fmt.Sprint(env[k])
			switch m := secretExpr.FindStringSubmatch(v); {
			case m != nil:
				fmt.Fprintf(&b, "export %s=\"${%s}\"\n", k, m[1])
			case plainValue.MatchString(v):
				fmt.Fprintf(&b, "export %s='%s'\n", k, v)
			default:
				return fmt.Errorf("cidoc: cannot turn %s: %q into shell", k, v)
			}
		}
		return nil
	}
	if jobs, ok := doc["jobs"].(map[string]any); ok { // GitHub Actions
		for _, job := range jobs {
			steps, _ := job.(map[string]any)["steps"].([]any)
			for _, s := range steps {
				step, _ := s.(map[string]any)
				if step["id"] != stepID {
					continue
				}
				b.WriteString("set -eo pipefail\n")
				env, _ := step["env"].(map[string]any)
				if err := exports(env); err != nil {
					return "", err
				}
				run, _ := step["run"].(string)
				b.WriteString(run)
				b.WriteByte('\n')
				return b.String(), nil
			}
		}
		return "", fmt.Errorf("cidoc: the workflow has no step with id %s", stepID)
	}
	for name, j := range doc { // GitLab CI
		job, ok := j.(map[string]any)
		if !ok || job["script"] == nil || strings.HasPrefix(name, ".") {
			continue
		}
		b.WriteString("set -e\n")
		vars, _ := job["variables"].(map[string]any)
		if err := exports(vars); err != nil {
			return "", err
		}
		lines, _ := job["script"].([]any)
		for _, l := range lines {
			fmt.Fprintln(&b, l)
		}
		return b.String(), nil
	}
	return "", fmt.Errorf("cidoc: neither a GitHub Actions workflow nor a GitLab CI job")
}
