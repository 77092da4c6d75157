//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/kerneltest"
)

// throwAwayUID is a user id no account has, for a test to run maketoken
// as: its kernel keys are the test's to make and destroy. A random one,
// so that two test runs on one machine do not share it.
func throwAwayUID(t *testing.T) int {
	t.Helper()
	for range 100 {
		uid := 1_500_000_000 + rand.IntN(100_000_000)
		if _, err := user.LookupId(strconv.Itoa(uid)); err != nil {
			return uid
		}
	}
	t.Fatal("no free user id found")
	return 0
}

// persistentRing is uid's persistent keyring, as root sees it (through the
// test's keeper thread); it is thrown away, with every key in it, when the
// test ends, and emptied now.
func persistentRing(t *testing.T, uid int) int {
	t.Helper()
	ring, unlink, err := kerneltest.Persistent(uid)
	if err != nil {
		t.Fatalf("the persistent keyring of uid %d: %v", uid, err)
	}
	t.Cleanup(func() {
		if err := kerneltest.Invalidate(ring); err != nil {
			t.Errorf("throwing away the persistent keyring of uid %d: %v", uid, err)
		}
		unlink()
	})
	return ring
}

// TestKernelKeyringAcrossSessions runs the real maketoken binary as a
// throw-away user, on a machine without a Secret Service (no D-Bus at all),
// against the emulator and the real persistent keyring of that user:
// login stores there and says so; every later command, each a new session
// of the same user started after the last one ended, finds the credential;
// rotate --self, create --save and logout work on it; another user (nobody)
// can neither read it nor see it. The user's keyrings are the test's: it
// destroys them at the end. It never touches the invoking user's keys.
func TestKernelKeyringAcrossSessions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	prefix := asNobody(t) // root and setpriv, or skip
	setpriv := prefix[0]
	keyctl, err := exec.LookPath("keyctl")
	if err != nil {
		t.Skip("keyctl (keyutils) is missing: cannot look at the keys as another user")
	}
	setsid, err := exec.LookPath("setsid")
	if err != nil {
		t.Skip("setsid (util-linux) is missing")
	}
	if err := kerneltest.Usable(); err != nil {
		t.Skipf("the kernel keyring cannot be used here: %v", err)
	}
	uid, other := throwAwayUID(t), throwAwayUID(t)
	ring := persistentRing(t, uid)
	otherRing := persistentRing(t, other)

	base, bin := binaryForOthers(t, buildMaketoken(t))

	z := emulatedEU1(t)
	laptop := z.AddToken("laptop", []string{"user:read", "user:write"}, time.Time{})

	// A home of the user's own, with a config file pointing at the emulator.
	homeOf := func(id int) string {
		home := filepath.Join(base, "home-"+strconv.Itoa(id))
		if err := os.Mkdir(home, 0o700); err != nil {
			t.Fatal(err)
		}
		cfg := filepath.Join(home, "config.yaml")
		if err := os.WriteFile(cfg, []byte(fmt.Sprintf("zones:\n  eu1:\n    url: %s\n", z.URL())), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{home, cfg} {
			if err := os.Chown(p, id, id); err != nil {
				t.Fatal(err)
			}
		}
		return home
	}
	home, otherHome := homeOf(uid), homeOf(other)

	// as runs argv as the user id, in a new session (setsid), with a
	// plain environment: no D-Bus, so no Secret Service can be reached.
	as := func(id int, dir, stdin string, argv ...string) (string, string, int) {
		t.Helper()
		full := append([]string{setpriv, "--reuid=" + strconv.Itoa(id), "--regid=" + strconv.Itoa(id), "--clear-groups", setsid, "--wait"}, argv...)
		cmd := exec.Command(full[0], full[1:]...)
		cmd.Dir = dir
		cmd.Env = append(homeIn(dir),
			"PATH=/usr/bin:/bin",
			"MAKETOKEN_CONFIG="+filepath.Join(dir, "config.yaml"),
			"TZ=UTC",
		)
		cmd.Stdin = strings.NewReader(stdin)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return stdout.String(), stderr.String(), code
	}
	maketoken := func(stdin string, args ...string) (string, string, int) {
		t.Helper()
		out, errOut, code := as(uid, home, stdin, append([]string{bin}, args...)...)
		// Each command is a session of its own, over when it returns: no
		// process of the user outlives it.
		if pids, _ := exec.Command("pgrep", "-u", strconv.Itoa(uid)).Output(); len(pids) > 0 {
			t.Fatalf("processes of uid %d still running after %v: %s", uid, args, pids)
		}
		return out, errOut, code
	}
	key := func() (kerneltest.Key, bool) {
		t.Helper()
		k, ok, err := kerneltest.Find(ring, "maketoken:eu1/1001")
		if err != nil {
			t.Fatal(err)
		}
		return k, ok
	}
	holds := func(token string) bool {
		t.Helper()
		k, ok := key()
		if !ok {
			return false
		}
		v, err := kerneltest.Read(k.ID)
		if err != nil {
			t.Fatal(err)
		}
		return v == token
	}

	// --- login, no choice made, no Secret Service: the kernel keyring.
	_, stderr, code := maketoken(laptop.Token+"\n", "login", "-z", "eu1", "--with-token")
	if code != 0 {
		t.Fatalf("login: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"the credential is stored in the kernel keyring.",
		"No Secret Service could be reached, so it went to the kernel keyring (kernel memory, never disk, for your user only): a reboot ends it, and so do 3 days in which maketoken does not use it.",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("login did not say %q:\n%s", want, stderr)
		}
	}
	k, ok := key()
	if !ok || !holds(laptop.Token) {
		t.Fatalf("no key maketoken:eu1/1001 with the token in the persistent keyring of uid %d", uid)
	}
	if k.UID != uid || k.GID != uid || k.Perm != 0x2f010000 {
		t.Errorf("the key: uid %d, gid %d, permissions %08x; want uid and gid %d, permissions 2f010000", k.UID, k.GID, k.Perm, uid)
	}
	// Nothing on disk holds the token.
	if out, _ := exec.Command("grep", "-rlF", laptop.Token, home).Output(); len(out) > 0 {
		t.Errorf("the token is on disk: %s", out)
	}

	// --- a new session of the same user (the first one has ended) finds it.
	out, stderr, code := maketoken("", "status", "-z", "eu1", "-o", "json")
	var status []struct {
		OK               bool   `json:"ok"`
		CredentialSource string `json:"credentialSource"`
		CredentialStore  string `json:"credentialStore"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &status) != nil || len(status) != 1 || !status[0].OK ||
		status[0].CredentialSource != "keyring" || status[0].CredentialStore != "kernel" {
		t.Fatalf("status in a new session: exit %d\n%s\n%s", code, out, stderr)
	}
	if out, stderr, code := maketoken("", "list", "-z", "eu1", "-o", "json", "--jq", ".[] | select(.current) | .label"); code != 0 || out != "laptop\n" {
		t.Errorf("list: exit %d, %q\n%s", code, out, stderr)
	}
	if out, stderr, code := maketoken("", "zones", "-o", "json", "--jq", `.[] | select(.name=="eu1") | .credentialStore`); code != 0 || out != "kernel\n" {
		t.Errorf("zones: exit %d, %q\n%s", code, out, stderr)
	}

	// --- another user can neither read it nor see it.
	serial := strconv.Itoa(k.ID)
	nobodyRun := func(argv ...string) (string, string, int) { return as(nobody, base, "", argv...) }
	if out, _, _ := nobodyRun("cat", "/proc/keys"); strings.Contains(out, "maketoken") || strings.Contains(out, fmt.Sprintf("%08x ", k.ID)) {
		t.Errorf("nobody's /proc/keys shows the key:\n%s", out)
	}
	for _, op := range []string{"describe", "print"} {
		// EACCES, as for every key that is not one's own: neither its
		// name nor its contents.
		out, stderr, code := nobodyRun(keyctl, op, serial)
		if code == 0 || !strings.Contains(stderr, "Permission denied") || strings.Contains(out+stderr, "maketoken") || strings.Contains(out+stderr, laptop.Token) {
			t.Errorf("nobody: keyctl %s %s: exit %d\n%s%s", op, serial, code, out, stderr)
		}
	}
	if _, stderr, code := nobodyRun(keyctl, "get_persistent", "@t", strconv.Itoa(uid)); code == 0 || !strings.Contains(stderr, "Operation not permitted") {
		t.Errorf("nobody got the user's persistent keyring: exit %d\n%s", code, stderr)
	}
	if _, stderr, code := nobodyRun(keyctl, "search", strconv.Itoa(ring), "user", "maketoken:eu1/1001"); code == 0 {
		t.Errorf("nobody searched the user's persistent keyring: %s", stderr)
	}
	// maketoken itself, as another user with the same record and config:
	// its own kernel keyring has nothing.
	rec, err := os.ReadFile(filepath.Join(home, ".config", "maketoken", "accounts.json"))
	if err != nil || !bytes.Contains(rec, []byte(`"store": "kernel"`)) {
		t.Fatalf("the record: %s, %v", rec, err)
	}
	recDir := filepath.Join(otherHome, ".config", "maketoken")
	if err := os.MkdirAll(recDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(recDir, "accounts.json"), rec, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(otherHome, ".config"), recDir, filepath.Join(recDir, "accounts.json")} {
		if err := os.Chown(p, other, other); err != nil {
			t.Fatal(err)
		}
	}
	if out, stderr, code := as(other, otherHome, "", bin, "token", "-z", "eu1"); code != 4 || out != "" || !strings.Contains(stderr, "is gone from the kernel keyring") {
		t.Errorf("another user's maketoken: exit %d, %q\n%s", code, out, stderr)
	}
	if _, ok, _ := kerneltest.Find(otherRing, "maketoken:eu1/1001"); ok {
		t.Error("the other user has a key maketoken:eu1/1001")
	}

	// --- rotate --self: the new token goes into the kernel keyring, the
	// old one is revoked.
	if _, stderr, code := maketoken("", "rotate", "-z", "eu1", "--self", "--yes"); code != 0 || !strings.Contains(stderr, "the kernel keyring, as the zone's credential") {
		t.Fatalf("rotate --self: exit %d\n%s", code, stderr)
	}
	if z.HasToken(laptop.Token) || holds(laptop.Token) {
		t.Error("the old token survived the rotation")
	}
	rotated, stderr, code := maketoken("", "token", "-z", "eu1")
	rotated = strings.TrimSpace(rotated)
	if code != 0 || !z.HasToken(rotated) || !holds(rotated) {
		t.Fatalf("after rotate --self: exit %d, token works %v, in the keyring %v\n%s", code, z.HasToken(rotated), holds(rotated), stderr)
	}

	// --- create --save replaces it there.
	if _, stderr, code := maketoken("", "create", "-z", "eu1", "-l", "saved", "-s", "user:read,user:write", "--save", "-o", "json"); code != 0 {
		t.Fatalf("create --save: exit %d\n%s", code, stderr)
	}
	saved, _, _ := maketoken("", "token", "-z", "eu1")
	saved = strings.TrimSpace(saved)
	if saved == rotated || !holds(saved) || !z.HasToken(saved) {
		t.Errorf("create --save did not store the new token in the kernel keyring")
	}

	// --- logout forgets it.
	if _, stderr, code := maketoken("", "logout", "-z", "eu1"); code != 0 || !strings.Contains(stderr, "removed the credential from: kernel keyring") {
		t.Fatalf("logout: exit %d\n%s", code, stderr)
	}
	if _, ok := key(); ok {
		t.Error("the key outlived logout")
	}
}
