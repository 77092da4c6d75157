package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// binaries are the programs under test, built the same way.
type binaries struct {
	maketoken string
	floor     string
	// depFloor is the floor with every package linked into maketoken from
	// outside this module (standard library and third-party) linked in,
	// unused: what maketoken's dependencies cost at start-up (their
	// package initialisation and the loading of their code) before any of
	// maketoken's own code runs. maketoken's own start-up cost is what it
	// takes beyond it.
	depFloor string
	// depPkgs is how many packages the dependency floor links.
	depPkgs int
}

// modulePath is the maketoken module.
const modulePath = "github.com/maketoken/maketoken"

// buildArgs are the release build's flags (.goreleaser.yaml, without the
// version stamps); the build runs with CGO_ENABLED=0, as there too.
func buildArgs() []string { return []string{"build", "-trimpath", "-ldflags", "-s -w"} }

// moduleRoot returns the directory of the maketoken module, so that the
// benchmark runs from anywhere inside the checkout.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the maketoken module: run the benchmark from the checkout (go run ./bench)")
	}
	return filepath.Dir(mod), nil
}

// build compiles maketoken, the floor and the dependency floor into dir.
// Each is linked in a folder of its own and then copied into dir, and the
// copy is what runs: a binary as the Go linker leaves it (written through
// a shared memory mapping) starts markedly slower than the same bytes
// written by an ordinary copy, as an installer, a package manager or an
// unpacked archive writes them (on the development machine about 1 ms,
// 20%, for maketoken; see docs/performance.md). The dependency floor's source is generated from what `go list -deps`
// says maketoken links, and given to the compiler as an overlay: nothing
// is written into the checkout. It fails unless the dependency floor links
// exactly the packages from outside the module that maketoken links.
func build(ctx context.Context, root, dir string) (binaries, error) {
	b := binaries{maketoken: filepath.Join(dir, "maketoken"), floor: filepath.Join(dir, "floor"), depFloor: filepath.Join(dir, "depfloor")}
	linked, err := listDeps(ctx, root, "./cmd/maketoken")
	if err != nil {
		return b, err
	}
	deps := outsideModule(linked)
	overlay, err := depFloorOverlay(root, dir, deps)
	if err != nil {
		return b, err
	}
	floorLinks, err := listDeps(ctx, root, "-overlay", overlay, "./bench/depfloor")
	if err != nil {
		return b, err
	}
	if got := outsideModule(floorLinks); !slices.Equal(got, deps) {
		return b, fmt.Errorf("the dependency floor links %d packages from outside the module, maketoken %d: they must be the same", len(got), len(deps))
	}
	b.depPkgs = len(deps)
	linkDir := filepath.Join(dir, "linked")
	for _, t := range []struct{ pkg, out string }{
		{"./cmd/maketoken", b.maketoken},
		{"./bench/floor", b.floor},
		{"./bench/depfloor", b.depFloor},
	} {
		linkedOut := filepath.Join(linkDir, filepath.Base(t.out))
		args := append(buildArgs(), "-overlay", overlay, "-o", linkedOut, t.pkg)
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return b, fmt.Errorf("go build %s: %w\n%s", t.pkg, err, out)
		}
		if err := copyExecutable(linkedOut, t.out); err != nil {
			return b, err
		}
	}
	return b, os.RemoveAll(linkDir)
}

// copyExecutable writes the bytes of the program at from into a new file
// to with write(2), as an installer does.
func copyExecutable(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o700) //nolint:gosec // a program must be executable
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// listDeps is `go list -deps` of the arguments, for the release build
// (CGO_ENABLED=0): every package linked, dependencies first.
func listDeps(ctx context.Context, root string, args ...string) ([]string, error) {
	cmd := exec.CommandContext(ctx, "go", append([]string{"list", "-deps"}, args...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("go list -deps %s: %w\n%s", strings.Join(args, " "), err, ee.Stderr)
		}
		return nil, fmt.Errorf("go list -deps %s: %w", strings.Join(args, " "), err)
	}
	return strings.Fields(string(out)), nil
}

// outsideModule returns, sorted, the packages of linked that are not
// maketoken's own (and not the floor's main package).
func outsideModule(linked []string) []string {
	var out []string
	for _, p := range linked {
		if p != modulePath && !strings.HasPrefix(p, modulePath+"/") {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// importable reports whether a program may import the package itself: an
// internal or vendored package is linked through the package that imports
// it, which is in the list too.
func importable(pkg string) bool {
	for _, elem := range strings.Split(pkg, "/") {
		if elem == "internal" {
			return false
		}
	}
	return !strings.HasPrefix(pkg, "vendor/")
}

// depFloorOverlay writes the dependency floor's main.go, which imports
// every importable package of deps and uses none, and an overlay that
// places it at bench/depfloor; it returns the overlay's path.
func depFloorOverlay(root, dir string, deps []string) (string, error) {
	var src strings.Builder
	src.WriteString("// Command depfloor is the floor with every package maketoken links from\n// outside its module linked in, unused.\npackage main\n\nimport (\n\t\"fmt\"\n")
	for _, imp := range deps {
		if imp != "fmt" && importable(imp) {
			fmt.Fprintf(&src, "\t_ %q\n", imp)
		}
	}
	src.WriteString(")\n\nfunc main() { fmt.Println(\"floor\") }\n")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	mainGo := filepath.Join(dir, "depfloor.go")
	if err := os.WriteFile(mainGo, []byte(src.String()), 0o600); err != nil {
		return "", err
	}
	ov, err := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(root, "bench", "depfloor", "main.go"): mainGo}})
	if err != nil {
		return "", err
	}
	overlay := filepath.Join(dir, "overlay.json")
	return overlay, os.WriteFile(overlay, ov, 0o600)
}

// run is one finished child process.
type run struct {
	wall   time.Duration
	maxRSS int64 // bytes
	code   int
	stdout string
	stderr string
}

// invocation is a program with its arguments and environment.
type invocation struct {
	name string // for the report
	path string
	args []string
	env  []string
}

// runOnce starts the program and waits for it. With capture, its output is
// kept; otherwise it goes to /dev/null, so that no pipe or copying
// goroutine is part of the measurement.
func runOnce(ctx context.Context, inv invocation, capture bool, devNull *os.File) (run, error) {
	cmd := exec.CommandContext(ctx, inv.path, inv.args...)
	cmd.Env = inv.env
	cmd.Stdin = devNull
	var stdout, stderr bytes.Buffer
	if capture {
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
	} else {
		cmd.Stdout, cmd.Stderr = devNull, devNull
	}
	start := time.Now()
	err := cmd.Run()
	r := run{wall: time.Since(start), stdout: stdout.String(), stderr: stderr.String()}
	if cmd.ProcessState == nil {
		return r, fmt.Errorf("%s: %w", inv.name, err)
	}
	r.code = cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss * 1024 // Linux reports KiB
	}
	return r, nil
}

// check runs the program once with its output captured and fails unless it
// exits with want and its stdout contains every string of mustContain.
func check(ctx context.Context, inv invocation, want int, devNull *os.File, mustContain ...string) (run, error) {
	r, err := runOnce(ctx, inv, true, devNull)
	if err != nil {
		return r, err
	}
	if r.code != want {
		return r, fmt.Errorf("%s exited %d, want %d; stderr: %s", inv.name, r.code, want, firstLines(r.stderr, 3))
	}
	for _, s := range mustContain {
		if !strings.Contains(r.stdout, s) {
			return r, fmt.Errorf("%s: output lacks %q; stdout: %s", inv.name, s, firstLines(r.stdout, 3))
		}
	}
	return r, nil
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(strings.TrimSpace(s), "\n", n+1)
	if len(lines) > n {
		lines = append(lines[:n], "...")
	}
	return strings.Join(lines, " | ")
}

// stats summarises repeated timings.
type stats struct {
	n           int
	median, p90 time.Duration
}

func summarise(ds []time.Duration) stats {
	s := slices.Clone(ds)
	slices.Sort(s)
	return stats{n: len(s), median: quantile(s, 0.5), p90: quantile(s, 0.9)}
}

// quantile returns the q-quantile of sorted values, interpolating between
// the two nearest ranks.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	pos := q * float64(len(sorted)-1)
	i := int(pos)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	frac := pos - float64(i)
	return sorted[i] + time.Duration(frac*float64(sorted[i+1]-sorted[i]))
}

// interleave runs every invocation reps times, in a new random order in
// each round, so that a slow moment of a noisy machine hits them all alike.
// It returns the wall times per invocation, in the order given.
func interleave(ctx context.Context, invs []invocation, reps int, devNull *os.File, shuffle func(n int, swap func(i, j int))) ([][]time.Duration, error) {
	times := make([][]time.Duration, len(invs))
	order := make([]int, len(invs))
	for i := range order {
		order[i] = i
	}
	for range reps {
		shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			r, err := runOnce(ctx, invs[i], false, devNull)
			if err != nil {
				return nil, err
			}
			if r.code != 0 {
				return nil, fmt.Errorf("%s exited %d during the measurement", invs[i].name, r.code)
			}
			times[i] = append(times[i], r.wall)
		}
	}
	return times, nil
}

// env is a child's environment: nothing of the caller's but PATH, a home
// of its own, and the given variables. Without DBUS_SESSION_BUS_ADDRESS
// and XDG_RUNTIME_DIR there is no session bus, as on a CI runner.
func env(home string, extra ...string) []string {
	e := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
	}
	return append(e, extra...)
}
