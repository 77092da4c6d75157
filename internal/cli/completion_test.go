package cli

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/iostreams"
)

// TestCompletionTimeout: a zone that does not answer makes a completion
// offer nothing after completionTimeout, rather than hang the shell.
func TestCompletionTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })

	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("zones:\n  eu1:\n    url: "+srv.URL+"/api/v2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"MAKETOKEN_CONFIG":    cfg,
		"MAKETOKEN_TOKEN_EU1": "3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e",
		"HOME":                dir,
		"XDG_CONFIG_HOME":     filepath.Join(dir, ".config"),
		"XDG_CACHE_HOME":      filepath.Join(dir, ".cache"),
	}
	for _, args := range [][]string{
		{"__complete", "revoke", ""},
		{"__complete", "list", "--label", ""},
		{"__complete", "create", "-s", ""},
	} {
		t.Run(strings.Join(args[1:], " "), func(t *testing.T) {
			t.Parallel()
			var out, errOut strings.Builder
			deps := Deps{
				IO:     &iostreams.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
				Getenv: func(k string) string { return env[k] },
				Now:    time.Now,
			}
			start := time.Now()
			code := Main(context.Background(), args, deps)
			elapsed := time.Since(start)
			if code != 0 {
				t.Fatalf("exit %d; stderr: %s", code, errOut.String())
			}
			if elapsed < completionTimeout || elapsed > completionTimeout+3*time.Second {
				t.Errorf("took %s, want about %s", elapsed, completionTimeout)
			}
			if got := out.String(); got != ":4\n" {
				t.Errorf("stdout = %q, want only the directive", got)
			}
		})
	}
}
