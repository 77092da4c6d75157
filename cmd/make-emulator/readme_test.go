//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// The README's first-run snippets, run as a new user would: as a non-root
// user (nobody, when the tests run as root) with a fresh HOME, a fresh
// checkout, no keyring and no D-Bus session. The snippets are read from
// README.md, so that the test follows what the README says.

const nobody = 65534

// readmeBlock returns the code lines of the first ```sh block after the
// heading.
func readmeBlock(t *testing.T, readme, heading string) string {
	t.Helper()
	_, after, ok := strings.Cut(readme, "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q section", heading)
	}
	_, after, ok = strings.Cut(after, "```sh\n")
	if !ok {
		t.Fatalf("README.md: no ```sh block under %q", heading)
	}
	block, _, ok := strings.Cut(after, "```")
	if !ok {
		t.Fatalf("README.md: unterminated block under %q", heading)
	}
	return block
}

// newUser is a non-root user with a fresh HOME and checkout, and Go's
// caches shared between runs (a fresh build cache costs minutes).
type newUser struct {
	home, checkout, tmp string
	env                 []string
	asUser              []string // the command prefix that becomes the user
	uid                 int
}

func setUpNewUser(t *testing.T, root string) *newUser {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command: the README's first command installs with it")
	}
	u := &newUser{uid: os.Getuid()}
	if u.uid == 0 {
		setpriv, err := exec.LookPath("setpriv")
		if err != nil {
			t.Skip("SKIPPED: setpriv (util-linux) is missing, so the README cannot be tried as a non-root user")
		}
		u.uid = nobody
		u.asUser = []string{setpriv, "--reuid=" + strconv.Itoa(nobody), "--regid=" + strconv.Itoa(nobody), "--clear-groups", "--"}
	}
	mkdir := func(dir string) string {
		t.Helper()
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		u.chown(t, dir)
		return dir
	}
	base := openTempDir(t, "readme-user-")
	u.home = mkdir(filepath.Join(base, "home"))
	u.tmp = mkdir(filepath.Join(base, "tmp"))
	u.checkout = filepath.Join(u.home, "src", "maketoken")
	copyCheckout(t, root, u.checkout)
	u.chownTree(t, filepath.Join(u.home, "src"))

	// Go's module and build caches, shared between runs and owned by
	// the user. The modules come from this machine's own module cache, as
	// a proxy would serve them.
	shared := filepath.Join(os.TempDir(), fmt.Sprintf("maketoken-readme-go-%d", u.uid))
	if fi, err := os.Lstat(shared); err == nil {
		st, _ := fi.Sys().(*syscall.Stat_t)
		if !fi.IsDir() || st == nil || int(st.Uid) != u.uid {
			t.Fatalf("%s exists but is not a folder owned by uid %d: remove it", shared, u.uid)
		}
	}
	mkdir(shared)
	modCache := filepath.Join(shared, "mod")
	download := exec.Command(goTool, "mod", "download")
	download.Dir = root
	download.Env = append(os.Environ(), "GOMODCACHE="+modCache, "GOFLAGS=-modcacherw",
		"GOPROXY=file://"+filepath.Join(goEnv(t, goTool, "GOMODCACHE"), "cache", "download")+","+goEnv(t, goTool, "GOPROXY"))
	if out, err := download.CombinedOutput(); err != nil {
		t.Fatalf("go mod download into %s: %v\n%s", modCache, err, out)
	}
	u.chownTree(t, shared)

	u.env = []string{
		"HOME=" + u.home,
		"USER=nobody",
		"PATH=" + filepath.Dir(goTool) + ":/usr/local/bin:/usr/bin:/bin",
		"SHELL=/bin/bash",
		"TERM=xterm-256color",
		"LANG=C.UTF-8",
		"TMPDIR=" + u.tmp,
		"GOMODCACHE=" + modCache,
		"GOCACHE=" + filepath.Join(shared, "build"),
		"GOFLAGS=-modcacherw",
		"GOPROXY=off",
		"GOTOOLCHAIN=local",
	}
	return u
}

func goEnv(t *testing.T, goTool, name string) string {
	t.Helper()
	out, err := exec.Command(goTool, "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

func (u *newUser) chown(t *testing.T, path string) {
	t.Helper()
	if os.Getuid() == 0 {
		if err := os.Lchown(path, u.uid, u.uid); err != nil {
			t.Fatal(err)
		}
	}
}

func (u *newUser) chownTree(t *testing.T, dir string) {
	t.Helper()
	if os.Getuid() != 0 {
		return
	}
	err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, u.uid, u.uid)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// copyCheckout copies the repository's files (tracked, and new ones not
// ignored) as a fresh clone would have them.
func copyCheckout(t *testing.T, root, dst string) {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Skipf("SKIPPED: cannot list the repository's files with git: %v", err)
	}
	for name := range strings.SplitSeq(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, name)
		fi, err := os.Lstat(src)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the work tree
		}
		if err != nil {
			t.Fatal(err)
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dst, name)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, data, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
}

// onTerminal runs script with sh as the user, on a pseudo-terminal of the
// given width, and returns what the terminal showed and the exit code.
// interact, if set, gets the terminal while the script runs.
func (u *newUser) onTerminal(t *testing.T, script string, cols int, timeout time.Duration, interact func(*terminal)) (string, int) {
	t.Helper()
	argv := append(append([]string(nil), u.asUser...), "/bin/sh", "-c", script)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = u.checkout
	cmd.Env = u.env
	return runOnTerminal(t, cmd, cols, timeout, interact)
}

// runOnTerminal runs cmd on a pseudo-terminal cols wide, lets interact
// type into it, and returns what the terminal showed and the exit code;
// past timeout it kills cmd and fails the test.
func runOnTerminal(t *testing.T, cmd *exec.Cmd, cols int, timeout time.Duration, interact func(*terminal)) (string, int) {
	t.Helper()
	term, code := runOnTerminalBytes(t, cmd, cols, timeout, interact)
	return term.text(), code
}

// runOnTerminalBytes is runOnTerminal returning the terminal, whose raw
// bytes a test may play on a screen of its own (see internal/vtscreen).
func runOnTerminalBytes(t *testing.T, cmd *exec.Cmd, cols int, timeout time.Duration, interact func(*terminal)) (*terminal, int) {
	t.Helper()
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: uint16(cols)})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	term := &terminal{f: f, changed: make(chan struct{}, 1)}
	go term.read()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if interact != nil {
		interact(term)
	}
	select {
	case err = <-done:
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("still running after %s; the terminal showed:\n%s", timeout, term.text())
	}
	code := 0
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	term.wait(t, func(string) bool { return term.eof() }, 10*time.Second)
	return term, code
}

// terminal is the reading side of a pseudo-terminal.
type terminal struct {
	f       *os.File
	mu      sync.Mutex
	buf     bytes.Buffer
	closed  bool
	changed chan struct{}
}

func (tm *terminal) read() {
	b := make([]byte, 4096)
	for {
		n, err := tm.f.Read(b)
		tm.mu.Lock()
		tm.buf.Write(b[:n])
		if err != nil {
			tm.closed = true
		}
		tm.mu.Unlock()
		select {
		case tm.changed <- struct{}{}:
		default:
		}
		if err != nil {
			return
		}
	}
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07`)

// text is what the terminal shows, without colours: of a line redrawn
// after a carriage return (a progress line), only its last form.
func (tm *terminal) text() string {
	tm.mu.Lock()
	raw := tm.buf.String()
	tm.mu.Unlock()
	lines := strings.Split(strings.ReplaceAll(ansi.ReplaceAllString(raw, ""), "\r\n", "\n"), "\n")
	for i, l := range lines {
		l = strings.TrimRight(l, "\r")
		lines[i] = l
		if j := strings.LastIndex(l, "\r"); j >= 0 {
			lines[i] = l[j+1:]
		}
	}
	return strings.Join(lines, "\n")
}

// raw is every byte the terminal was sent.
func (tm *terminal) raw() []byte {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return bytes.Clone(tm.buf.Bytes())
}

func (tm *terminal) eof() bool {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.closed
}

// wait waits until ok(text) holds.
func (tm *terminal) wait(t *testing.T, ok func(string) bool, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for !ok(tm.text()) {
		select {
		case <-tm.changed:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatalf("gave up waiting after %s; the terminal showed:\n%s", timeout, tm.text())
		}
	}
}

func (tm *terminal) waitFor(t *testing.T, s string, timeout time.Duration) {
	t.Helper()
	tm.wait(t, func(text string) bool { return strings.Contains(text, s) }, timeout)
}

func (tm *terminal) send(t *testing.T, s string) {
	t.Helper()
	if _, err := tm.f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// leftovers lists what a run left behind: processes whose environment
// names the user's HOME.
func leftoverProcesses(home string) []string {
	var left []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil || !bytes.Contains(append([]byte{0}, env...), []byte("\x00HOME="+home+"\x00")) {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		left = append(left, e.Name()+": "+strings.ReplaceAll(string(cmdline), "\x00", " "))
	}
	return left
}

// homeLeftovers lists what in HOME is not the checkout, the two installed
// binaries, Go's own telemetry counters or bash's history.
func homeLeftovers(t *testing.T, home string) []string {
	t.Helper()
	allowed := map[string]bool{
		"src": true, "go": true, "go/bin": true, "go/bin/maketoken": true, "go/bin/make-emulator": true,
		".bash_history": true, ".config": true,
	}
	var left []string
	err := filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(home, p)
		switch {
		case rel == ".":
			return nil
		case rel == "src", rel == filepath.Join(".config", "go"):
			return filepath.SkipDir
		case !allowed[rel]:
			left = append(left, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return left
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestReadmeFirstRunAsNewUser(t *testing.T) {
	root := repoRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	quickStart := readmeBlock(t, string(readme), "## Quick start")
	offline := readmeBlock(t, string(readme), "## Try it offline")
	realAccount := readmeBlock(t, string(readme), "Then, with a real account (put Go's bin folder on your `PATH` first):")
	u := setUpNewUser(t, root)
	for _, v := range u.env {
		if strings.HasPrefix(v, "DBUS_") || strings.HasPrefix(v, "XDG_RUNTIME_DIR=") {
			t.Fatalf("the new user must have no D-Bus session: %s", v)
		}
	}

	t.Run("quick start", func(t *testing.T) {
		// The first build as this user compiles everything: minutes.
		shown, code := u.onTerminal(t, quickStart, 120, 9*time.Minute, nil)
		if code != 0 {
			t.Fatalf("the README's first command exited %d:\n%s", code, shown)
		}
		t.Logf("the terminal showed:\n%s", shown)
		if !strings.Contains(shown, "make-emulator: maketoken is wired to an in-memory emulator") {
			t.Error("no first line saying that this is the emulator")
		}
		// A table of tokens (a header, then rows) with rows of two zones
		// or more.
		header := regexp.MustCompile(`(?m)^ZONE +LABEL +.*TOKEN`)
		if !header.MatchString(shown) {
			t.Error("no table of tokens (a ZONE LABEL ... TOKEN header)")
		}
		zonesSeen := map[string]bool{}
		row := regexp.MustCompile(`(?m)^(eu1|eu2|us1|us2|celonis-eu1|celonis-us1) +(ci-nightly|reporting|zapier-bridge) `)
		for _, m := range row.FindAllStringSubmatch(shown, -1) {
			zonesSeen[m[1]] = true
		}
		if len(zonesSeen) < 2 {
			t.Errorf("token rows of %d zone(s) (%v), want 2 or more", len(zonesSeen), zonesSeen)
		}
		// A completed rotation: the new token delivered in full, the old
		// one revoked.
		if !regexp.MustCompile(`(?m)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(shown) {
			t.Error("rotate delivered no new token")
		}
		if !regexp.MustCompile(`(?i)revoked 1 of 1 token`).MatchString(shown) {
			t.Error("rotate did not say that it revoked the old ci-nightly token")
		}
	})

	t.Run("try it offline", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(u.home, "go", "bin", "make-emulator")); err != nil {
			t.Skip("the quick start installed no make-emulator")
		}
		var config string
		shown, code := u.onTerminal(t, offline, 100, 2*time.Minute, func(tm *terminal) {
			tm.waitFor(t, "(make-emulator) ", time.Minute)
			tm.send(t, "maketoken list\r")
			tm.waitFor(t, "zapier-bridge", time.Minute)
			tm.send(t, "echo \"config=$MAKETOKEN_CONFIG\"\r")
			tm.wait(t, func(s string) bool {
				m := regexp.MustCompile(`config=(/\S+)`).FindStringSubmatch(s)
				if m != nil {
					config = m[1]
				}
				return m != nil
			}, time.Minute)
			tm.send(t, "exit\r")
		})
		if code != 0 {
			t.Fatalf("the shell snippet exited %d:\n%s", code, shown)
		}
		t.Logf("the terminal showed:\n%s", shown)
		if !regexp.MustCompile(`(?m)^eu1 .*ci-nightly|^ci-nightly `).MatchString(shown) {
			t.Errorf("`maketoken list` in the shell showed no ci-nightly token")
		}
		if !strings.HasPrefix(config, u.tmp+"/") {
			t.Errorf("the config file %q is not in the user's TMPDIR %s", config, u.tmp)
		}
		if _, err := os.Stat(filepath.Dir(config)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the emulator's folder %s is still there after exit: %v", filepath.Dir(config), err)
		}
	})

	// The README's block for a real account, typed line by line into
	// `make-emulator shell` (a person trying it before using it for real):
	// each line must work there as it would with an account, the login
	// answered with the token a person would copy from eu1's profile page.
	t.Run("with a real account, inside make-emulator shell", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(u.home, "go", "bin", "make-emulator")); err != nil {
			t.Skip("the quick start installed no make-emulator")
		}
		// A stand-in for the README's some-tool-that-reads-MAKE_API_KEY:
		// it says how long a key it got, never the key.
		tools := openTempDir(t, "readme-tools-")
		tool := "#!/bin/sh\nprintf 'the tool got a MAKE_API_KEY of %d characters\\n' \"${#MAKE_API_KEY}\"\n"
		if err := os.WriteFile(filepath.Join(tools, "some-tool-that-reads-MAKE_API_KEY"), []byte(tool), 0o755); err != nil {
			t.Fatal(err)
		}
		tokenFile := filepath.Join(u.checkout, "ci-token.txt")
		t.Cleanup(func() { os.Remove(tokenFile) })
		readToken := func(t *testing.T) string {
			t.Helper()
			data, err := os.ReadFile(tokenFile)
			if err != nil {
				t.Fatal(err)
			}
			return strings.TrimSpace(string(data))
		}
		uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
		const prompt = "(make-emulator) "
		var created, rotated string
		shown, code := u.onTerminal(t, offline, 100, 4*time.Minute, func(tm *terminal) {
			tm.waitFor(t, prompt, time.Minute)
			// run types line and waits for the shell's next prompt;
			// answer, if set, answers what line asks meanwhile.
			run := func(line string, answer func()) {
				t.Helper()
				n := strings.Count(tm.text(), prompt)
				tm.send(t, line+"\r")
				if answer != nil {
					answer()
				}
				tm.wait(t, func(s string) bool { return strings.Count(s, prompt) > n }, 2*time.Minute)
			}
			run(`PATH="$PATH:`+tools+`"`, nil)
			run(`echo "eu1-token=$MAKETOKEN_TOKEN_EU1"`, nil)
			m := regexp.MustCompile(`eu1-token=([0-9a-f-]{36})`).FindStringSubmatch(tm.text())
			if m == nil {
				t.Fatalf("no token of eu1 in the session:\n%s", tm.text())
			}
			token := m[1]
			for i, line := range strings.Split(strings.TrimSpace(realAccount), "\n") {
				var answer func()
				if strings.HasPrefix(line, "maketoken login") {
					answer = func() {
						tm.waitFor(t, "not be shown:", time.Minute)
						tm.send(t, token+"\r")
					}
				}
				run(line, answer)
				run(fmt.Sprintf(`echo "README-LINE-%d=$?"`, i), nil)
				rc := regexp.MustCompile(fmt.Sprintf(`README-LINE-%d=(\d+)`, i)).FindStringSubmatch(tm.text())
				if rc == nil || rc[1] != "0" {
					t.Errorf("the README's line %q failed (%v) inside make-emulator shell", line, rc)
				}
				switch {
				case strings.HasPrefix(line, "maketoken create"):
					created = readToken(t)
				case strings.HasPrefix(line, "maketoken rotate"):
					rotated = readToken(t)
				}
			}
			tm.send(t, "exit\r")
		})
		t.Logf("the terminal showed:\n%s", shown)
		if code != 0 {
			t.Fatalf("make-emulator shell exited %d", code)
		}
		if !strings.Contains(shown, "Logged in to zone eu1") {
			t.Error("the login did not say it logged in")
		}
		if !uuid.MatchString(created) || !uuid.MatchString(rotated) || created == rotated {
			t.Errorf("create wrote %q and rotate %q to ci-token.txt: want two different tokens", created, rotated)
		}
		if !regexp.MustCompile(`the tool got a MAKE_API_KEY of [1-9][0-9]* characters`).MatchString(shown) {
			t.Error("exec gave the tool no MAKE_API_KEY")
		}
		if strings.Contains(shown, created) || strings.Contains(shown, rotated) {
			t.Error("a token written to ci-token.txt was shown on the terminal")
		}
	})

	if left := leftoverProcesses(u.home); len(left) > 0 {
		t.Errorf("processes left running:\n%s", strings.Join(left, "\n"))
	}
	if left := homeLeftovers(t, u.home); len(left) > 0 {
		t.Errorf("HOME holds more than the checkout and the two binaries: %v", left)
	}
	if entries, err := os.ReadDir(u.tmp); err != nil || len(entries) > 0 {
		t.Errorf("the user's TMPDIR is not empty afterwards: %v %v", entries, err)
	}
}
