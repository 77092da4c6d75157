package readfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/maketoken/maketoken/internal/testkit"
)

func TestRead(t *testing.T) {
	dir, small := testkit.TempFile(t, "small.yaml", "zone: eu1\n")
	data, fi, err := Read(small, 100)
	if err != nil || string(data) != "zone: eu1\n" || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%q, %v, %v", data, fi, err)
	}
	if _, _, err := Read(small, 5); !strings.Contains(err.Error(), "small.yaml is larger than 5 bytes") {
		t.Errorf("too large: %v", err)
	}
	if _, _, err := Read(filepath.Join(dir, "missing"), 100); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	if _, _, err := Read(dir, 100); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("folder: %v", err)
	}
	if runtime.GOOS == "windows" {
		return
	}
	if data, _, err := Read(os.DevNull, 100); err != nil || len(data) != 0 {
		t.Errorf("/dev/null: %q, %v", data, err)
	}
	if _, _, err := Read("/dev/zero", 100); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "is a device") {
		t.Errorf("/dev/zero: %v", err)
	}
}
