package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
)

// The GitHub Action (action.yml at the repository's root) is tested by
// running its own steps with bash, as a runner would (ghRunner), against
// a local HTTP server that stands in for github.com: it serves a release's
// archives and checksums, the redirect of /releases/latest and the
// repository's tags (git's "dumb" HTTP protocol, for git ls-remote).
//
// The release is goreleaser's snapshot when MAKETOKEN_ACTION_DIST names its
// dist/ folder (.ci/run does, after .ci/release.sh built it). Without it,
// as in a plain `go test ./...`, the test builds a stand-in in goreleaser's
// layout (same names, same archive formats, same checksums file): the
// runner's own platform gets maketoken built from this checkout with a
// version stamped in, the other five get a placeholder file, since this
// machine cannot run them anyway. So every run of the tests checks the
// action's logic, and CI checks it against the real release too.

const actionDistEnv = "MAKETOKEN_ACTION_DIST"

// actionFile is the action under test: the repository's own action.yml.
var actionFile = filepath.Join("..", "..", "action.yml")

// releaseFiles is a maketoken release as the action downloads it.
type releaseFiles struct {
	Dir     string // the archives and the checksums file
	Version string // e.g. 1.2.3 (the tag is v1.2.3)
	Commit  string // what `maketoken version` names
	Real    bool   // goreleaser's snapshot, not the stand-in
}

func (r *releaseFiles) Checksums() string { return "maketoken_" + r.Version + "_checksums.txt" }

func (r *releaseFiles) Archive(goos, goarch string) string {
	ext := "tar.gz"
	if goos == "windows" {
		ext = "zip"
	}
	return fmt.Sprintf("maketoken_%s_%s_%s.%s", r.Version, goos, goarch, ext)
}

var standInRelease struct {
	once sync.Once
	dir  string
	rel  *releaseFiles
	err  error
}

// removeStandInRelease is called once the tests are done (TestMain).
func removeStandInRelease() {
	if standInRelease.dir != "" {
		os.RemoveAll(standInRelease.dir)
	}
}

// actionRelease gives the release the action tests install.
func actionRelease(t testing.TB) *releaseFiles {
	t.Helper()
	rel, err := loadActionRelease()
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

func loadActionRelease() (*releaseFiles, error) {
	if dist := os.Getenv(actionDistEnv); dist != "" {
		rel, err := goreleaserRelease(dist)
		if err != nil {
			return nil, fmt.Errorf("%s=%s: %w", actionDistEnv, dist, err)
		}
		return rel, nil
	}
	standInRelease.once.Do(func() {
		standInRelease.dir, standInRelease.err = os.MkdirTemp("", "maketoken-action-release")
		if standInRelease.err == nil {
			standInRelease.rel, standInRelease.err = buildStandInRelease(standInRelease.dir)
		}
	})
	if standInRelease.err != nil {
		return nil, fmt.Errorf("building the stand-in release: %w", standInRelease.err)
	}
	return standInRelease.rel, nil
}

// goreleaserRelease reads goreleaser's dist/ folder.
func goreleaserRelease(dist string) (*releaseFiles, error) {
	data, err := os.ReadFile(filepath.Join(dist, "metadata.json"))
	if err != nil {
		return nil, fmt.Errorf("not a goreleaser dist/ folder: %w", err)
	}
	var meta struct{ Version, Commit string }
	if err := json.Unmarshal(data, &meta); err != nil {
		return nil, err
	}
	rel := &releaseFiles{Dir: dist, Version: meta.Version, Commit: meta.Commit, Real: true}
	if _, err := os.Stat(filepath.Join(dist, rel.Checksums())); err != nil {
		return nil, err
	}
	return rel, nil
}

var releasePlatforms = [][2]string{
	{"darwin", "amd64"}, {"darwin", "arm64"}, {"linux", "amd64"},
	{"linux", "arm64"}, {"windows", "amd64"}, {"windows", "arm64"},
}

// buildStandInRelease writes a release in goreleaser's layout into dir.
func buildStandInRelease(dir string) (*releaseFiles, error) {
	rel := &releaseFiles{Dir: dir, Version: "0.0.0-standin", Commit: "0123456789abcdef0123456789abcdef01234567"}
	bin := filepath.Join(dir, "build", "maketoken")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command("go", "build", "-o", bin,
		"-ldflags", "-X main.version="+rel.Version+" -X main.commit="+rel.Commit+" -X main.date=2026-01-01T00:00:00Z", ".")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %w\n%s", err, out)
	}
	native, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		return nil, err
	}
	var sums []string
	for _, p := range releasePlatforms {
		name := "maketoken"
		if p[0] == "windows" {
			name += ".exe"
		}
		content := []byte(fmt.Sprintf("stand-in for the maketoken binary of %s/%s (this test cannot run it)\n", p[0], p[1]))
		if p[0] == runtime.GOOS && p[1] == runtime.GOARCH {
			content = native
		}
		files := []archiveFile{{"LICENSE", []byte("MIT\n"), 0o644}, {"README.md", readme, 0o644}, {name, content, 0o755}}
		archive := rel.Archive(p[0], p[1])
		data, err := makeArchive(archive, files)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, archive), data, 0o644); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		sums = append(sums, hex.EncodeToString(sum[:])+"  "+archive)
	}
	sort.Slice(sums, func(i, j int) bool { return sums[i][66:] < sums[j][66:] })
	return rel, os.WriteFile(filepath.Join(dir, rel.Checksums()), []byte(strings.Join(sums, "\n")+"\n"), 0o644)
}

type archiveFile struct {
	name string
	data []byte
	mode int64
}

// makeArchive makes a .tar.gz or a .zip, the files at its top level, as
// goreleaser does.
func makeArchive(name string, files []archiveFile) ([]byte, error) {
	var buf bytes.Buffer
	if strings.HasSuffix(name, ".zip") {
		zw := zip.NewWriter(&buf)
		for _, f := range files {
			h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
			h.SetMode(os.FileMode(f.mode))
			w, err := zw.CreateHeader(h)
			if err != nil {
				return nil, err
			}
			if _, err := w.Write(f.data); err != nil {
				return nil, err
			}
		}
		err := zw.Close()
		return buf.Bytes(), err
	}
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data)), Typeflag: tar.TypeReg}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	err := gz.Close()
	return buf.Bytes(), err
}

// archiveMember reads one file out of a release archive.
func archiveMember(path, member string) ([]byte, error) {
	if strings.HasSuffix(path, ".zip") {
		zr, err := zip.OpenReader(path)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		f, err := zr.Open(member)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return io.ReadAll(f)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err != nil {
			return nil, fmt.Errorf("%s: no %s: %w", path, member, err)
		}
		if h.Name == member {
			return io.ReadAll(tr)
		}
	}
}

// githubStandIn serves, under /maketoken/maketoken, what the action asks
// github.com for: /releases/latest (a redirect to the release's tag),
// /releases/download/vVERSION/FILE (a redirect to the file, as GitHub
// sends downloads to another host) and /info/refs (the tags, for git
// ls-remote).
type githubStandIn struct {
	*httptest.Server
	rel *releaseFiles

	mu       sync.Mutex
	requests []string
	// tamper, if set, changes a file as it is served.
	tamper func(name string, data []byte) []byte
	// refs is the repository's refs as git's info/refs lists them.
	refs string
}

const standInRepo = "/maketoken/maketoken"

func newGithubStandIn(t testing.TB, rel *releaseFiles) *githubStandIn {
	g := startGithubStandIn(rel)
	t.Cleanup(g.Close)
	return g
}

func startGithubStandIn(rel *releaseFiles) *githubStandIn {
	g := &githubStandIn{rel: rel}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	return g
}

// RepoURL is what MAKETOKEN_ACTION_TEST_REPO_URL names.
func (g *githubStandIn) RepoURL() string { return g.URL + standInRepo }

// Requests gives the requests so far ("GET /path") and forgets them.
func (g *githubStandIn) Requests() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	r := g.requests
	g.requests = nil
	return r
}

func (g *githubStandIn) serve(w http.ResponseWriter, req *http.Request) {
	g.mu.Lock()
	g.requests = append(g.requests, req.Method+" "+req.URL.Path)
	tamper, refs := g.tamper, g.refs
	g.mu.Unlock()
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	tag := "v" + g.rel.Version
	path := strings.TrimPrefix(req.URL.Path, standInRepo)
	switch {
	case !strings.HasPrefix(req.URL.Path, standInRepo+"/"):
		if name, ok := strings.CutPrefix(req.URL.Path, "/release-assets/"); ok {
			g.serveFile(w, req, name, tamper)
			return
		}
		http.NotFound(w, req)
	case path == "/releases/latest":
		http.Redirect(w, req, standInRepo+"/releases/tag/"+tag, http.StatusFound)
	case path == "/releases/tag/"+tag:
		fmt.Fprintln(w, "the release page of", tag)
	case strings.HasPrefix(path, "/releases/download/"+tag+"/"):
		name := strings.TrimPrefix(path, "/releases/download/"+tag+"/")
		http.Redirect(w, req, "/release-assets/"+name, http.StatusFound)
	case path == "/info/refs" && refs != "":
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, refs)
	default:
		http.NotFound(w, req)
	}
}

func (g *githubStandIn) serveFile(w http.ResponseWriter, req *http.Request, name string, tamper func(string, []byte) []byte) {
	listed, err := os.ReadFile(filepath.Join(g.rel.Dir, g.rel.Checksums()))
	if err != nil || (name != g.rel.Checksums() && !strings.Contains(string(listed), "  "+name+"\n")) {
		http.NotFound(w, req)
		return
	}
	data, err := os.ReadFile(filepath.Join(g.rel.Dir, name))
	if err != nil {
		http.NotFound(w, req)
		return
	}
	if tamper != nil {
		data = tamper(name, data)
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(data)
}

// runnerPlatform is RUNNER_OS and RUNNER_ARCH for a Go platform.
func runnerPlatform(goos, goarch string) (string, string) {
	os := map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}[goos]
	arch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[goarch]
	return os, arch
}

// machinePath is this machine's PATH without any folder that holds a
// maketoken (the test harness puts one there): maketoken can only come
// from what the action adds.
func machinePath() string { return withoutMaketoken(os.Getenv("PATH")) }

func withoutMaketoken(path string) string {
	var keep []string
	for _, d := range filepath.SplitList(path) {
		if _, err := os.Stat(filepath.Join(d, "maketoken")); err == nil {
			continue
		}
		keep = append(keep, d)
	}
	return strings.Join(keep, string(os.PathListSeparator))
}

// newTestRunner makes a runner for this machine's platform in a fresh
// folder, with the given tool cache, talking to g.
func newTestRunner(t *testing.T, g *githubStandIn, toolCache string) *ghRunner {
	t.Helper()
	dir := t.TempDir()
	osName, arch := runnerPlatform(runtime.GOOS, runtime.GOARCH)
	return &ghRunner{
		RunnerOS: osName, RunnerArch: arch,
		Dir: dir, ToolCache: toolCache,
		Env: map[string]string{
			"PATH": machinePath(), "HOME": filepath.Join(dir, "home"), "TMPDIR": os.TempDir(),
			"MAKETOKEN_ACTION_TEST_REPO_URL": g.RepoURL(),
		},
		Secrets:    func(string) string { return "" },
		Github:     map[string]string{"repository": "octo-org/octo-repo"},
		ActionFile: actionFile,
	}
}

func TestAction(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("runs the action's bash steps with a Unix bash")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	rel := actionRelease(t)
	if rel.Real {
		t.Logf("release: goreleaser snapshot %s from %s", rel.Version, rel.Dir)
	} else {
		t.Logf("release: stand-in %s in goreleaser's layout (set %s=dist to use a snapshot)", rel.Version, actionDistEnv)
	}
	archive := rel.Archive(runtime.GOOS, runtime.GOARCH)

	t.Run("install-then-reuse", func(t *testing.T) {
		g := newGithubStandIn(t, rel)
		toolCache := t.TempDir()
		wf := writeWorkflow(t, `
name: t
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - id: mt
        uses: maketoken/maketoken@main
        with:
          version: v`+rel.Version+`
      - name: version
        env:
          INSTALLED: ${{ steps.mt.outputs.version }}
        run: |
          echo "output: $INSTALLED"
          echo "found: $(command -v maketoken)"
          maketoken version
`)
		r := newTestRunner(t, g, toolCache)
		if err := r.RunJob(wf, ""); err != nil {
			t.Fatalf("job failed: %v\n%s", err, r.Shown.String())
		}
		log := r.Shown.String()
		t.Logf("the first job, as the runner shows it:\n%s", log)
		dir := filepath.Join(toolCache, "maketoken", rel.Version, cacheArch(runtime.GOARCH))
		if got := r.PathAdded(); len(got) != 1 || got[0] != dir {
			t.Errorf("GITHUB_PATH got %q, want [%s]", got, dir)
		}
		wantLines := []string{
			"Downloading " + g.RepoURL() + "/releases/download/v" + rel.Version + "/" + archive,
			"matches maketoken_" + rel.Version + "_checksums.txt.",
			"Installed maketoken " + rel.Version,
			"output: " + rel.Version,
			"found: " + filepath.Join(dir, "maketoken"),
			"maketoken " + rel.Version + " (commit " + rel.Commit + ", built ",
		}
		for _, w := range wantLines {
			if !strings.Contains(log, w) {
				t.Errorf("the log lacks %q:\n%s", w, log)
			}
		}
		reqs := strings.Join(g.Requests(), "\n")
		for _, w := range []string{"GET /maketoken/maketoken/releases/download/v" + rel.Version + "/" + rel.Checksums(), "GET /release-assets/" + archive} {
			if !strings.Contains(reqs, w) {
				t.Errorf("no request %q; requests:\n%s", w, reqs)
			}
		}
		if len(r.Errors) > 0 {
			t.Errorf("errors: %q", r.Errors)
		}

		// The next job on the same machine finds it in the tool cache and
		// downloads nothing.
		r2 := newTestRunner(t, g, toolCache)
		if err := r2.RunJob(wf, ""); err != nil {
			t.Fatalf("second job failed: %v\n%s", err, r2.Shown.String())
		}
		log2 := r2.Shown.String()
		t.Logf("the second job:\n%s", log2)
		for _, w := range []string{"maketoken " + rel.Version + " (" + runtime.GOOS + "/" + runtime.GOARCH + ") is already in the tool cache: " + dir, "maketoken " + rel.Version + " (commit "} {
			if !strings.Contains(log2, w) {
				t.Errorf("the second log lacks %q:\n%s", w, log2)
			}
		}
		if strings.Contains(log2, "Downloading") {
			t.Errorf("the second job downloaded again:\n%s", log2)
		}
		if reqs := g.Requests(); len(reqs) != 0 {
			t.Errorf("the second job made requests: %q", reqs)
		}
		if got := r2.PathAdded(); len(got) != 1 || got[0] != dir {
			t.Errorf("second GITHUB_PATH got %q, want [%s]", got, dir)
		}
	})

	// A tampered archive or checksums file fails the step, says why, and
	// leaves nothing on PATH, in the tool cache or in RUNNER_TEMP.
	for _, tc := range []struct {
		name, want string
		tamper     func(name string, data []byte) []byte
	}{
		{"tampered-archive", "SHA-256 mismatch: " + archive + " is ", func(name string, data []byte) []byte {
			if name == archive {
				data = append([]byte(nil), data...)
				data[len(data)/2] ^= 1
			}
			return data
		}},
		{"tampered-checksums", "SHA-256 mismatch: " + archive + " is ", func(name string, data []byte) []byte {
			if name != rel.Checksums() {
				return data
			}
			var out []string
			for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				if strings.HasSuffix(l, "  "+archive) {
					l = strings.Repeat("0", 64) + "  " + archive
				}
				out = append(out, l)
			}
			return []byte(strings.Join(out, "\n") + "\n")
		}},
		{"not-in-checksums", "has no single SHA-256 line for " + archive + "; nothing was installed", func(name string, data []byte) []byte {
			if name != rel.Checksums() {
				return data
			}
			var out []string
			for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				if !strings.HasSuffix(l, "  "+archive) {
					out = append(out, l)
				}
			}
			return []byte(strings.Join(out, "\n") + "\n")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGithubStandIn(t, rel)
			g.tamper = tc.tamper
			toolCache := t.TempDir()
			r := newTestRunner(t, g, toolCache)
			_, err := r.RunAction("main", map[string]string{"version": rel.Version}, nil)
			var sf stepFailed
			if !errors.As(err, &sf) {
				t.Fatalf("the action did not fail: %v\n%s", err, r.Shown.String())
			}
			t.Logf("the log:\n%s", r.Shown.String())
			if len(r.Errors) != 1 || !strings.Contains(r.Errors[0], tc.want) {
				t.Fatalf("errors %q, want one with %q", r.Errors, tc.want)
			}
			if tc.name != "not-in-checksums" && !strings.Contains(r.Errors[0], "nothing was installed") {
				t.Errorf("the error does not say nothing was installed: %q", r.Errors[0])
			}
			if got := r.PathAdded(); len(got) != 0 {
				t.Errorf("PATH got %q after a failed verification", got)
			}
			if left := listTree(t, toolCache); len(left) != 0 {
				t.Errorf("the tool cache holds %q after a failed verification", left)
			}
			if left := listTree(t, filepath.Join(r.Dir, "temp")); len(filterOut(left, "_runner_file_commands", "step-")) != 0 {
				t.Errorf("RUNNER_TEMP holds %q after a failed verification", left)
			}
		})
	}

	// The other platforms: the right archive, verified and unpacked. macOS
	// without sha256sum (older macOS has only shasum), Windows from a zip.
	for _, p := range releasePlatforms {
		goos, goarch := p[0], p[1]
		if goos == runtime.GOOS && goarch == runtime.GOARCH {
			continue
		}
		t.Run("platform-"+goos+"-"+goarch, func(t *testing.T) {
			g := newGithubStandIn(t, rel)
			toolCache := t.TempDir()
			r := newTestRunner(t, g, toolCache)
			r.RunnerOS, r.RunnerArch = runnerPlatform(goos, goarch)
			exe := "maketoken"
			if goos == "windows" {
				exe += ".exe"
			}
			if goos == "darwin" {
				r.Env["PATH"] = pathWithout(t, "sha256sum")
			}
			out, err := r.RunAction("main", map[string]string{"version": rel.Version}, nil)
			if err != nil {
				t.Fatalf("install failed: %v\n%s", err, r.Shown.String())
			}
			dir := filepath.Join(toolCache, "maketoken", rel.Version, cacheArch(goarch))
			if got := r.PathAdded(); len(got) != 1 || got[0] != dir {
				t.Errorf("GITHUB_PATH got %q, want [%s]", got, dir)
			}
			if out["version"] != rel.Version {
				t.Errorf("output version %q, want %s", out["version"], rel.Version)
			}
			want, err := archiveMember(filepath.Join(rel.Dir, rel.Archive(goos, goarch)), exe)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(dir, exe))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the one in %s", exe, rel.Archive(goos, goarch))
			}
			if !strings.Contains(r.Shown.String(), "matches "+rel.Checksums()) {
				t.Errorf("the log does not say the checksum matched:\n%s", r.Shown.String())
			}
			if left := listTree(t, dir); len(left) != 1 {
				t.Errorf("unpacked %q, want only %s", left, exe)
			}
		})
	}

	// Which release: the version input, the action's ref (a release tag, or
	// a commit or branch a release tag points at), else the latest.
	releaseCommit := strings.Repeat("c", 40)
	refs := strings.Join([]string{
		strings.Repeat("a", 40) + "\trefs/heads/main",
		releaseCommit + "\trefs/heads/stable",
		strings.Repeat("d", 40) + "\trefs/tags/v" + rel.Version,
		releaseCommit + "\trefs/tags/v" + rel.Version + "^{}",
		strings.Repeat("e", 40) + "\trefs/tags/v0.0.0-old",
		strings.Repeat("f", 40) + "\trefs/tags/v0.0.0-old^{}",
	}, "\n") + "\n"
	for _, tc := range []struct {
		name, ref, actionPath, version string
		want, notWant                  []string // request prefixes
		log                            string
	}{
		{name: "ref-release-tag", ref: "v" + rel.Version, notWant: []string{"GET /maketoken/maketoken/info/refs", "HEAD /maketoken/maketoken/releases/latest"}},
		{name: "ref-commit", ref: releaseCommit, want: []string{"GET /maketoken/maketoken/info/refs"}, notWant: []string{"HEAD /maketoken/maketoken/releases/latest"},
			log: "The action's ref " + releaseCommit + " is release v" + rel.Version + "."},
		{name: "ref-branch-at-release", ref: "stable", want: []string{"GET /maketoken/maketoken/info/refs"}, notWant: []string{"HEAD /maketoken/maketoken/releases/latest"},
			log: "The action's ref stable is release v" + rel.Version + "."},
		{name: "ref-branch-latest", ref: "main", want: []string{"GET /maketoken/maketoken/info/refs", "HEAD /maketoken/maketoken/releases/latest"},
			log: "The latest release is v" + rel.Version + "."},
		{name: "ref-from-action-path", actionPath: "/home/runner/work/_actions/maketoken/maketoken/v" + rel.Version,
			notWant: []string{"GET /maketoken/maketoken/info/refs", "HEAD /maketoken/maketoken/releases/latest"}},
		{name: "version-latest", ref: "v9.9.9", version: "latest", want: []string{"HEAD /maketoken/maketoken/releases/latest"},
			log: "The latest release is v" + rel.Version + "."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGithubStandIn(t, rel)
			g.refs = refs
			r := newTestRunner(t, g, t.TempDir())
			if tc.actionPath != "" {
				// github.action_ref left empty, as composite actions may see it.
				r.ActionFile = actionFile
				r.ActionRef = ""
			}
			out, err := runActionAt(r, tc.ref, tc.actionPath, map[string]string{"version": tc.version})
			if err != nil {
				t.Fatalf("install failed: %v\n%s", err, r.Shown.String())
			}
			if out["version"] != rel.Version {
				t.Errorf("installed %q, want %s", out["version"], rel.Version)
			}
			reqs := strings.Join(g.Requests(), "\n")
			for _, w := range tc.want {
				if !strings.Contains(reqs, w) {
					t.Errorf("no request %q; requests:\n%s", w, reqs)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(reqs, w) {
					t.Errorf("request %q was made; requests:\n%s", w, reqs)
				}
			}
			if tc.log != "" && !strings.Contains(r.Shown.String(), tc.log) {
				t.Errorf("the log lacks %q:\n%s", tc.log, r.Shown.String())
			}
		})
	}

	// Input that is not what it should be fails before any request.
	for _, tc := range []struct {
		name string
		with map[string]string
		env  map[string]string
		want string
	}{
		{"version-injection", map[string]string{"version": "1.0.0; touch pwned"}, nil, "version: '1.0.0??touch?pwned' is not a release version such as 1.2.3"},
		{"version-path", map[string]string{"version": "../../1.0.0"}, nil, "is not a release version"},
		{"zone-newline", map[string]string{"zone": "eu1\nBASH_ENV=/tmp/x"}, nil, "zone: 'eu1?BASH_ENV?/tmp/x' is not a zone name or host"},
		{"test-url-elsewhere", map[string]string{"version": rel.Version}, map[string]string{"MAKETOKEN_ACTION_TEST_REPO_URL": "https://example.com/maketoken/maketoken"},
			"MAKETOKEN_ACTION_TEST_REPO_URL is for maketoken's own tests"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGithubStandIn(t, rel)
			r := newTestRunner(t, g, t.TempDir())
			_, err := r.RunAction("main", tc.with, tc.env)
			var sf stepFailed
			if !errors.As(err, &sf) {
				t.Fatalf("the action did not fail: %v\n%s", err, r.Shown.String())
			}
			if len(r.Errors) != 1 || !strings.Contains(r.Errors[0], tc.want) {
				t.Errorf("errors %q, want one with %q", r.Errors, tc.want)
			}
			if reqs := g.Requests(); len(reqs) != 0 {
				t.Errorf("requests were made: %q", reqs)
			}
			if _, err := os.Stat(filepath.Join(r.Dir, "workspace", "pwned")); err == nil {
				t.Errorf("the input ran as shell code")
			}
			if got := r.PathAdded(); len(got) != 0 {
				t.Errorf("PATH got %q", got)
			}
		})
	}

	t.Run("unsupported-architecture", func(t *testing.T) {
		g := newGithubStandIn(t, rel)
		r := newTestRunner(t, g, t.TempDir())
		r.RunnerArch = "X86"
		if _, err := r.RunAction("main", map[string]string{"version": rel.Version}, nil); err == nil {
			t.Fatal("installed on X86")
		}
		want := "this runner's architecture (X86) has no maketoken release: X64 and ARM64 do"
		if len(r.Errors) != 1 || r.Errors[0] != want {
			t.Errorf("errors %q, want %q", r.Errors, want)
		}
	})
}

// runActionAt runs the action as if the runner had it at ref, in
// actionPath (github.action_path) when given.
func runActionAt(r *ghRunner, ref, actionPath string, with map[string]string) (map[string]string, error) {
	if actionPath == "" {
		return r.RunAction(ref, with, nil)
	}
	// A copy of the action file where the runner would keep it: the
	// runner stand-in takes github.action_path from the file's folder.
	dir := filepath.Join(r.Dir, filepath.FromSlash(strings.TrimPrefix(actionPath, "/")))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(actionFile)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "action.yml"), data, 0o644); err != nil {
		return nil, err
	}
	r.ActionFile = filepath.Join(dir, "action.yml")
	return r.RunAction("", with, nil)
}

func cacheArch(goarch string) string {
	return map[string]string{"amd64": "x64", "arm64": "arm64"}[goarch]
}

func writeWorkflow(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "workflow.yml")
	if err := os.WriteFile(p, []byte(strings.TrimLeft(text, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// listTree lists the files and folders under dir.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

func filterOut(list []string, prefixes ...string) []string {
	var out []string
next:
	for _, s := range list {
		for _, p := range prefixes {
			if strings.HasPrefix(s, p) {
				continue next
			}
		}
		out = append(out, s)
	}
	return out
}

// pathWithout gives a PATH of one folder that links every program of
// machinePath but the one named, as on a machine that lacks it.
func pathWithout(t *testing.T, missing string) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range filepath.SplitList(machinePath()) {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if e.Name() == missing {
				continue
			}
			target := filepath.Join(d, e.Name())
			link := filepath.Join(dir, e.Name())
			if _, err := os.Lstat(link); err == nil {
				continue // an earlier folder's program comes first
			}
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := exec.LookPath(filepath.Join(dir, "shasum")); err != nil {
		t.Skip("no shasum on this machine")
	}
	return dir
}
