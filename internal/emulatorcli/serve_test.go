package emulatorcli

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/testkit"
)

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var stderr testkit.Buffer
	dir := t.TempDir()
	cfgFile, tokFile := filepath.Join(dir, "config.yaml"), filepath.Join(dir, "admin.env")
	done := make(chan int, 1)
	go func() {
		done <- Serve(ctx, []string{"-port", "0", "-zones", "eu1, celonis-us1", "-rate-limit", "100", "-retry-after", "-latency", "1ms",
			"-config", cfgFile, "-tokens", tokFile}, outW, &stderr)
		outW.Close()
	}()

	lineRe := regexp.MustCompile(`^(\S+)\s+(http://127\.0\.0\.1:\d+/api/v2)\s+([0-9a-f-]{36})$`)
	type zone struct{ url, token string }
	zones := map[string]zone{}
	var out strings.Builder
	sc := bufio.NewScanner(outR)
	ready := false
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		if m := lineRe.FindStringSubmatch(line); m != nil {
			zones[m[1]] = zone{m[2], m[3]}
		}
		if line == "make-emulator: ready" {
			ready = true
			break
		}
	}
	go io.Copy(io.Discard, outR)
	if !ready {
		t.Fatalf("never ready; stdout:\n%s\nstderr:\n%s", out.String(), stderr.String())
	}
	if len(zones) != 2 || zones["eu1"].url == "" || zones["celonis-us1"].url == "" {
		t.Fatalf("zones %v from:\n%s", zones, out.String())
	}
	wantYAML := "zones:\n  eu1:\n    url: " + zones["eu1"].url + "\n  celonis-us1:\n    url: " + zones["celonis-us1"].url + "\n"
	if !strings.Contains(out.String(), wantYAML) {
		t.Errorf("no YAML block %q in:\n%s", wantYAML, out.String())
	}

	if b, err := os.ReadFile(cfgFile); err != nil || string(b) != wantYAML {
		t.Errorf("-config file: %q, %v", b, err)
	}
	wantEnv := "ADMIN_EU1=" + zones["eu1"].token + "\nURL_EU1=" + zones["eu1"].url + "\n" +
		"ADMIN_CELONIS_US1=" + zones["celonis-us1"].token + "\nURL_CELONIS_US1=" + zones["celonis-us1"].url + "\n"
	if b, err := os.ReadFile(tokFile); err != nil || string(b) != wantEnv {
		t.Errorf("-tokens file: %q, %v", b, err)
	}
	if fi, err := os.Stat(tokFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("-tokens file mode: %v %v", fi.Mode(), err)
	}

	req, _ := http.NewRequest(http.MethodGet, zones["eu1"].url+"/users/me", nil)
	req.Header.Set("Authorization", "Token "+zones["eu1"].token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /users/me: %d", resp.StatusCode)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop")
	}
	log := stderr.String()
	if !strings.Contains(log, "eu1 GET /api/v2/users/me 200") || !strings.Contains(log, "make-emulator: stopped") {
		t.Errorf("stderr:\n%s", log)
	}
	if strings.Contains(log, zones["eu1"].token) {
		t.Error("the access log contains the admin token")
	}
}

func TestRunRejectsBadUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-addr", "0.0.0.0"}, "not a loopback address"},
		{[]string{"-addr", "192.0.2.10"}, "not a loopback address"},
		{[]string{"-port", "70000"}, "out of range"},
		{[]string{"-port", "65534"}, "no room for 6 zones"},
		{[]string{"-zones", ""}, "bad zone name"},
		{[]string{"-zones", "eu1,eu1"}, "given twice"},
		{[]string{"-zones", "eu1,a b"}, "bad zone name"},
		{[]string{"-rate-limit", "-1"}, "must not be negative"},
		{[]string{"-latency", "-1s"}, "must not be negative"},
		{[]string{"-latency", "soon"}, "invalid value"},
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"-plan", "gold"}, "unknown plan"},
		{[]string{"-plan", "free", "-rate-limit", "5"}, "not both"},
		{[]string{"-unauthorized-body", "html"}, "want json, empty or text"},
	} {
		var stdout, stderr testkit.Buffer
		code := Serve(context.Background(), tc.args, &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr.String(), tc.want)
		}
		if stdout.String() != "" {
			t.Errorf("%v: stdout %q", tc.args, stdout.String())
		}
	}
	var stdout, stderr testkit.Buffer
	code := Serve(context.Background(), []string{"-port", "0", "-zones", "eu1", "-config", filepath.Join(t.TempDir(), "no", "such", "dir", "c.yaml")}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "no such file") {
		t.Errorf("unwritable -config: exit %d, %q", code, stderr.String())
	}
	stdout, stderr = testkit.Buffer{}, testkit.Buffer{}
	if code := Serve(context.Background(), []string{"-h"}, &stdout, &stderr); code != 0 || !strings.Contains(stderr.String(), "-rate-limit") {
		t.Errorf("-h: exit %d, %q", code, stderr.String())
	}
}
