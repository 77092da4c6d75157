package credentials

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maketoken/maketoken/internal/testkit"
)

// TestWriteFileAtomicRefusedWrite: a write the file system refuses (here
// past the file-size limit, as on a full disk or an exhausted quota) is an
// error, leaves the old file as it was, and leaves no temporary file with
// the secret behind: neither on disk nor open.
func TestWriteFileAtomicRefusedWrite(t *testing.T) {
	if !testkit.OwnProcess(t) {
		return
	}
	dir, path := testkit.TempFile(t, "credentials.yaml", "old")
	var err error
	testkit.RefusingWritesPast(t, 4096, func() { err = WriteFileAtomic(path, bytes.Repeat([]byte(tokA), 1000), 0o600) })
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
