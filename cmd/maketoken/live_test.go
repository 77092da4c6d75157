package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/maketoken/maketoken/internal/zones"
	"github.com/rogpeppe/go-internal/testscript"
)

// The live conformance suite checks maketoken against a real Make zone, the
// way Terraform providers run their acceptance tests: only when asked, with
// a token of the user's own.
//
//	MAKETOKEN_LIVE_ZONE=eu1 MAKETOKEN_LIVE_TOKEN=... go test -run TestLive -v ./cmd/maketoken
//
// The token needs user:read and user:write. The suite runs status, scopes,
// create (with a unique label), list, rotate and revoke as the built
// binary, checks that nothing it created is left, and records the shapes of
// Make's answers (keys and types, never values) to MAKETOKEN_LIVE_SHAPES
// (default testdata/live-shapes/ZONE.json), which TestEmulatorMatchesLiveShapes
// compares the emulator against. See docs/live-testing.md.
const (
	liveZoneEnv   = "MAKETOKEN_LIVE_ZONE"
	liveTokenEnv  = "MAKETOKEN_LIVE_TOKEN"
	liveShapesEnv = "MAKETOKEN_LIVE_SHAPES"
	// liveSkipLine is what a run without the variables says (CI prints it).
	liveSkipLine = "live conformance suite skipped: set " + liveZoneEnv + " and " + liveTokenEnv +
		" (a token with user:read and user:write) to check maketoken against your zone; see docs/live-testing.md"
)

func TestLive(t *testing.T) {
	zone, token := os.Getenv(liveZoneEnv), os.Getenv(liveTokenEnv)
	if zone == "" || token == "" {
		t.Skip(liveSkipLine)
	}
	shapes := os.Getenv(liveShapesEnv)
	if shapes == "" {
		shapes = filepath.Join("testdata", "live-shapes", strings.ToLower(zone)+".json")
	}
	runLiveSuite(t, liveTarget{zone: zone, token: token, shapesFile: shapes})
}

// TestLiveAgainstEmulator runs the live suite once against the emulator
// standing in for a real zone (make.example.test over TLS, reached as
// MAKE_ZONE reaches a private instance), so that its code is exercised on
// every run, and compares the shapes it records with the emulator's own.
func TestLiveAgainstEmulator(t *testing.T) {
	srv := emulator.New(emulator.Options{Zones: []string{privateHost}})
	z := srv.Zone(privateHost)
	cert, caPEM, err := selfSignedCert(privateHost)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(z.Handler())
	hs.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	hs.StartTLS()
	t.Cleanup(hs.Close)
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	user := z.AddToken("live suite", []string{"user:read", "user:write"}, time.Time{})
	target := liveTarget{
		zone: privateHost, token: user.Token, shapesFile: filepath.Join(dir, "shapes.json"),
		extraEnv: []string{testHostsEnv + "=" + privateHost + ":443=" + hs.Listener.Addr().String(), testCAEnv + "=" + caFile},
	}
	runLiveSuite(t, target)
	if t.Failed() {
		return
	}
	// Nothing the suite made is left, and the zone saw only this token.
	for _, tok := range z.Tokens() {
		if strings.HasPrefix(tok.Label, "maketoken-live-") {
			t.Errorf("the suite left the token %q", tok.Label)
		}
	}
	if !z.HasToken(user.Token) {
		t.Error("the suite revoked its own credential")
	}
	recorded, err := os.ReadFile(target.shapesFile)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(recorded, []byte(user.Token)) || bytes.Contains(recorded, []byte(user.Token[9:])) {
		t.Fatal("the shapes file holds the token")
	}
	compareShapes(t, recorded, target.shapesFile, z, user.Token)
}

// TestEmulatorMatchesLiveShapes compares the emulator's answers with the
// shapes a live run recorded in testdata/live-shapes, if any.
func TestEmulatorMatchesLiveShapes(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "live-shapes", "*.json"))
	if len(files) == 0 {
		t.Skip("no shapes recorded from a real zone yet (testdata/live-shapes); see docs/live-testing.md")
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		srv := emulator.New(emulator.Options{Zones: []string{"live"}})
		z := srv.Zone("live")
		compareShapes(t, data, file, z, z.AdminToken())
	}
}

// liveTarget is the zone a live run checks.
type liveTarget struct {
	zone, token string
	shapesFile  string
	extraEnv    []string // test-only variables (the emulator stand-in)
}

func runLiveSuite(t *testing.T, target liveTarget) {
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	label := "maketoken-live-" + time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(suffix[:])
	// t.Run returns once the script (a parallel subtest) has finished.
	t.Run("maketoken", func(t *testing.T) { testscript.Run(t, liveParams(target, label)) })
	if t.Failed() {
		return
	}
	shapes, err := recordShapes(context.Background(), target)
	if err != nil {
		t.Fatalf("recording the answers' shapes: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(target.shapesFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target.shapesFile, shapes, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded the shapes of the zone's answers in %s", target.shapesFile)
}

// liveParams runs testdata/live against the target zone.
func liveParams(target liveTarget, label string) testscript.Params {
	return testscript.Params{
		Dir:                 filepath.Join("testdata", "live"),
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
			env.Setenv("XDG_CACHE_HOME", filepath.Join(env.WorkDir, ".cache"))
			env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, ".local", "share"))
			env.Setenv("MAKETOKEN_CONFIG", os.DevNull)
			// The token goes into the test keyring file, not into the
			// environment: testscript prints the environment when a
			// script fails, and a test log is no place for a secret.
			name, err := liveZoneName(target.zone)
			if err != nil {
				return err
			}
			ring, _ := json.Marshal(map[string]string{credentials.Service + "/" + name: target.token})
			keyring := filepath.Join(env.WorkDir, ".keyring.json")
			if err := os.WriteFile(keyring, ring, 0o600); err != nil {
				return err
			}
			env.Setenv("MAKETOKEN_TEST_KEYRING", "file:"+keyring)
			env.Setenv("MAKETOKEN_TEST_KERNEL_KEYRING", "refuse:ENOSYS")
			// The zone as Make's own tools take it: by name or host (a host
			// no zone has is a private instance).
			env.Setenv("MAKE_ZONE", target.zone)
			env.Setenv("LABEL", label)
			for _, kv := range target.extraEnv {
				k, v, _ := strings.Cut(kv, "=")
				env.Setenv(k, v)
			}
			// Whatever happens to the script, revoke what it made.
			env.Defer(func() { revokeLiveTokens(env, label) })
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":      cmdExits,
			"setenvfile": cmdSetenvFile,
		},
	}
}

// liveZoneName is the name maketoken gives the zone MAKE_ZONE names.
func liveZoneName(zone string) (string, error) {
	reg, err := zones.NewRegistry(nil)
	if err != nil {
		return "", err
	}
	if z, err := reg.Lookup(zone); err == nil {
		return z.Name, nil
	}
	z, err := reg.AddHost(zone)
	return z.Name, err
}

// revokeLiveTokens revokes every token the script made (by its unique
// label), as maketoken itself, if any is left.
func revokeLiveTokens(env *testscript.Env, label string) {
	bin := ""
	for _, dir := range filepath.SplitList(env.Getenv("PATH")) {
		if p := filepath.Join(dir, "maketoken"); fileExists(p) {
			bin = p
			break
		}
	}
	if bin == "" {
		env.T().Log("cannot find maketoken to clean up: look for tokens labelled " + label)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "revoke", "--label", label, "--all", "--yes")
	cmd.Env = env.Vars
	out, err := cmd.CombinedOutput()
	if err != nil && !strings.Contains(string(out), "no token") && !strings.Contains(string(out), "matches no") {
		env.T().Log("cleaning up the tokens labelled " + label + ": " + strings.TrimSpace(string(out)))
	}
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// liveProbe is one answer whose shape the suite records.
type liveProbe struct {
	Name        string `json:"name"`
	Method      string `json:"method"`
	Path        string `json:"path"`
	Status      int    `json:"status"`
	ContentType string `json:"contentType"`
	// Shape is the body's JSON shape: keys and types, never values; for a
	// body that is not JSON, "text".
	Shape      any  `json:"shape"`
	DateHeader bool `json:"dateHeader"`
}

// probes are the calls whose answers are recorded: the read-only endpoints
// with the suite's token, and one with a token that is not valid anywhere
// (what a 401 looks like is not documented).
var liveProbes = []struct{ name, path string }{
	{"me", "/users/me"},
	{"current-authorization", "/users/me/current-authorization"},
	{"api-tokens", "/users/me/api-tokens"},
	{"scopes", "/enums/user-api-token-scopes"},
}

const bogusToken = "00000000-0000-4000-8000-000000000000"

// recordShapes asks the zone the read-only calls directly (so that the
// raw answers are seen) and returns their shapes as JSON.
func recordShapes(ctx context.Context, target liveTarget) ([]byte, error) {
	host := target.zone
	if !strings.Contains(host, ".") {
		host = map[string]string{"eu1": "eu1.make.com", "eu2": "eu2.make.com", "us1": "us1.make.com", "us2": "us2.make.com",
			"celonis-eu1": "eu1.make.celonis.com", "celonis-us1": "us1.make.celonis.com"}[strings.ToLower(host)]
	}
	if host == "" {
		return nil, fmt.Errorf("unknown zone %q", target.zone)
	}
	getenv := func(k string) string {
		for _, kv := range target.extraEnv {
			if key, v, _ := strings.Cut(kv, "="); key == k {
				return v
			}
		}
		return ""
	}
	rt, err := testTransport(getenv)
	if err != nil {
		return nil, err
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	client := &http.Client{Transport: rt, Timeout: 30 * time.Second}
	base := "https://" + host + "/api/v2"
	var out []liveProbe
	call := func(name, path, token string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Token "+token)
		req.Header.Set("Accept", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("GET %s: %w", path, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		p := liveProbe{Name: name, Method: http.MethodGet, Path: path, Status: resp.StatusCode, ContentType: mt,
			Shape: "text", DateHeader: resp.Header.Get("Date") != ""}
		var v any
		if json.Unmarshal(body, &v) == nil {
			p.Shape = shapeOf(v)
		} else if len(bytes.TrimSpace(body)) == 0 {
			p.Shape = "empty"
		}
		out = append(out, p)
		return nil
	}
	for _, pr := range liveProbes {
		if err := call(pr.name, pr.path, target.token); err != nil {
			return nil, err
		}
	}
	if err := call("unauthorized", "/users/me/current-authorization", bogusToken); err != nil {
		return nil, err
	}
	return json.MarshalIndent(out, "", "  ")
}

// shapeOf describes a JSON value without its content: objects by their
// keys, arrays by the union of their elements' shapes, scalars by type.
func shapeOf(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, e := range x {
			m[k] = shapeOf(e)
		}
		return m
	case []any:
		if len(x) == 0 {
			return []any{}
		}
		merged := shapeOf(x[0])
		for _, e := range x[1:] {
			merged = mergeShapes(merged, shapeOf(e))
		}
		return []any{merged}
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "unknown"
}

// mergeShapes joins two element shapes of one array: the union of an
// object's keys.
func mergeShapes(a, b any) any {
	ma, okA := a.(map[string]any)
	mb, okB := b.(map[string]any)
	if !okA || !okB {
		return a
	}
	for k, v := range mb {
		if _, ok := ma[k]; !ok {
			ma[k] = v
		}
	}
	return ma
}

// compareShapes checks that the emulator answers every recorded probe with
// the recorded status and content type, and with at least the keys (and
// their types) the real zone sent. Keys the emulator adds are not errors.
func compareShapes(t *testing.T, recorded []byte, file string, z *emulator.Zone, token string) {
	t.Helper()
	var want []liveProbe
	if err := json.Unmarshal(recorded, &want); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	h := z.Handler()
	for _, p := range want {
		tok := token
		if p.Name == "unauthorized" {
			tok = bogusToken
		}
		req := httptest.NewRequest(p.Method, emulator.BasePath+p.Path, nil)
		req.Header.Set("Authorization", "Token "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		mt, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type"))
		if rec.Code != p.Status || mt != p.ContentType {
			t.Errorf("%s: %s %s: the emulator answers %d %s, the zone answered %d %s", file, p.Method, p.Path, rec.Code, mt, p.Status, p.ContentType)
			continue
		}
		var v any
		got := any("text")
		if json.Unmarshal(rec.Body.Bytes(), &v) == nil {
			got = shapeOf(v)
		} else if rec.Body.Len() == 0 {
			got = "empty"
		}
		for _, miss := range missingShape(p.Shape, got, "") {
			t.Errorf("%s: %s %s: the zone's answer has %s, the emulator's does not", file, p.Method, p.Path, miss)
		}
	}
}

// missingShape lists what want has that got lacks.
func missingShape(want, got any, at string) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("an object at %q", at)}
		}
		var out []string
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				out = append(out, fmt.Sprintf("the key %q", at+"."+k))
				continue
			}
			out = append(out, missingShape(w[k], gv, at+"."+k)...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{fmt.Sprintf("an array at %q", at)}
		}
		if len(w) == 0 || len(g) == 0 {
			return nil
		}
		return missingShape(w[0], g[0], at+"[]")
	default:
		if w == "null" || got == "null" || fmt.Sprint(w) == fmt.Sprint(got) {
			return nil
		}
		return []string{fmt.Sprintf("a %v at %q", w, at)}
	}
}

func TestMissingShape(t *testing.T) {
	var want, got any
	_ = json.Unmarshal([]byte(`{"authUser":{"id":1,"name":"a","features":{"x":true}},"list":[{"a":1},{"b":"x"}]}`), &want)
	_ = json.Unmarshal([]byte(`{"authUser":{"id":2,"name":7},"list":[{"a":2}],"extra":1}`), &got)
	miss := missingShape(shapeOf(want), shapeOf(got), "")
	if strings.Join(miss, "; ") != `the key ".authUser.features"; a string at ".authUser.name"; the key ".list[].b"` {
		t.Errorf("missing = %q", miss)
	}
}
