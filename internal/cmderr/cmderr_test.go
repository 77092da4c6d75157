package cmderr

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestExec(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "not-executable")
	if err := os.WriteFile(plain, []byte("#!/bin/sh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, notFound := exec.LookPath("maketoken-no-such-command-anywhere")
	_, denied := exec.LookPath(plain)
	tests := []struct {
		name string
		err  error
		code int
		msg  string
	}{
		{"maketoken-no-such-command-anywhere", notFound, NotFound, "exec: maketoken-no-such-command-anywhere: command not found (check the name and PATH)"},
		{plain, denied, CannotRun, "exec: " + plain + ": cannot run it: "},
		{"odd", errors.New("exec format error"), CannotRun, "exec: odd: exec format error"},
	}
	for _, tt := range tests {
		err := Exec(tt.name, tt.err)
		if got := Code(err); got != tt.code {
			t.Errorf("Code(Exec(%q)) = %d, want %d", tt.name, got, tt.code)
		}
		if !strings.HasPrefix(err.Error(), tt.msg) {
			t.Errorf("Exec(%q) = %q, want it to start with %q", tt.name, err, tt.msg)
		}
	}
}
