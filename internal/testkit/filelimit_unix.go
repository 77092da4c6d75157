//go:build unix

package testkit

import (
	"flag"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// RefusingWritesPast runs f while the file system refuses every write past
// the first size bytes of a file (the file-size limit: EFBIG, as on a full
// disk). The limit is the whole process's: a test that uses it must begin
// with OwnProcess, so that go test's log of the test's file reads (kept for
// its cache, and written while f runs) is not refused too.
func RefusingWritesPast(t *testing.T, size uint64, f func()) {
	t.Helper()
	if testLogged() {
		t.Fatal("RefusingWritesPast in a test that did not begin with testkit.OwnProcess")
	}
	var was unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_FSIZE, &was); err != nil {
		t.Skip(err)
	}
	if was.Max < size {
		t.Skipf("file-size limit already %d", was.Max)
	}
	limit := was
	limit.Cur = size
	if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &limit); err != nil {
		t.Skip(err)
	}
	defer func() {
		if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &was); err != nil {
			t.Fatal(err)
		}
	}()
	f() // Go ignores SIGXFSZ: a write past the limit fails with EFBIG.
}

// OwnProcess runs the calling top-level test again in a process of its
// own when go test logs what it reads (-test.testlogfile), and reports
// whether the test goes on here: false in the process that ran the child
// (which passes or fails as the child did).
func OwnProcess(t *testing.T) bool {
	t.Helper()
	if !testLogged() {
		return true
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^"+regexp.QuoteMeta(t.Name())+"$", "-test.count=1", "-test.v") //nolint:gosec // this test binary, running one of its own tests
	out, err := cmd.CombinedOutput()
	switch {
	case err != nil:
		t.Fatalf("%s in a process of its own: %v\n%s", t.Name(), err, out)
	case strings.Contains(string(out), "--- SKIP: "+t.Name()+" "):
		t.Skipf("skipped in a process of its own:\n%s", out)
	case !strings.Contains(string(out), "--- PASS: "+t.Name()+" "):
		t.Fatalf("%s did not run in a process of its own:\n%s", t.Name(), out)
	}
	return false
}

func testLogged() bool {
	f := flag.Lookup("test.testlogfile")
	return f != nil && f.Value.String() != ""
}
