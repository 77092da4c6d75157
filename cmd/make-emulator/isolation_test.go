//go:build linux

package main

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// insideTheSession is what a user might do in `make-emulator shell`: log
// in (the record of credential hosts, the credentials file), log out
// (which clears the record), fill the scope cache, take a rotation lock,
// and look around. Each step echoes its exit code.
const insideTheSession = `
printf '%s\n' "$MAKETOKEN_TOKEN_EU2" | maketoken login -z eu2 --with-token --insecure-storage; echo "login=$?"
env -u MAKETOKEN_TOKEN_EU2 maketoken status -z eu2 >/dev/null; echo "status=$?"
env -u MAKETOKEN_TOKEN_EU2 maketoken logout -z eu2 --yes; echo "logout=$?"
printf '%s\n' "$MAKETOKEN_TOKEN_US1" | maketoken login -z us1 --with-token --insecure-storage; echo "login2=$?"
maketoken scopes -z eu1 >/dev/null; echo "scopes=$?"
maketoken create -z eu1 -l isolated -s user:read >/dev/null; echo "create=$?"
maketoken rotate -z eu1 --label isolated --yes >/dev/null; echo "rotate=$?"
maketoken list --all-zones >/dev/null; echo "list=$?"
maketoken doctor >/dev/null 2>&1; echo "doctor=$?"
`

// The user's own maketoken files, and those of the other places an OS
// keeps them (macOS's Library, a user-set XDG folder), which a session
// must never touch.
var usersFiles = map[string]string{
	".config/maketoken/credential-hosts.json":                     `{"origins":{"eu1":"https://eu1.make.com","eu2":"https://eu2.make.com","us1":"https://us1.make.com"}}` + "\n",
	".config/maketoken/credentials.yaml":                          "tokens:\n  eu2: the-users-own-eu2-credential\n",
	".config/maketoken/config.yaml":                               "zone: us1\n",
	".cache/maketoken/scopes-eu1.json":                            `{"scopes":["user:read"]}` + "\n",
	"Library/Application Support/maketoken/credential-hosts.json": `{"origins":{"eu2":"https://eu2.make.com"}}` + "\n",
	"Library/Caches/maketoken/scopes-eu1.json":                    `{"scopes":["user:read"]}` + "\n",
	"xdg/config/maketoken/credential-hosts.json":                  `{"origins":{"eu2":"https://eu2.make.com"}}` + "\n",
	"xdg/cache/maketoken/scopes-eu1.json":                         `{"scopes":["user:read"]}` + "\n",
	"xdg/state/keep":                                              "",
}

// A session keeps every maketoken path (config, cache, the record of
// credential hosts, the credentials file, locks) inside its own folder:
// a login, logout, rotation and the rest inside leave the user's files as
// they were, byte for byte and in their times, whether the user relies on
// the default folders or sets XDG_* folders. Run as an unprivileged user
// (nobody, when the tests run as root) with a real-looking HOME.
func TestSessionLeavesTheUsersFilesAlone(t *testing.T) {
	bin := buildBinaries(t)
	asUser, uid := []string(nil), os.Getuid()
	if uid == 0 {
		setpriv, err := exec.LookPath("setpriv")
		if err != nil {
			t.Skip("SKIPPED: setpriv (util-linux) is missing, so the session cannot be tried as a non-root user")
		}
		uid = nobody
		asUser = []string{setpriv, "--reuid=" + strconv.Itoa(nobody), "--regid=" + strconv.Itoa(nobody), "--clear-groups", "--"}
	}
	for _, xdg := range []bool{false, true} {
		t.Run(map[bool]string{false: "default folders", true: "XDG folders set"}[xdg], func(t *testing.T) {
			base := openTempDir(t, "isolation-")
			home, tmp, binDir := filepath.Join(base, "home"), filepath.Join(base, "tmp"), filepath.Join(base, "bin")
			for name, content := range usersFiles {
				p := filepath.Join(home, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			for _, dir := range []string{tmp, binDir} {
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for _, name := range []string{"make-emulator", "maketoken"} {
				data, err := os.ReadFile(filepath.Join(bin, name))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(binDir, name), data, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if os.Getuid() == 0 {
				chownTree(t, home, uid)
				chownTree(t, tmp, uid)
			}
			before := snapshot(t, base)

			env := []string{"HOME=" + home, "TMPDIR=" + tmp, "PATH=" + binDir + ":/usr/bin:/bin", "USER=nobody", "LANG=C.UTF-8"}
			if xdg {
				env = append(env, "XDG_CONFIG_HOME="+filepath.Join(home, "xdg/config"),
					"XDG_CACHE_HOME="+filepath.Join(home, "xdg/cache"), "XDG_STATE_HOME="+filepath.Join(home, "xdg/state"))
			}
			argv := append(append([]string(nil), asUser...), filepath.Join(binDir, "make-emulator"), "run", "--", "sh", "-c", insideTheSession)
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Dir = home
			cmd.Env = env
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("make-emulator run: %v\n%s", err, out)
			}
			// Everything worked inside, as it would outside.
			for _, want := range []string{"login=0", "status=0", "logout=0", "login2=0", "scopes=0", "create=0", "rotate=0", "list=0"} {
				if !strings.Contains(string(out), want+"\n") {
					t.Errorf("no %q inside the session:\n%s", want, out)
				}
			}

			// The session's folder, in TMPDIR, is gone again (TMPDIR's own
			// time changes with it).
			assertEmpty(t, tmp)
			after := snapshot(t, base)
			delete(before, "tmp")
			delete(after, "tmp")
			for _, p := range changes(before, after) {
				t.Errorf("changed outside the session's folder: %s", p)
			}
			if t.Failed() {
				t.Logf("inside the session:\n%s", out)
			}
		})
	}
}

// snapshot describes every file and folder under root: type, mode, owner,
// size, modification time and, for a file, a hash of its content.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		st, _ := fi.Sys().(*syscall.Stat_t)
		desc := fmt.Sprintf("%v uid=%d size=%d mtime=%d", fi.Mode(), st.Uid, fi.Size(), fi.ModTime().UnixNano())
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			desc += fmt.Sprintf(" sha256=%x", sha256.Sum256(data))
		}
		rel, _ := filepath.Rel(root, p)
		m[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// changes lists what differs between two snapshots.
func changes(before, after map[string]string) []string {
	var out []string
	for p, a := range after {
		if b, ok := before[p]; !ok {
			out = append(out, p+" (new)")
		} else if a != b {
			out = append(out, fmt.Sprintf("%s (%s, was %s)", p, a, b))
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			out = append(out, p+" (gone)")
		}
	}
	sort.Strings(out)
	return out
}

func chownTree(t *testing.T, dir string, uid int) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, uid)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// openTempDir is a new folder in the system's temporary folder, which
// other users may enter (t.TempDir's parents are private to this one),
// removed when the test ends.
func openTempDir(t *testing.T, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
