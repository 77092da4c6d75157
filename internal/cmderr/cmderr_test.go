package cmderr

import (
	"io/fs"
	"os/exec"
	"strings"
	"testing"
)

func TestExec(t *testing.T) {
	_, notFound := exec.LookPath("maketoken-no-such-command-anywhere")
	dir := t.TempDir()
	_, isDir := exec.LookPath(dir)
	tests := []struct {
		name string
		err  error
		code int
		msg  string
	}{
		{"maketoken-no-such-command-anywhere", notFound, NotFound, "exec: maketoken-no-such-command-anywhere: command not found (check the name and PATH)"},
		{"./x", &exec.Error{Name: "./x", Err: fs.ErrPermission}, CannotRun, "exec: ./x: cannot run it: "},
		{dir, isDir, CannotRun, "exec: " + dir + ": exec: "}, // found, but a directory
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
