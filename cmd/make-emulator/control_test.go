//go:build unix

package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// serveEmulator starts `make-emulator -port 0 ARGS...` and returns eu1's
// base URL and admin token, and what it wrote to stderr (the access log)
// so far, once it says it is ready.
func serveEmulator(t *testing.T, bin string, args ...string) (url, admin string, stderr func() string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, "make-emulator"), append([]string{"-port", "0", "-zones", "eu1"}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var mu sync.Mutex
	var errBuf strings.Builder
	cmd.Stderr = writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return errBuf.Write(p) })
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	line := regexp.MustCompile(`^eu1\s+(http://127\.0\.0\.1:\d+/api/v2)\s+(\S+)$`)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := line.FindStringSubmatch(sc.Text()); m != nil {
			url, admin = m[1], m[2]
		}
		if sc.Text() == "make-emulator: ready" {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	if url == "" {
		t.Fatalf("make-emulator did not get ready; stderr:\n%s", errBuf.String())
	}
	return url, admin, func() string { mu.Lock(); defer mu.Unlock(); return errBuf.String() }
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// get sends a GET with the given Host header and Authorization token ("":
// none) and returns the status and body.
func get(t *testing.T, url, host, token string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if token != "" {
		req.Header.Set("Authorization", "Token "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// The control API answers only requests addressed to this machine by a
// loopback address or localhost: a web page whose own name was re-bound to
// 127.0.0.1 (DNS rebinding) sends its name in Host, and gets nothing, not
// even the admin tokens.
func TestControlAPIRefusesForeignHosts(t *testing.T) {
	bin := buildBinaries(t)
	url, admin, _ := serveEmulator(t, bin, "-quiet")
	port := regexp.MustCompile(`:(\d+)/`).FindStringSubmatch(url)[1]
	state := strings.TrimSuffix(url, "/api/v2") + "/_emulator/state"
	for _, host := range []string{"evil.example", "evil.example:" + port, "127.0.0.1.evil.example:" + port, "localhost.evil.example", "0x7f000001.example"} {
		code, body := get(t, state, host, "")
		if code != http.StatusForbidden || strings.Contains(body, admin) {
			t.Errorf("Host %s: %d %s; want 403 without the admin token", host, code, body)
		}
	}
	for _, host := range []string{"", "127.0.0.1:" + port, "localhost:" + port, "LOCALHOST", "127.0.0.2", "[::1]:" + port} {
		if code, body := get(t, state, host, ""); code != http.StatusOK || !strings.Contains(body, admin) {
			t.Errorf("Host %q: %d %s; want the state", host, code, body)
		}
	}
}

// A token the emulator never issued (a real one, pasted by mistake) is
// shown by its prefix only: in the request log, which any local user can
// read through the control API, and in the access log. The emulator's own
// tokens stay whole there, for scripts that check which was sent where.
func TestUnknownTokensAreLoggedByPrefix(t *testing.T) {
	bin := buildBinaries(t)
	url, admin, stderr := serveEmulator(t, bin)
	pasted := []string{"3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e", "pasted_secret_without_dashes_0123456789"}
	for _, tok := range pasted {
		if code, _ := get(t, url+"/users/me", "", tok); code != http.StatusUnauthorized {
			t.Fatalf("an unknown token: %d, want 401", code)
		}
	}
	get(t, url+"/users/me/api-tokens/"+pasted[0], "", admin) // pasted where a created timestamp goes
	if code, _ := get(t, url+"/users/me", "", admin); code != http.StatusOK {
		t.Fatalf("the admin token: %d", code)
	}
	_, log := get(t, strings.TrimSuffix(url, "/api/v2")+"/_emulator/requests", "", "")
	time.Sleep(100 * time.Millisecond) // the access log's last line
	for where, text := range map[string]string{"request log": log, "access log": stderr()} {
		for _, tok := range pasted {
			if strings.Contains(text, tok) || strings.Contains(text, tok[9:]) {
				t.Errorf("the %s holds the pasted token %s:\n%s", where, tok, text)
			}
		}
	}
	for _, want := range []string{`"token":"3f2a9c1d-****-****-****-************"`, `"token":"` + admin + `"`} {
		if !strings.Contains(log, want) {
			t.Errorf("the request log lacks %s:\n%s", want, log)
		}
	}
}
