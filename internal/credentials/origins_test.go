package credentials

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOriginsRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "credential-hosts.json")
	o := Origins{Path: path}

	// Nothing recorded (a login from before the record): not checked.
	if err := o.Check("eu1", "https://evil.example/api/v2"); err != nil {
		t.Fatalf("no record: %v", err)
	}
	if err := o.Set("eu1", "https://EU1.make.com/api/v2"); err != nil {
		t.Fatal(err)
	}
	if err := o.Set("us1", "http://127.0.0.1:8081/api/v2"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o, want 0600", fi.Mode().Perm())
	}
	if rec, _ := o.Recorded("eu1"); rec != "https://eu1.make.com" {
		t.Errorf("recorded %q", rec)
	}
	// Another path on the same origin is the same place.
	if err := o.Check("eu1", "https://eu1.make.com/other/api/v2"); err != nil {
		t.Errorf("same origin: %v", err)
	}
	for _, moved := range []string{"https://us1.make.com/api/v2", "http://eu1.make.com/api/v2", "https://eu1.make.com:8443/api/v2"} {
		err := o.Check("eu1", moved)
		var oc *OriginChangedError
		if !errors.As(err, &oc) || oc.Recorded != "https://eu1.make.com" || oc.Current != Origin(moved) {
			t.Errorf("%s: %v", moved, err)
			continue
		}
		if !strings.Contains(err.Error(), "maketoken login -z eu1") {
			t.Errorf("no way to confirm in %q", err)
		}
	}
	// Removing one zone keeps the other.
	if err := o.Set("eu1", ""); err != nil {
		t.Fatal(err)
	}
	if rec, _ := o.Recorded("eu1"); rec != "" {
		t.Errorf("eu1 still recorded: %q", rec)
	}
	if rec, _ := o.Recorded("us1"); rec != "http://127.0.0.1:8081" {
		t.Errorf("us1 lost: %q", rec)
	}
	// No temp file is left beside it.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("files left: %v", entries)
	}
}

func TestOriginsBadRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credential-hosts.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	o := Origins{Path: path}
	// An unreadable record refuses rather than sends anywhere...
	if err := o.Check("eu1", "https://eu1.make.com/api/v2"); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("bad record: %v", err)
	}
	// ...login (Set) does not overwrite what it cannot read, and logout
	// (removing) does not fail on it.
	if err := o.Set("eu1", "https://eu1.make.com/api/v2"); err == nil {
		t.Error("Set over a bad record succeeded")
	}
	if err := o.Set("eu1", ""); err != nil {
		t.Errorf("remove from a bad record: %v", err)
	}
}

func TestOriginsNoPath(t *testing.T) {
	var o Origins
	if err := o.Set("eu1", "https://eu1.make.com/api/v2"); err != nil {
		t.Fatal(err)
	}
	if err := o.Check("eu1", "https://us1.make.com/api/v2"); err != nil {
		t.Errorf("no path: %v", err)
	}
}
