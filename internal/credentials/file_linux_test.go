package credentials

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maketoken/maketoken/internal/testkit"
	"golang.org/x/sys/unix"
)

// TestWriteFileAtomicRefusedWrite: a write the file system refuses (here
// past the file-size limit, as on a full disk or an exhausted quota) is an
// error, leaves the old file as it was, and leaves no temporary file with
// the secret behind: neither on disk nor open.
func TestWriteFileAtomicRefusedWrite(t *testing.T) {
	dir, path := testkit.TempFile(t, "credentials.yaml", "old")
	var was unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_FSIZE, &was); err != nil {
		t.Skip(err)
	}
	limit := was
	limit.Cur = 4096
	if was.Max < limit.Cur {
		t.Skipf("file-size limit already %d", was.Max)
	}
	if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &limit); err != nil {
		t.Skip(err)
	}
	// Go ignores SIGXFSZ: the write beyond the limit fails with EFBIG.
	err := WriteFileAtomic(path, bytes.Repeat([]byte(tokA), 1000), 0o600)
	if rerr := unix.Setrlimit(unix.RLIMIT_FSIZE, &was); rerr != nil {
		t.Fatal(rerr)
	}
	if err == nil {
		t.Fatal("a write the file system refused counted as done")
	}
	if data, _ := os.ReadFile(path); string(data) != "old" {
		t.Errorf("the old file now holds %d bytes", len(data))
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "credentials.yaml" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, fd := range fds {
		target, _ := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if strings.Contains(target, ".credentials.yaml.tmp-") {
			t.Errorf("left open: %s", target)
		}
	}
}

// A folder for the credentials file that cannot be made fails the save
// (in /proc, where nobody can make one, root included).
func TestCredentialsFolderThatCannotBeMade(t *testing.T) {
	path := filepath.Join("/proc/self", "maketoken-no-such-folder", "credentials.yaml")
	if _, err := (&fileStore{path: path}).update("eu1", tokA); err == nil {
		t.Error("saved into a folder that cannot be made")
	}
}

// A record of credential hosts that cannot be written is an error (its
// callers warn that a moved zone would go unnoticed, or refuse the kernel
// keyring), never a record silently not kept.
func TestOriginRecordThatCannotBeWritten(t *testing.T) {
	const url = "https://eu1.make.com/api/v2"
	inProc := Origins{Path: filepath.Join("/proc/self", "maketoken-no-such-folder", "credential-hosts.json")}
	if err := inProc.Set("eu1", url); err == nil {
		t.Error("recorded into a folder that cannot be made")
	}
	// The folder is there, nothing can be written in it.
	if err := (Origins{Path: "/proc/self/credential-hosts.json"}).SetStored("eu1", url, KindFile); err == nil {
		t.Error("recorded into a folder that takes no file")
	}
}
