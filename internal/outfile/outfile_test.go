//go:build unix

package outfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maketoken/maketoken/internal/testkit"
)

func TestCheckRefusesWhatCannotReceiveASecret(t *testing.T) {
	dir, existing := testkit.TempFile(t, "existing", "old\n")
	link := testkit.Symlink(t, filepath.Join(dir, "elsewhere"), filepath.Join(dir, "link"))
	fifo := testkit.FIFO(t, filepath.Join(dir, "fifo"))
	for _, tt := range []struct {
		path  string
		force bool
		want  string // "" for no error
	}{
		{filepath.Join(dir, "new"), false, ""},
		{existing, true, ""},
		{existing, false, "already exists; pass --force"},
		{link, true, "is a symbolic link"},
		{dir, true, "is a folder"},
		{fifo, true, "is not a regular file"},
	} {
		err := Check(tt.path, tt.force)
		var oe *Error
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Check(%s, %v) = %v, want nil", tt.path, tt.force, err)
		case tt.want != "" && (!errors.As(err, &oe) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Check(%s, %v) = %v, want an *Error saying %q", tt.path, tt.force, err, tt.want)
		}
	}
}

func TestWriteIsPrivateAndNeverReplacesUnasked(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "token.txt")
	f, err := Prepare(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Discard()
	if err := f.Write("s3cret"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != "s3cret\n" {
		t.Fatalf("file holds %q, %v", data, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	f.Discard()
	if left, _ := filepath.Glob(filepath.Join(dir, ".token.txt.tmp-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// A file that appears between Prepare and Write is not replaced.
	late := filepath.Join(dir, "late.txt")
	g, err := Prepare(late, false)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Discard()
	testkit.File(t, late, "someone else's\n")
	if err := g.Write("s3cret"); err == nil {
		t.Error("Write replaced a file that appeared meanwhile")
	}
	if data, _ := os.ReadFile(late); string(data) != "someone else's\n" {
		t.Errorf("the late file now holds %q", data)
	}
}
