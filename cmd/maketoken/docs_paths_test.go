package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocsCiteFilesThatExist: a path of the repository that README.md or a
// page of docs/ names in backquotes (`cmd/maketoken/live_test.go`,
// `.ci/run`, a page `x/y.md`) or links to is in the repository.
// Placeholders (<zone>, *, $VAR) and paths outside it (~/.config/...,
// /usr/...) are not paths of the repository.
func TestDocsCiteFilesThatExist(t *testing.T) {
	// Paths in the reader's own repository, which the docs tell them to
	// make.
	readersOwn := map[string]bool{".github/workflows/rotate-make-tokens.yml": true}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	pages, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	pages = append(pages, filepath.Join(root, "README.md"))
	if len(pages) < 5 {
		t.Fatalf("found only %d pages", len(pages))
	}
	quoted := regexp.MustCompile("`([^`\\s]+)`|\\]\\(([^)#\\s]+)")
	// The top-level folders and files of the repository: a cited path
	// starts with one of them.
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	top := map[string]bool{}
	for _, e := range entries {
		if e.Name() != ".git" {
			top[e.Name()] = true
		}
	}
	for _, page := range pages {
		data, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, page)
		for _, m := range quoted.FindAllStringSubmatch(string(data), -1) {
			p := m[1] + m[2]
			if strings.ContainsAny(p, "<>*$:{}") || !strings.Contains(p, "/") {
				continue
			}
			// A link is relative to its page; a path in backquotes to
			// the repository's root.
			full := filepath.Join(root, p)
			switch {
			case m[2] != "":
				full = filepath.Join(filepath.Dir(page), p)
			case readersOwn[p]:
				continue
			case !top[strings.SplitN(p, "/", 2)[0]] && !strings.HasSuffix(p, ".md"):
				continue
			}
			if _, err := os.Stat(full); err != nil {
				t.Errorf("%s cites %s, which is not in the repository", rel, p)
			}
		}
	}
}
