package main

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// ghjobKey keeps a script's stand-in for github.com (see ghjobState).
type ghjobKey struct{}

// ghjobState is started by the first ghjob of a script and closed with it.
type ghjobState struct {
	rel *releaseFiles
	gh  *githubStandIn
}

func (s *ghjobState) close() {
	if s.gh != nil {
		s.gh.Close()
	}
}

// cmdGHJob runs a job of a GitHub Actions workflow as a runner would
// (ghRunner), against the script's emulator:
//
//	ghjob FILE [JOB]
//
// FILE is a workflow, relative to the repository's root (or absolute, e.g.
// $WORK/x.yml). Its `uses: maketoken/maketoken@REF` steps run this
// repository's action.yml, at the release the stand-in for github.com
// serves (goreleaser's snapshot or the stand-in, see action_test.go)
// whatever REF names, since no release of REF exists here. Its run: steps
// and the action's run by bash, with the runner's variables; RUNNER_TEMP
// is fresh for each ghjob, RUNNER_TOOL_CACHE ($WORK/runner-tool-cache)
// is kept, as on one machine that runs the job month after month.
//
// The steps inherit PATH (less the test harness's maketoken: the one
// they run is the one the action installs), HOME, TMPDIR, MAKETOKEN_CONFIG
// (the emulator's zones) and the XDG folders, plus the variables named in
// $GHJOB_ENV; ${{ secrets.X }} is the script's $X and
// ${{ github.repository }} is octo-org/octo-repo.
//
// What the runner shows goes to stdout, the steps' own output (workflow
// commands and all, before masking) to $WORK/runner/raw.log, what is shown
// also to $WORK/runner/log.txt. A job whose step failed fails the command.
func cmdGHJob(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: ghjob FILE [JOB]")
	}
	if runtime.GOOS == "windows" {
		ts.Fatalf("ghjob runs bash steps: not on Windows")
	}
	st := ts.Value(ghjobKey{}).(*ghjobState)
	if st.gh == nil {
		rel, err := loadActionRelease()
		ts.Check(err)
		st.rel, st.gh = rel, startGithubStandIn(rel)
	}
	file := args[0]
	if !filepath.IsAbs(file) {
		file = filepath.Join("..", "..", file)
	}
	job := ""
	if len(args) == 2 {
		job = args[1]
	}
	work := ts.Getenv("WORK")
	dir := filepath.Join(work, "runner")
	ts.Check(os.RemoveAll(dir))
	ts.Check(os.MkdirAll(dir, 0o755))
	env := map[string]string{
		"PATH":                           withoutMaketoken(ts.Getenv("PATH")),
		"MAKETOKEN_ACTION_TEST_REPO_URL": st.gh.RepoURL(),
	}
	pass := []string{"HOME", "TMPDIR", "MAKETOKEN_CONFIG", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"}
	for _, k := range append(pass, strings.Fields(ts.Getenv("GHJOB_ENV"))...) {
		if v := ts.Getenv(k); v != "" {
			env[k] = v
		}
	}
	osName, arch := runnerPlatform(runtime.GOOS, runtime.GOARCH)
	r := &ghRunner{
		RunnerOS: osName, RunnerArch: arch,
		Dir: dir, ToolCache: filepath.Join(work, "runner-tool-cache"),
		Env:        env,
		Secrets:    ts.Getenv,
		Github:     map[string]string{"repository": "octo-org/octo-repo"},
		ActionFile: actionFile,
		ActionRef:  "v" + st.rel.Version,
	}
	err := r.RunJob(file, job)
	ts.Check(os.WriteFile(filepath.Join(dir, "raw.log"), r.Raw.Bytes(), 0o600))
	ts.Check(os.WriteFile(filepath.Join(dir, "log.txt"), r.Shown.Bytes(), 0o600))
	ts.Stdout().Write(r.Shown.Bytes())
	var sf stepFailed
	switch {
	case err != nil && !errors.As(err, &sf):
		ts.Fatalf("ghjob: %v", err)
	case err != nil && !neg:
		ts.Fatalf("the job failed: %v", err)
	case err == nil && neg:
		ts.Fatalf("the job succeeded")
	}
}

// cmdActionRelease sets $VAR to the folder of the release the action tests
// install (see action_test.go) and $VAR_VERSION to its version:
//
//	actionrelease VAR
func cmdActionRelease(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: actionrelease VAR")
	}
	rel, err := loadActionRelease()
	ts.Check(err)
	dir, err := filepath.Abs(rel.Dir)
	ts.Check(err)
	ts.Setenv(args[0], dir)
	ts.Setenv(args[0]+"_VERSION", rel.Version)
}
