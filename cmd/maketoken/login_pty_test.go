//go:build !windows

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoginPrompt types a token at login's hidden prompt on a real
// pseudo-terminal: it is not echoed, it is checked with Make, and it is
// stored (here in the credentials file: the real binary has no stand-in
// keyring and the test has no D-Bus session, so the OS keyring is out of
// reach by design).
func TestLoginPrompt(t *testing.T) {
	bin := buildMaketoken(t)
	e := newPtyEnv(t, bin)
	token := e.zone.AdminToken()
	// The credential must come from the prompt, not the environment.
	env := e.env[:0:0]
	var home string
	for _, kv := range e.env {
		switch {
		case strings.HasPrefix(kv, "MAKETOKEN_TOKEN_"):
			continue
		case strings.HasPrefix(kv, "XDG_CONFIG_HOME="):
			home = strings.TrimPrefix(kv, "XDG_CONFIG_HOME=")
		}
		env = append(env, kv)
	}
	e.env = env

	t.Run("a token typed at the prompt is stored, never echoed", func(t *testing.T) {
		s := e.start(t, "login", "-z", "eu1", "--insecure-storage")
		s.expect("Paste the Make API token for zone eu1 (" + strings.TrimPrefix(strings.TrimSuffix(e.zone.URL(), "/api/v2"), "http://") + "); it will not be shown: ")
		s.send(token + "\r")
		if code := s.wait(); code != 0 {
			t.Fatalf("exit %d:\n%s", code, s.output())
		}
		out := s.output()
		if strings.Contains(out, token) || strings.Contains(out, token[:8]) {
			t.Fatalf("the token was echoed to the terminal:\n%s", out)
		}
		if !strings.Contains(out, "Logged in to zone eu1") {
			t.Fatalf("no confirmation:\n%s", out)
		}
		data, err := os.ReadFile(filepath.Join(home, "maketoken", "credentials.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), token) {
			t.Fatal("the typed token was not stored")
		}
	})

	t.Run("a rejected token typed at the prompt is not stored", func(t *testing.T) {
		s := e.start(t, "login", "-z", "eu1", "--insecure-storage")
		s.expect("it will not be shown: ")
		s.send("11111111-2222-4333-8444-555555555555\r")
		if code := s.wait(); code != 4 {
			t.Fatalf("exit %d, want 4:\n%s", code, s.output())
		}
		if strings.Contains(s.output(), "11111111-2222") {
			t.Fatalf("the token was echoed:\n%s", s.output())
		}
		data, err := os.ReadFile(filepath.Join(home, "maketoken", "credentials.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "11111111-2222") || !strings.Contains(string(data), token) {
			t.Fatal("a rejected token replaced the stored credential")
		}
	})

	t.Run("another user's token typed at the prompt adds an account", func(t *testing.T) {
		_, bob := e.zone.AddUser("Bob", "bob@example.com")
		s := e.start(t, "login", "-z", "eu1", "--insecure-storage")
		s.expect("it will not be shown: ")
		s.send(bob.Token + "\r")
		if code := s.wait(); code != 0 {
			t.Fatalf("exit %d:\n%s", code, s.output())
		}
		s.expect("Added bob@example.com to zone eu1's accounts, as the active one (it was user@eu1.emulator.example;")
		if strings.Contains(s.output(), bob.Token[:8]) {
			t.Fatalf("the token was echoed:\n%s", s.output())
		}
		data, err := os.ReadFile(filepath.Join(home, "maketoken", "credentials.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), token) || !strings.Contains(string(data), bob.Token) {
			t.Fatal("the credentials file does not hold both accounts' tokens")
		}
	})
}
