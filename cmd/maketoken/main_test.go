package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/apicontract"
	"github.com/maketoken/maketoken/internal/buildinfo"
	"github.com/maketoken/maketoken/internal/cli"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/rogpeppe/go-internal/testscript"
)

// The end-to-end tests run maketoken as its own process (testscript
// re-executes this test binary as "maketoken") against the Make emulator,
// which runs in the test process and serves six zones on loopback ports.
func TestMain(m *testing.M) {
	testscript.Main(afterTests{m, removeStandInRelease}, map[string]func(){
		"maketoken": func() { os.Exit(testMain()) },
	})
}

// afterTests runs the tests, then cleans up what they shared.
type afterTests struct {
	m       *testing.M
	cleanup func()
}

func (a afterTests) Run() int {
	defer a.cleanup()
	return a.m.Run()
}

// testMain is main with one difference: the keyrings. Scripts never touch
// the user's keyring; MAKETOKEN_TEST_KEYRING selects a stand-in:
// "file:PATH" keeps entries in a JSON file (so that they outlive one
// process), "unavailable" fails every call, "hang" never answers, and
// "system" uses the real OS keyring (only inside a private D-Bus session,
// see TestRealKeyring). MAKETOKEN_TEST_KERNEL_KEYRING does the same for
// the kernel keyring (see kernelKeyringFor): the real kernel keyring
// store, in a keyring the test made, or a kernel that refuses.
func testMain() int {
	if os.Getenv(lateSetEnv) != "" {
		return landLateSet()
	}
	deps := cli.SystemDeps(buildinfo.Linked{Version: "test"})
	switch spec := os.Getenv("MAKETOKEN_TEST_KEYRING"); {
	case spec == "system":
	case spec == "unavailable":
		deps.Keyring = brokenKeyring{}
	case spec == "hang":
		deps.Keyring = hangingKeyring{}
	case strings.HasPrefix(spec, "file:"):
		k := &fileKeyring{path: strings.TrimPrefix(spec, "file:"), failSet: os.Getenv("MAKETOKEN_TEST_KEYRING_FAIL_SET") == "1"}
		if d := os.Getenv("MAKETOKEN_TEST_KEYRING_SLOW_SET"); d != "" {
			var err error
			if k.slowSet, err = time.ParseDuration(d); err != nil {
				fmt.Fprintln(os.Stderr, "test harness: MAKETOKEN_TEST_KEYRING_SLOW_SET:", err)
				return 99
			}
		}
		deps.Keyring = k
	default:
		fmt.Fprintln(os.Stderr, "test harness: MAKETOKEN_TEST_KEYRING is not set; refusing to touch a real keyring")
		return 99
	}
	kernel, err := kernelKeyringFor(os.Getenv("MAKETOKEN_TEST_KERNEL_KEYRING"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "test harness:", err)
		return 99
	}
	deps.KernelKeyring = kernel
	rt, err := testTransport(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "test harness:", err)
		return 99
	}
	if rt != nil {
		deps.Transport = rt
	}
	defer teeForCanary(&deps, os.Args[1:])()
	return cli.Main(context.Background(), os.Args[1:], deps)
}

type brokenKeyring struct{}

var errNoKeyring = errors.New("org.freedesktop.secrets was not provided by any .service files")

func (brokenKeyring) Get(string, string) (string, error) { return "", errNoKeyring }
func (brokenKeyring) Set(string, string, string) error   { return errNoKeyring }
func (brokenKeyring) Delete(string, string) error        { return errNoKeyring }

type hangingKeyring struct{}

func (hangingKeyring) Get(string, string) (string, error) { select {} }
func (hangingKeyring) Set(string, string, string) error   { select {} }
func (hangingKeyring) Delete(string, string) error        { select {} }

// fileKeyring is a keyring kept in a JSON file, for tests only.
type fileKeyring struct {
	path string
	// failSet makes every Set fail (MAKETOKEN_TEST_KEYRING_FAIL_SET=1),
	// while Get and Delete keep working: a keyring that refuses writes.
	failSet bool
	// slowSet makes every Set land only after this long, in a process of
	// its own that outlives maketoken (MAKETOKEN_TEST_KEYRING_SLOW_SET=5s):
	// a keyring daemon that took the write and answers late. The write
	// lands even if maketoken gave up on it or exited; then PATH.landed
	// appears (see cmdWaitFile).
	slowSet time.Duration
	mu      sync.Mutex
}

func (k *fileKeyring) load() (map[string]string, error) {
	m := map[string]string{}
	data, err := os.ReadFile(k.path)
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	return m, json.Unmarshal(data, &m)
}

func (k *fileKeyring) save(m map[string]string) error {
	data, _ := json.Marshal(m)
	return os.WriteFile(k.path, data, 0o600)
}

func (k *fileKeyring) Get(service, account string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	m, err := k.load()
	if err != nil {
		return "", err
	}
	v, ok := m[service+"/"+account]
	if !ok {
		return "", credentials.ErrNotFound
	}
	return v, nil
}

func (k *fileKeyring) Set(service, account, secret string) error {
	if k.failSet {
		return errors.New("the keyring refused the write (test harness: MAKETOKEN_TEST_KEYRING_FAIL_SET)")
	}
	if k.slowSet > 0 {
		return k.lateSet(service, account, secret)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	m, err := k.load()
	if err != nil {
		return err
	}
	m[service+"/"+account] = secret
	return k.save(m)
}

// lateSetEnv tells the test binary, started by fileKeyring.lateSet, to
// land one keyring write late: "DELAY PATH KEY", the secret on stdin.
const lateSetEnv = "MAKETOKEN_TEST_KEYRING_LATE_SET"

// lateSet hands the write to a process of its own (in its own session, so
// that a signal to maketoken's process group does not reach it) that
// lands it after k.slowSet, and waits for it, as a keyring client waits for
// the daemon's answer.
func (k *fileKeyring) lateSet(service, account, secret string) error {
	self, err := exec.LookPath("maketoken")
	if err != nil {
		return err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), lateSetEnv+"="+k.slowSet.String()+" "+k.path+" "+service+"/"+account)
	cmd.Stdin = strings.NewReader(secret)
	cmd.SysProcAttr = detachedProcess()
	if err := cmd.Start(); err != nil {
		return err
	}
	// PATH.pending says the keyring has the write: a script can wait for
	// it to interrupt maketoken exactly then.
	if err := os.WriteFile(k.path+".pending", nil, 0o600); err != nil {
		return err
	}
	return cmd.Wait()
}

// landLateSet is the process lateSet starts.
func landLateSet() int {
	f := strings.Fields(os.Getenv(lateSetEnv))
	if len(f) != 3 {
		return 99
	}
	delay, err := time.ParseDuration(f[0])
	if err != nil {
		return 99
	}
	secret, err := io.ReadAll(os.Stdin)
	if err != nil {
		return 99
	}
	time.Sleep(delay)
	k := &fileKeyring{path: f[1]}
	service, account, _ := strings.Cut(f[2], "/")
	if err := k.Set(service, account, string(secret)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := os.WriteFile(f[1]+".landed", nil, 0o600); err != nil {
		return 1
	}
	return 0
}

func (k *fileKeyring) Delete(service, account string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	m, err := k.load()
	if err != nil {
		return err
	}
	if _, ok := m[service+"/"+account]; !ok {
		return credentials.ErrNotFound
	}
	delete(m, service+"/"+account)
	return k.save(m)
}

func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams(t, "testdata/script"))
}

// TestRealKeyring runs the scripts in testdata/realkeyring against the OS
// keyring. It runs only inside a private D-Bus session with an unlocked
// gnome-keyring (.ci/run starts one with dbus-run-session), never against
// a user's own keyring.
func TestRealKeyring(t *testing.T) {
	if os.Getenv("MAKETOKEN_REAL_KEYRING_TEST") != "1" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("real-keyring tests run only inside dbus-run-session with MAKETOKEN_REAL_KEYRING_TEST=1 (see .ci/run)")
	}
	p := scriptParams(t, "testdata/realkeyring")
	setup := p.Setup
	p.Setup = func(env *testscript.Env) error {
		if err := setup(env); err != nil {
			return err
		}
		env.Setenv("MAKETOKEN_TEST_KEYRING", "system")
		env.Setenv("DBUS_SESSION_BUS_ADDRESS", os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
		return nil
	}
	// [nosecretservice]: the session bus has no Secret Service and cannot
	// start one (.ci/keyring-nosecret.sh sets this up).
	condition := p.Condition
	p.Condition = func(cond string) (bool, error) {
		if cond == "nosecretservice" {
			return os.Getenv("MAKETOKEN_EXPECT_NO_SECRET_SERVICE") == "1", nil
		}
		return condition(cond)
	}
	testscript.Run(t, p)
}

// emuKey is where a script's emulator is kept in the testscript Env.
type emuKey struct{}

func scriptParams(t *testing.T, dir string) testscript.Params {
	contract, err := apicontract.Load()
	if err != nil {
		t.Fatal(err)
	}
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			// Every request maketoken sends and every answer the emulator
			// gives is checked against Make's OpenAPI contract.
			var (
				mu         sync.Mutex
				violations []string
			)
			exempt := &exemptZones{m: map[string]bool{}}
			env.Values[exemptKey{}] = exempt
			checkContract := func(zone string, next http.Handler) http.Handler {
				return apicontract.Middleware(contract, func(err error) {
					if exempt.has(zone) {
						return
					}
					mu.Lock()
					defer mu.Unlock()
					violations = append(violations, err.Error())
				})(next)
			}
			srv := emulator.New(emulator.Options{Middleware: checkContract})
			env.Values[privateKey{}] = &privateStarter{wrap: checkContract}
			if err := srv.Start(); err != nil {
				return err
			}
			env.Defer(func() {
				srv.Close()
				mu.Lock()
				defer mu.Unlock()
				if len(violations) > 0 {
					env.T().Fatal("traffic that breaks Make's API contract:\n" + strings.Join(violations, "\n"))
				}
			})
			env.Values[emuKey{}] = srv
			gh := &ghjobState{}
			env.Values[ghjobKey{}] = gh
			env.Defer(gh.close)
			if err := setupCanary(env, srv); err != nil {
				return err
			}
			var cfg strings.Builder
			cfg.WriteString("zones:\n")
			for _, name := range srv.Zones() {
				z := srv.Zone(name)
				fmt.Fprintf(&cfg, "  %s:\n    url: %s\n", name, z.URL())
				upper := strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
				env.Setenv("ADMIN_"+upper, z.AdminToken())
				env.Setenv("URL_"+upper, z.URL())
			}
			cfgPath := filepath.Join(env.WorkDir, "config.yaml")
			if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
				return err
			}
			env.Setenv("MAKETOKEN_CONFIG", cfgPath)
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
			env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, ".local", "share"))
			env.Setenv("MAKETOKEN_TEST_KEYRING", "file:"+filepath.Join(env.WorkDir, "keyring.json"))
			if err := setupKernelKeyring(env); err != nil {
				return err
			}
			// Golden files live outside the scripts: cmp stdout $GOLDEN/NAME.
			golden, err := filepath.Abs(filepath.Join("testdata", "golden"))
			if err != nil {
				return err
			}
			env.Setenv("GOLDEN", golden)
			return nil
		},
		// [kernelkeys]: the kernel keyring can be used (scripts get a
		// keyring of their own in it, see setupKernelKeyring).
		Condition: func(cond string) (bool, error) {
			if cond == "kernelkeys" {
				return kernelKeysUsable(), nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"kernelkey":     cmdKernelKey,
			"emu":           cmdEmu,
			"keyring":       cmdKeyring,
			"exits":         cmdExits,
			"setenvfile":    cmdSetenvFile,
			"waitfile":      cmdWaitFile,
			"cidoc":         cmdCIDoc,
			"ghjob":         cmdGHJob,
			"actionrelease": cmdActionRelease,
		},
	}
}

// cmdEmu looks at and steers the script's emulator:
//
//	emu seed ZONE LABEL SCOPES [CREATED] [VAR]   add a token (scopes comma-separated; CREATED RFC 3339 or -); its secret goes to $VAR
//	emu count ZONE N                             the zone holds N tokens
//	emu has ZONE TOKEN                           the zone holds this token (with !: it does not)
//	emu tokens ZONE                              print "created label scopes" per token to stdout
//	emu requests ZONE                            print "METHOD PATH STATUS" per request to stdout
//	emu reset-requests                           forget every zone's request log
//	emu own-credentials                          every zone only ever received its own tokens
//	emu fault ZONE METHOD PATH KIND [TIMES]      KIND: a status code, html, drop, drop-after
//	emu latency ZONE DURATION
//	emu ratelimit ZONE N [retry-after] [window=DURATION]   N requests per window (default a minute)
//	emu seed-alike ZONE LABEL SCOPES LIKE VAR    add a token that a list shows as it shows LIKE (same first group); its secret goes to $VAR
//	emu seed-many ZONE LABEL SCOPES N CREATED    add N tokens, created 1 ms apart from CREATED
//	emu scopes ZONE SCOPES                       replace the zone's scope list
//	emu label-invariant ZONE LABEL TOKEN         TOKEN works; every other token labelled LABEL is named on stderr
//	emu unauthorized-body ZONE json|empty|text   the body of the zone's 401 answers
//	emu administrator ZONE on|off                the zone's user may use the administration scopes
//	emu private-host                             serve zone make.example.test over TLS (see privatehost_test.go)
//	emu never-sent TOKEN [ZONE]                  no zone's request log (but ZONE's) holds TOKEN
//	emu clock ZONE OFFSET                        the zone's clock (created, Date) runs OFFSET (-2h) off this machine's
//	emu user-add ZONE EMAIL VAR                  another user of the zone; their admin token goes to $VAR, their id to $VAR_ID
//	emu seed-for ZONE EMAIL LABEL SCOPES VAR     add a token of that user; its secret goes to $VAR
//	emu only-user ZONE EMAIL                     every request in the zone's log carried a token of that user (! : not every one)
//
// emu fault takes key=value options after KIND (see faultOption), and KIND
// "pass" for a fault that only delays or redirects. More subcommands, for
// the hardening scenarios: see cmdEmuHardening.
func cmdEmu(ts *testscript.TestScript, neg bool, args []string) {
	srv := ts.Value(emuKey{}).(*emulator.Server)
	if len(args) == 0 {
		ts.Fatalf("usage: emu COMMAND ...")
	}
	zone := func(i int) *emulator.Zone {
		if len(args) <= i {
			ts.Fatalf("emu %s: missing zone", args[0])
		}
		z := srv.Zone(args[i])
		if z == nil && args[i] == privateHost {
			z = privateZone(ts)
		}
		if z == nil {
			ts.Fatalf("emu: no zone %q", args[i])
		}
		return z
	}
	switch args[0] {
	case "seed":
		if len(args) < 4 {
			ts.Fatalf("usage: emu seed ZONE LABEL SCOPES [CREATED] [VAR]")
		}
		created := time.Now()
		if len(args) > 4 && args[4] != "-" {
			t, err := time.Parse(time.RFC3339Nano, args[4])
			ts.Check(err)
			created = t
		}
		tok := zone(1).AddToken(args[2], strings.Split(args[3], ","), created)
		if len(args) > 5 {
			ts.Setenv(args[5], tok.Token)
			ts.Setenv(args[5]+"_CREATED", tok.Created)
		}
	case "seed-alike":
		if len(args) != 6 {
			ts.Fatalf("usage: emu seed-alike ZONE LABEL SCOPES LIKE VAR")
		}
		tok, ok := zone(1).AddTokenAlike(args[2], strings.Split(args[3], ","), time.Time{}, args[4])
		if !ok {
			ts.Fatalf("emu seed-alike: %q has no first group to share", args[4])
		}
		ts.Setenv(args[5], tok.Token)
		ts.Setenv(args[5]+"_CREATED", tok.Created)
	case "count":
		if len(args) != 3 {
			ts.Fatalf("usage: emu count ZONE N")
		}
		want, err := strconv.Atoi(args[2])
		ts.Check(err)
		got := len(zone(1).Tokens())
		if (got == want) == neg {
			ts.Fatalf("zone %s holds %d tokens, want %s%d", args[1], got, map[bool]string{true: "not ", false: ""}[neg], want)
		}
	case "has":
		if len(args) != 3 {
			ts.Fatalf("usage: emu has ZONE TOKEN")
		}
		if zone(1).HasToken(args[2]) == neg {
			ts.Fatalf("zone %s: has token = %v, want %v", args[1], !neg, neg)
		}
	case "tokens":
		for _, t := range zone(1).Tokens() {
			fmt.Fprintf(ts.Stdout(), "%s %s %s\n", t.Created, t.Label, strings.Join(t.Scopes, ","))
		}
	case "requests":
		out := ts.Stdout() // set even when there is none: `! stdout .` checks that
		for _, r := range zone(1).Requests() {
			fmt.Fprintf(out, "%s %s %d\n", r.Method, r.Path, r.Status)
		}
	case "reset-requests":
		for _, name := range srv.Zones() {
			srv.Zone(name).ResetRequests()
		}
	case "own-credentials":
		// Every token a zone has ever issued or seeded, by zone.
		owner := map[string]string{}
		for _, name := range srv.Zones() {
			z := srv.Zone(name)
			owner[z.AdminToken()] = name
			for _, t := range z.Issued() {
				owner[t] = name
			}
		}
		var bad []string
		for _, name := range srv.Zones() {
			for _, r := range srv.Zone(name).Requests() {
				if o, ok := owner[r.Token]; ok && o != name {
					bad = append(bad, fmt.Sprintf("zone %s received zone %s's credential (%s %s)", name, o, r.Method, r.Path))
				}
			}
		}
		sort.Strings(bad)
		if (len(bad) == 0) == neg {
			ts.Fatalf("credentials crossed zones: %v", bad)
		}
	case "fault":
		if len(args) < 5 {
			ts.Fatalf("usage: emu fault ZONE METHOD PATH KIND [TIMES]")
		}
		f := emulator.Fault{Method: args[2], Path: args[3]}
		if f.Method == "*" {
			f.Method = ""
		}
		switch args[4] {
		case "html":
			f.Status, f.HTML = 502, true
		case "drop":
			f.Drop = true
		case "drop-after":
			f.DropAfterHandling = true
		case "pass":
		default:
			code, err := strconv.Atoi(args[4])
			ts.Check(err)
			f.Status = code
		}
		for _, opt := range args[5:] {
			if n, err := strconv.Atoi(opt); err == nil {
				f.Times = n
				continue
			}
			ts.Check(faultOption(srv, &f, opt))
		}
		zone(1).AddFault(f)
	case "wait-fired":
		// Waits until every fault of the zone has fired its times: a
		// request held by a delay fault is then in the emulator.
		deadline := time.Now().Add(time.Minute)
		for len(zone(1).Faults()) > 0 {
			if time.Now().After(deadline) {
				ts.Fatalf("zone %s: faults did not fire within a minute: %v", args[1], zone(1).Faults())
			}
			time.Sleep(10 * time.Millisecond)
		}
	case "latency":
		d, err := time.ParseDuration(args[2])
		ts.Check(err)
		zone(1).SetLatency(d)
	case "clock":
		if len(args) != 3 {
			ts.Fatalf("usage: emu clock ZONE OFFSET")
		}
		d, err := time.ParseDuration(args[2])
		ts.Check(err)
		zone(1).SetClockOffset(d)
	case "ratelimit":
		n, err := strconv.Atoi(args[2])
		ts.Check(err)
		retryAfter := false
		for _, opt := range args[3:] {
			switch {
			case opt == "retry-after":
				retryAfter = true
			case strings.HasPrefix(opt, "window="):
				d, err := time.ParseDuration(strings.TrimPrefix(opt, "window="))
				ts.Check(err)
				zone(1).SetRateWindow(d)
			default:
				ts.Fatalf("usage: emu ratelimit ZONE N [retry-after] [window=DURATION]")
			}
		}
		zone(1).SetRateLimit(n, retryAfter)
	case "seed-many":
		// Many tokens at once, created a millisecond apart from CREATED.
		if len(args) != 6 {
			ts.Fatalf("usage: emu seed-many ZONE LABEL SCOPES N CREATED")
		}
		n, err := strconv.Atoi(args[4])
		ts.Check(err)
		created, err := time.Parse(time.RFC3339Nano, args[5])
		ts.Check(err)
		for i := range n {
			zone(1).AddToken(args[2], strings.Split(args[3], ","), created.Add(time.Duration(i)*time.Millisecond))
		}
	case "scopes":
		zone(1).SetScopes(strings.Split(args[2], ","))
	case "label-invariant":
		// The rotation invariant: the token that was delivered or stored
		// works, and every other token with the label is revoked or named
		// (by its created timestamp) on the last command's stderr.
		if len(args) != 4 || neg {
			ts.Fatalf("usage: emu label-invariant ZONE LABEL TOKEN")
		}
		z := zone(1)
		if !z.HasToken(args[3]) {
			ts.Fatalf("the delivered or stored token does not work at zone %s", args[1])
		}
		stderr := ts.ReadFile("stderr")
		for _, tok := range z.Tokens() {
			if tok.Label == args[2] && tok.Token != args[3] && !strings.Contains(stderr, tok.Created) {
				ts.Fatalf("the token labelled %q created %s is neither the one kept nor named on stderr", args[2], tok.Created)
			}
		}
	case "unauthorized-body":
		// json, empty or text: Make's 401 body is not documented.
		zone(1).SetUnauthorizedBody(args[2])
	case "administrator":
		zone(1).SetAdministrator(args[2] == "on")
	case "private-host":
		startPrivateHost(ts)
	case "never-sent":
		// No zone (but ZONE, the token's own), the private instance
		// included, ever received TOKEN.
		if len(args) < 2 || len(args) > 3 || neg {
			ts.Fatalf("usage: emu never-sent TOKEN [ZONE]")
		}
		all := []*emulator.Zone{}
		for _, name := range srv.Zones() {
			all = append(all, srv.Zone(name))
		}
		if z := privateZone(ts); z != nil {
			all = append(all, z)
		}
		for _, z := range all {
			if len(args) == 3 && z.Name() == args[2] {
				continue
			}
			for _, r := range z.Requests() {
				if strings.Contains(r.Token, args[1]) {
					ts.Fatalf("zone %s received the token (%s %s)", z.Name(), r.Method, r.Path)
				}
			}
		}
	case "user-add":
		if len(args) != 4 || neg {
			ts.Fatalf("usage: emu user-add ZONE EMAIL VAR")
		}
		name, _, _ := strings.Cut(args[2], "@")
		u, admin := zone(1).AddUser(strings.ToUpper(name[:1])+name[1:], args[2])
		ts.Setenv(args[3], admin.Token)
		ts.Setenv(args[3]+"_ID", strconv.FormatInt(u.ID, 10))
	case "seed-for":
		if len(args) != 6 || neg {
			ts.Fatalf("usage: emu seed-for ZONE EMAIL LABEL SCOPES VAR")
		}
		u, ok := zone(1).UserByEmail(args[2])
		if !ok {
			ts.Fatalf("emu: zone %s has no user %s", args[1], args[2])
		}
		tok, _ := zone(1).AddTokenFor(u.ID, args[3], strings.Split(args[4], ","), time.Time{})
		ts.Setenv(args[5], tok.Token)
	case "only-user":
		// Which account a request was made as: the user its token
		// belonged to when it came (see emulator.Request.User).
		if len(args) != 3 {
			ts.Fatalf("usage: emu only-user ZONE EMAIL")
		}
		u, ok := zone(1).UserByEmail(args[2])
		if !ok {
			ts.Fatalf("emu: zone %s has no user %s", args[1], args[2])
		}
		reqs := zone(1).Requests()
		var other []string
		for _, r := range reqs {
			if r.User != u.ID {
				other = append(other, fmt.Sprintf("%s %s (user %d)", r.Method, r.Path, r.User))
			}
		}
		switch {
		case len(reqs) == 0 && !neg:
			ts.Fatalf("zone %s: no request at all", args[1])
		case len(other) > 0 && !neg:
			ts.Fatalf("zone %s: requests not made with a token of %s: %v", args[1], args[2], other)
		case len(other) == 0 && neg:
			ts.Fatalf("zone %s: every request was made with a token of %s", args[1], args[2])
		}
	case "canary", "canary-secret", "no-secrets", "credentials", "contract-exempt", "clear-faults":
		cmdEmuHardening(ts, neg, srv, args)
	case "seed-text", "created-suffix", "user":
		cmdEmuServerText(ts, srv, args)
	default:
		ts.Fatalf("emu: unknown command %q", args[0])
	}
}

// cmdKeyring reads and writes the script's keyring directly, as another
// program (or an older maketoken) would: the file stand-in of
// MAKETOKEN_TEST_KEYRING=file:PATH, or the real OS keyring of TestRealKeyring.
//
//	keyring set SERVICE/ACCOUNT VALUE   write an entry
//	keyring get SERVICE/ACCOUNT         print its value to stdout (with !: there is no such entry)
//	keyring del SERVICE/ACCOUNT         remove it
func cmdKeyring(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: keyring set|get|del SERVICE/ACCOUNT [VALUE]")
	}
	var k credentials.Keyring
	switch spec := ts.Getenv("MAKETOKEN_TEST_KEYRING"); {
	case spec == "system":
		k = credentials.SystemKeyring{}
	case strings.HasPrefix(spec, "file:"):
		k = &fileKeyring{path: strings.TrimPrefix(spec, "file:")}
	default:
		ts.Fatalf("keyring: the script's keyring (%q) is neither file:PATH nor system", spec)
	}
	service, account, ok := strings.Cut(args[1], "/")
	if !ok {
		ts.Fatalf("keyring: want SERVICE/ACCOUNT, got %q", args[1])
	}
	switch args[0] {
	case "set":
		if len(args) != 3 || neg {
			ts.Fatalf("usage: keyring set SERVICE/ACCOUNT VALUE")
		}
		ts.Check(k.Set(service, account, args[2]))
	case "get":
		v, err := k.Get(service, account)
		if errors.Is(err, credentials.ErrNotFound) {
			if !neg {
				ts.Fatalf("keyring: no entry %s", args[1])
			}
			return
		}
		ts.Check(err)
		if neg {
			ts.Fatalf("keyring: entry %s exists", args[1])
		}
		fmt.Fprint(ts.Stdout(), v)
	case "del":
		ts.Check(k.Delete(service, account))
	default:
		ts.Fatalf("keyring: unknown %q", args[0])
	}
}

// cmdExits runs a program and checks its exit code:
//
//	exits CODE PROGRAM [ARG...]
//
// Its stdout and stderr are kept for the stdout and stderr commands.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARG...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("%s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// cmdWaitFile waits (up to a minute) until a file exists:
//
//	waitfile FILE
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	path := ts.MkAbs(args[0])
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not appear within a minute", args[0])
		}
	}
}

// cmdSetenvFile sets a variable to a file's content, trimmed of surrounding
// white space; the file may be stdout or stderr of the last command:
//
//	setenvfile VAR FILE
func cmdSetenvFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: setenvfile VAR FILE")
	}
	ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile(args[1])))
}
