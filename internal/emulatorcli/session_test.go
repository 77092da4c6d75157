package emulatorcli

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func envValue(env []string, k string) (string, bool) {
	var v string
	found := false
	for _, kv := range env {
		if val, ok := strings.CutPrefix(kv, k+"="); ok {
			v, found = val, true
		}
	}
	return v, found
}

func TestSessionWiresMaketokenToTheEmulatorOnly(t *testing.T) {
	binDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(binDir, "maketoken"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	user := []string{
		"PATH=/usr/bin:/bin", "HOME=/home/someone",
		"MAKETOKEN_TOKEN_EU1=the-users-real-token", "MAKETOKEN_CONFIG=/home/someone/real.yaml",
		"MAKETOKEN_ZONE=us2", "MAKE_API_KEY=real-key", "MAKE_ZONE=eu2.make.com",
		"DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus", "XDG_CACHE_HOME=/home/someone/.cache",
		"XDG_CONFIG_HOME=/home/someone/.config", "XDG_STATE_HOME=/home/someone/.local/state",
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s, err := startSession(user, filepath.Join(binDir, "make-emulator"), now)
	if err != nil {
		t.Fatal(err)
	}
	dir := s.dir

	for _, k := range []string{"MAKETOKEN_ZONE", "MAKE_API_KEY", "MAKE_ZONE"} {
		if v, ok := envValue(s.env, k); ok {
			t.Errorf("%s=%s reaches the command", k, v)
		}
	}
	for _, v := range s.env {
		if strings.Contains(v, "real") || strings.Contains(v, "/home/someone/.") || strings.Contains(v, "/run/user/1000/bus") {
			t.Errorf("the user's %s reaches the command", v)
		}
	}
	if v, _ := envValue(s.env, "HOME"); v != "/home/someone" {
		t.Errorf("HOME = %q, want the user's", v)
	}
	if v, _ := envValue(s.env, "PATH"); v != binDir+":/usr/bin:/bin" {
		t.Errorf("PATH = %q, want the folder with maketoken first", v)
	}
	for _, k := range []string{"MAKETOKEN_CONFIG", "MAKETOKEN_CREDENTIALS_FILE", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"} {
		if v, _ := envValue(s.env, k); !strings.HasPrefix(v, dir+string(filepath.Separator)) {
			t.Errorf("%s = %q, not in the session's folder %s", k, v, dir)
		}
	}
	if v, _ := envValue(s.env, "DBUS_SESSION_BUS_ADDRESS"); !strings.Contains(v, dir) {
		t.Errorf("DBUS_SESSION_BUS_ADDRESS = %q: a keyring could be reached", v)
	}
	cfg, _ := envValue(s.env, "MAKETOKEN_CONFIG")
	if fi, err := os.Stat(cfg); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("config file: %v %v", fi, err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("session folder: %v %v", fi, err)
	}

	// Every zone has its credential, and it works there.
	for _, name := range s.srv.Zones() {
		z := s.srv.Zone(name)
		k := "MAKETOKEN_TOKEN_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		if v, _ := envValue(s.env, k); v != z.AdminToken() {
			t.Errorf("%s = %q, want zone %s's admin token", k, v, name)
		}
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, z.URL()+"/users/me", nil)
		req.Header.Set("Authorization", "Token "+z.AdminToken())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("zone %s: /users/me %d", name, resp.StatusCode)
		}
	}
	if got := len(s.srv.Zones()); got != 6 {
		t.Errorf("%d zones, want Make's six", got)
	}

	// The demo tokens: several labels, in more than one zone, of different ages.
	labels := map[string][]string{}
	ages := map[time.Duration]bool{}
	for _, name := range s.srv.Zones() {
		for _, tok := range s.srv.Zone(name).Tokens() {
			if tok.Token == s.srv.Zone(name).AdminToken() {
				continue
			}
			labels[tok.Label] = append(labels[tok.Label], name)
			created, err := time.Parse(time.RFC3339Nano, tok.Created)
			if err != nil {
				t.Fatal(err)
			}
			ages[now.Sub(created).Truncate(24*time.Hour)] = true
		}
	}
	for _, l := range []string{"ci-nightly", "reporting", "zapier-bridge"} {
		if len(labels[l]) == 0 {
			t.Errorf("no %s token seeded", l)
		}
	}
	old := false
	for a := range ages {
		old = old || a > 90*24*time.Hour
	}
	if len(labels["ci-nightly"]) < 2 || len(ages) < 4 || !old {
		t.Errorf("seeds: labels %v, ages %v: want ci-nightly in two zones, four ages, one older than 90 days", labels, ages)
	}

	url := s.srv.Zone("eu1").URL()
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the session's folder is still there: %v", err)
	}
	if resp, err := http.Get(url + "/users/me"); err == nil {
		resp.Body.Close()
		t.Error("the emulator still answers after close")
	}
}

func TestBannerFitsSixtyColumns(t *testing.T) {
	s, err := startSession(nil, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	for _, end := range []string{"It stops when the command ends.", "Type `exit` to stop it."} {
		b := s.banner(end)
		if !strings.HasPrefix(b, "make-emulator: maketoken is wired to an in-memory emulator") {
			t.Errorf("the banner does not start by saying it is the emulator: %q", b)
		}
		for _, line := range strings.Split(strings.TrimSuffix(b, "\n"), "\n") {
			if n := utf8.RuneCountInString(line); n > 60 {
				t.Errorf("%d columns: %q", n, line)
			}
		}
	}
}

func TestSessionLeavesPathAloneWithoutMaketokenBeside(t *testing.T) {
	s, err := startSession([]string{"PATH=/usr/bin"}, filepath.Join(t.TempDir(), "make-emulator"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if v, _ := envValue(s.env, "PATH"); v != "/usr/bin" {
		t.Errorf("PATH = %q", v)
	}
}
