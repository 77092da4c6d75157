package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/cli"
	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/rogpeppe/go-internal/testscript"
)

// The credential canary: every maketoken process a script runs copies what
// it writes into $WORK/.canary (stderr always; stdout unless the command's
// job is to print a secret: token, create, rotate), and when the script
// ends, those copies and maketoken's own folders ($HOME/.config, .cache,
// .local and $TMPDIR, except the credentials file that `login
// --insecure-storage` writes on purpose) are searched for every secret the
// emulator ever issued. A secret found there fails the script: it went
// somewhere nobody asked for it.
//
// `exec` is not copied: its child inherits the real stdout and stderr
// (putting a pipe in between would change what the child sees), and
// printing MAKE_API_KEY is what a child may be asked to do.

// canaryDirEnv names the folder the maketoken processes copy their output to.
const canaryDirEnv = "MAKETOKEN_CANARY_DIR"

// secretOutput are the commands whose stdout is a secret the user asked for.
var secretOutput = map[string]bool{"token": true, "create": true, "rotate": true}

// teeForCanary makes the process copy its output into the canary folder,
// if the harness set one. It returns a function that closes the copies.
func teeForCanary(deps *cli.Deps, args []string) func() {
	dir := os.Getenv(canaryDirEnv)
	if dir == "" {
		return func() {}
	}
	name := commandName(*deps, args)
	if name == "exec" {
		return func() {}
	}
	var files []*os.File
	open := func(stream string) io.Writer {
		path := filepath.Join(dir, fmt.Sprintf("%d-%s.%s", os.Getpid(), name, stream))
		fh, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			fmt.Fprintf(os.Stderr, "test harness: canary: %v\n", err)
			return io.Discard
		}
		files = append(files, fh)
		return fh
	}
	streams := *deps.IO
	streams.ErrOut = io.MultiWriter(streams.ErrOut, open("stderr"))
	if !secretOutput[name] {
		streams.Out = io.MultiWriter(streams.Out, open("stdout"))
	}
	deps.IO = &streams
	return func() {
		for _, fh := range files {
			fh.Close()
		}
	}
}

// commandName is the maketoken command args run ("create"), as cobra
// finds it, or "maketoken" for the root and anything unknown.
func commandName(deps cli.Deps, args []string) string {
	cmd, _, err := cli.NewRootCommand(deps).Find(args)
	if err != nil || cmd == nil || !cmd.HasParent() {
		return "maketoken"
	}
	return cmd.Name()
}

// canaryKey is where a script's canary state is kept in the testscript Env.
type canaryKey struct{}

// canary knows the secrets a script must not leak beyond those the
// emulator issued: ones a fault handed out (`emu canary-secret`).
type canary struct {
	mu    sync.Mutex
	extra []string
	// more are zones outside the script's emulator (the private instance
	// of privatehost_test.go) whose secrets count too.
	more []*emulator.Zone
}

func (c *canary) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.extra = append(c.extra, s)
}

// secrets returns every secret to look for, by what it is.
func (c *canary) secrets(srv *emulator.Server) map[string]string {
	out := map[string]string{}
	add := func(secret, what string) {
		if len(secret) >= 8 {
			out[secret] = what
		}
	}
	for _, name := range srv.Zones() {
		z := srv.Zone(name)
		for i, tok := range z.Issued() {
			add(tok, fmt.Sprintf("token #%d issued by zone %s", i+1, name))
		}
		add(z.AdminToken(), fmt.Sprintf("zone %s's admin token ($ADMIN_%s)", name, strings.ToUpper(strings.ReplaceAll(name, "-", "_"))))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, z := range c.more {
		for i, tok := range z.Issued() {
			add(tok, fmt.Sprintf("token #%d issued by zone %s", i+1, z.Name()))
		}
	}
	for i, s := range c.extra {
		add(s, fmt.Sprintf("canary secret #%d", i+1))
	}
	return out
}

// findSecret reports whether text holds secret, and where. A UUID-shaped
// token is also found without its first group, the part `list` shows, so
// that a leak of the rest is caught too.
func findSecret(text, secret string) (at int, part string) {
	if i := strings.Index(text, secret); i >= 0 {
		return i, ""
	}
	if len(secret) == 36 && secret[8] == '-' {
		if i := strings.Index(text, secret[9:]); i >= 0 {
			return i, " (all but its visible first group)"
		}
	}
	return -1, ""
}

// canaryFiles lists the files the canary searches in a script's work
// folder: the copied output, and maketoken's own folders.
func canaryFiles(work string) []string {
	var files []string
	allowed := filepath.Join(work, ".config", "maketoken", "credentials.yaml")
	for _, dir := range []string{".canary", ".config", ".cache", ".local", ".tmp"} {
		_ = filepath.WalkDir(filepath.Join(work, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err // a folder that does not exist: nothing to search
			}
			if d.IsDir() || !d.Type().IsRegular() || path == allowed {
				return nil
			}
			files = append(files, path)
			return nil
		})
	}
	sort.Strings(files)
	return files
}

// scanForSecrets returns one line for every secret found in a file:
// which file, where in it, and what the secret is (never the secret).
func scanForSecrets(files []string, secrets map[string]string, base string) []string {
	var leaks []string
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		text := string(data)
		rel, err := filepath.Rel(base, path)
		if err != nil {
			rel = path
		}
		for secret, what := range secrets {
			if i, part := findSecret(text, secret); i >= 0 {
				line := 1 + strings.Count(text[:i], "\n")
				leaks = append(leaks, fmt.Sprintf("%s:%d holds %s%s", rel, line, what, part))
			}
		}
	}
	sort.Strings(leaks)
	return leaks
}

// setupCanary prepares a script's canary and arranges the final check.
func setupCanary(env *testscript.Env, srv *emulator.Server) error {
	dir := filepath.Join(env.WorkDir, ".canary")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	env.Setenv(canaryDirEnv, dir)
	c := &canary{}
	env.Values[canaryKey{}] = c
	env.Defer(func() {
		if leaks := scanForSecrets(canaryFiles(env.WorkDir), c.secrets(srv), env.WorkDir); len(leaks) > 0 {
			env.T().Fatal("credential canary: secrets where nobody asked for them:\n" + strings.Join(leaks, "\n"))
		}
	})
	return nil
}

// cmdEmuHardening holds the emu subcommands of the hardening scenarios:
//
//	emu canary                        no secret has leaked so far (with !: one has)
//	emu canary-secret VALUE           watch for VALUE too (a token a fault handed out)
//	emu no-secrets FILE...            FILE (or stdout/stderr of the last command) holds no secret
//	emu credentials ZONE              print "METHOD PATH STATUS OWNER" per request: the zone whose
//	                                  credential it carried, "none", or "unknown"
//	emu clear-faults ZONE             remove the zone's faults
//	emu contract-exempt ZONE          do not hold ZONE's traffic to Make's API contract (for
//	                                  scripts that make it answer wrongly on purpose)
func cmdEmuHardening(ts *testscript.TestScript, neg bool, srv *emulator.Server, args []string) {
	c := ts.Value(canaryKey{}).(*canary)
	switch args[0] {
	case "canary":
		leaks := scanForSecrets(canaryFiles(ts.Getenv("WORK")), c.secrets(srv), ts.Getenv("WORK"))
		switch {
		case len(leaks) > 0 && !neg:
			ts.Fatalf("credential canary: secrets where nobody asked for them:\n%s", strings.Join(leaks, "\n"))
		case len(leaks) == 0 && neg:
			ts.Fatalf("credential canary: no secret found, want one")
		case neg:
			ts.Logf("canary found, as expected:\n%s", strings.Join(leaks, "\n"))
		}
	case "canary-secret":
		if len(args) != 2 {
			ts.Fatalf("usage: emu canary-secret VALUE")
		}
		c.add(args[1])
	case "no-secrets":
		if len(args) < 2 {
			ts.Fatalf("usage: emu no-secrets FILE...")
		}
		secrets := c.secrets(srv)
		var leaks []string
		for _, name := range args[1:] {
			text := ts.ReadFile(name)
			for secret, what := range secrets {
				if i, part := findSecret(text, secret); i >= 0 {
					leaks = append(leaks, name+" holds "+what+part)
				}
			}
		}
		sort.Strings(leaks)
		if (len(leaks) == 0) == neg {
			ts.Fatalf("secrets: %v (want %s)", leaks, map[bool]string{true: "some", false: "none"}[neg])
		}
	case "credentials":
		if len(args) != 2 || srv.Zone(args[1]) == nil {
			ts.Fatalf("usage: emu credentials ZONE")
		}
		owner := map[string]string{}
		for _, name := range srv.Zones() {
			for _, tok := range srv.Zone(name).Issued() {
				owner[tok] = name
			}
		}
		for _, r := range srv.Zone(args[1]).Requests() {
			who := "none"
			if r.Token != "" {
				who = owner[r.Token]
				if who == "" {
					who = "unknown"
				}
			}
			fmt.Fprintf(ts.Stdout(), "%s %s %s %s\n", r.Method, r.Path, strconv.Itoa(r.Status), who)
		}
	case "clear-faults":
		if len(args) != 2 || srv.Zone(args[1]) == nil {
			ts.Fatalf("usage: emu clear-faults ZONE")
		}
		srv.Zone(args[1]).ClearFaults()
	case "contract-exempt":
		if len(args) != 2 || srv.Zone(args[1]) == nil {
			ts.Fatalf("usage: emu contract-exempt ZONE")
		}
		ts.Value(exemptKey{}).(*exemptZones).add(args[1])
	default:
		ts.Fatalf("emu: unknown command %q", args[0])
	}
}

// exemptKey is where a script's contract-exempt zones are kept.
type exemptKey struct{}

// exemptZones are zones whose traffic is not held to the API contract.
type exemptZones struct {
	mu sync.Mutex
	m  map[string]bool
}

func (e *exemptZones) add(zone string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.m[zone] = true
}

func (e *exemptZones) has(zone string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.m[zone]
}

// faultOption applies one key=value option of `emu fault` to f:
//
//	times=N  retry-after=VALUE  delay=DURATION  body=TEXT  status=CODE
//	redirect=ZONE (307 to that zone's origin, same path) or redirect=URL
func faultOption(srv *emulator.Server, f *emulator.Fault, opt string) error {
	key, val, ok := strings.Cut(opt, "=")
	if !ok {
		return fmt.Errorf("fault option %q is not key=value", opt)
	}
	var err error
	switch key {
	case "times":
		f.Times, err = strconv.Atoi(val)
	case "status":
		f.Status, err = strconv.Atoi(val)
	case "retry-after":
		f.RetryAfter = val
	case "delay":
		f.Delay, err = time.ParseDuration(val)
	case "finish":
		// The zone carries the request out even if the client has gone
		// during the delay.
		f.Finish, err = strconv.ParseBool(val)
	case "body":
		f.Body = val
	case "redirect":
		if z := srv.Zone(val); z != nil {
			f.RedirectTo = strings.TrimSuffix(z.URL(), emulator.BasePath) + "/"
		} else {
			f.RedirectTo = val
		}
	default:
		return fmt.Errorf("unknown fault option %q", key)
	}
	return err
}

func TestCanaryFindsLeaks(t *testing.T) {
	srv := emulator.New(emulator.Options{Zones: []string{"eu1", "us1"}})
	eu1 := srv.Zone("eu1")
	created := eu1.AddToken("ci", []string{"user:read"}, time.Time{}).Token
	revoked := srv.Zone("us1").AddToken("old", nil, time.Time{})
	work := t.TempDir()
	write := func(rel, text string) {
		path := filepath.Join(work, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(".canary/1-status.stderr", "maketoken: zone eu1: bad token "+eu1.AdminToken()+"\n")
	write(".canary/2-list.stdout", "ci\t"+created[:9]+"****-****-****-************\n")      // masked: fine
	write(".cache/maketoken/scopes-us1.json", "line 1\n\"x\": \""+revoked.Token[9:]+"\"\n") // the hidden part
	write(".config/maketoken/credentials.yaml", "tokens:\n  eu1: \""+created+"\"\n")        // asked for
	write("token.txt", created+"\n")                                                        // the script's own file
	c := &canary{}
	c.add("NoDashSecretValue")
	write(".tmp/trace", "> {\"token\":\"NoDashSecretValue\"}")

	leaks := scanForSecrets(canaryFiles(work), c.secrets(srv), work)
	want := []string{
		".cache/maketoken/scopes-us1.json:2 holds token #2 issued by zone us1 (all but its visible first group)",
		".canary/1-status.stderr:1 holds zone eu1's admin token ($ADMIN_EU1)",
		".tmp/trace:1 holds canary secret #1",
	}
	if strings.Join(leaks, "\n") != strings.Join(want, "\n") {
		t.Errorf("leaks:\n%s\nwant:\n%s", strings.Join(leaks, "\n"), strings.Join(want, "\n"))
	}
	for _, l := range leaks {
		if strings.Contains(l, created[9:]) || strings.Contains(l, eu1.AdminToken()[9:]) {
			t.Errorf("the report itself holds a secret: %s", l)
		}
	}
	// Nothing to find: nothing reported.
	clean := t.TempDir()
	if leaks := scanForSecrets(canaryFiles(clean), c.secrets(srv), clean); len(leaks) != 0 {
		t.Errorf("leaks in an empty folder: %v", leaks)
	}
}

func TestCanaryCopiesOutput(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(canaryDirEnv, dir)
	var out, errOut strings.Builder
	for _, args := range [][]string{{"-z", "eu1", "status", "-o", "json"}, {"token", "-z", "eu1"}, {"exec", "--", "env"}} {
		out.Reset()
		errOut.Reset()
		deps := cli.Deps{IO: &iostreams.IOStreams{Out: &out, ErrOut: &errOut}}
		done := teeForCanary(&deps, args)
		fmt.Fprint(deps.IO.Out, "OUT "+args[0])
		fmt.Fprint(deps.IO.ErrOut, "ERR "+args[0])
		done()
		if out.String() != "OUT "+args[0] || errOut.String() != "ERR "+args[0] {
			t.Errorf("%v: the real streams got %q and %q", args, out.String(), errOut.String())
		}
	}
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		_, name, _ := strings.Cut(e.Name(), "-")
		names = append(names, name)
	}
	// status: both streams; token: stderr only (its stdout is the secret
	// asked for); exec: nothing.
	if got := strings.Join(names, " "); got != "status.stderr status.stdout token.stderr" {
		t.Errorf("canary files: %s", got)
	}
}
