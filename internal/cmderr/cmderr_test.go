package cmderr

import (
	"errors"
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

// TestAfterCleanup: a clean-up that failed after a command keeps the
// command's exit code; it is reported on its own after a success or
// after a failure already reported, and told with a failure still to be.
func TestAfterCleanup(t *testing.T) {
	cleanup := errors.New("zone eu1: the token was not revoked")
	var reported []error
	report := func(err error) { reported = append(reported, err) }
	failed := &Error{Code: NoMatch, Err: errors.New("no such thing")}
	for _, c := range []struct {
		name           string
		result, err    error
		wantCode       int
		wantMsg        string
		wantReported   bool
		wantSameResult bool
	}{
		{name: "both fine", wantCode: OK, wantSameResult: true},
		{name: "the command failed alone", result: failed, wantCode: NoMatch, wantMsg: "no such thing", wantSameResult: true},
		{name: "after a success", err: cleanup, wantCode: OK, wantReported: true},
		{name: "after a silent failure", result: Silent(3), err: cleanup, wantCode: 3, wantReported: true, wantSameResult: true},
		{name: "after a failure to report", result: failed, err: cleanup, wantCode: NoMatch, wantMsg: "no such thing; and zone eu1: the token was not revoked"},
	} {
		reported = nil
		got := AfterCleanup(c.result, c.err, report)
		if code := Code(got); code != c.wantCode {
			t.Errorf("%s: code %d, want %d", c.name, code, c.wantCode)
		}
		if c.wantMsg != "" && (got == nil || got.Error() != c.wantMsg) {
			t.Errorf("%s: %v, want %q", c.name, got, c.wantMsg)
		}
		if c.wantSameResult && (!errors.Is(got, c.result) || (got != nil && got.Error() != c.result.Error())) {
			t.Errorf("%s: %v, want the command's own %v", c.name, got, c.result)
		}
		if c.wantReported != (len(reported) == 1 && errors.Is(reported[0], cleanup)) || len(reported) > 1 {
			t.Errorf("%s: reported %v", c.name, reported)
		}
		if c.err != nil && !c.wantReported && !errors.Is(got, cleanup) {
			t.Errorf("%s: %v does not wrap the clean-up's error", c.name, got)
		}
	}
}
