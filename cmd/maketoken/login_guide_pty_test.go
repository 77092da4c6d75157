//go:build !windows

package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/emulator"
	"github.com/maketoken/maketoken/internal/makeapi"
)

// TestLoginGuide: login at a terminal checks the keyring before it asks
// for anything, says where a token is created and which scopes maketoken
// needs, and says when it replaces a stored credential.
func TestLoginGuide(t *testing.T) {
	bin := buildMaketoken(t)
	e := newPtyEnv(t, bin)
	e.env = withoutCredentialEnv(e.env)

	t.Run("no keyring: fails before the prompt", func(t *testing.T) {
		// The test has no D-Bus session: the OS keyring is out of reach
		// (and credential_store=keyring keeps the kernel keyring out of
		// it, see newPtyEnv).
		e.zone.ResetRequests()
		s := e.start(t, "login", "-z", "eu1")
		if code := s.wait(); code != 8 {
			t.Fatalf("exit %d, want 8 (keyring unavailable):\n%s", code, s.output())
		}
		out := s.output()
		if strings.Contains(out, "Paste") || strings.Contains(out, "/user/api") {
			t.Errorf("asked for a token it could not store:\n%s", out)
		}
		if !strings.Contains(out, "the OS keyring is unavailable") || !strings.Contains(out, "--store file") {
			t.Errorf("no explanation with what to do:\n%s", out)
		}
		if n := len(e.zone.Requests()); n != 0 {
			t.Errorf("%d requests sent to Make", n)
		}
	})

	t.Run("the prompt says where a token comes from and which scopes", func(t *testing.T) {
		s := e.start(t, "login", "-z", "eu1", "--insecure-storage")
		// The config points eu1 at the emulator: the guide and the prompt
		// name where the token is checked, never Make's own eu1.
		origin := strings.TrimSuffix(e.zone.URL(), "/api/v2")
		s.expect("Paste the Make API token for zone eu1 (" + strings.TrimPrefix(origin, "http://") + "); it will not be shown: ")
		out := s.output()
		for _, want := range []string{"Create an API token for zone eu1 at " + origin + "/user/api", "user:read", "user:write"} {
			if !strings.Contains(out, want) {
				t.Errorf("no %q before the prompt:\n%s", want, out)
			}
		}
		if strings.Contains(out, "make.com") {
			t.Errorf("the guide names Make's own host for a zone the config moved:\n%s", out)
		}
		if strings.Contains(out, "already has a credential") {
			t.Errorf("a first login said it replaces one:\n%s", out)
		}
		s.send(e.zone.AdminToken() + "\r")
		if code := s.wait(); code != 0 {
			t.Fatalf("exit %d:\n%s", code, s.output())
		}
	})

	t.Run("replacing a login says so", func(t *testing.T) {
		next := e.zone.AddToken("laptop", emulator.DefaultScopes(), time.Time{})
		s := e.start(t, "login", "-z", "eu1", "--insecure-storage")
		old := makeapi.Prefix(e.zone.AdminToken())
		s.expect("maketoken: warning: zone eu1 already has a credential of user@eu1.emulator.example in the credentials file (" + old + "…): a token of that user replaces it; another user's is added beside it")
		s.expect("it will not be shown: ")
		s.send(next.Token + "\r")
		if code := s.wait(); code != 0 {
			t.Fatalf("exit %d:\n%s", code, s.output())
		}
		s.expect("It replaced the credential stored before (" + old + "…), which still works at Make; revoke it with `maketoken revoke -z eu1 --prefix " + old + "`")
		if strings.Contains(s.output(), e.zone.AdminToken()) || strings.Contains(s.output(), next.Token) {
			t.Errorf("a whole token was shown:\n%s", s.output())
		}
	})

	t.Run("a new credentials file holds nothing to replace", func(t *testing.T) {
		// The record of accounts still names the account stored in the
		// usual file, but this file is new and empty: nothing is there to
		// replace, and login must not say there is.
		other := *e
		other.env = append(append([]string(nil), e.env...), "MAKETOKEN_CREDENTIALS_FILE="+filepath.Join(t.TempDir(), "new.yaml"))
		s := other.start(t, "login", "-z", "eu1", "--insecure-storage")
		s.expect("it will not be shown: ")
		if out := s.output(); strings.Contains(out, "already has a credential") {
			t.Errorf("login said it replaces a credential the file does not hold:\n%s", out)
		}
		s.send(e.zone.AdminToken() + "\r")
		if code := s.wait(); code != 0 {
			t.Fatalf("exit %d:\n%s", code, s.output())
		}
	})

	t.Run("logout at a terminal asks, and says the token stays valid", func(t *testing.T) {
		s := e.start(t, "logout", "-z", "eu1")
		s.expect("maketoken: note: the token (")
		s.expect("…) stays valid at Make; to revoke it too, add --revoke")
		s.expect("Log out of zone eu1 as user@eu1.emulator.example (forget its credential in the credentials file)? [y/N] ")
		s.send("n\r")
		if code := s.wait(); code != 3 {
			t.Fatalf("exit %d, want 3:\n%s", code, s.output())
		}
		s = e.start(t, "logout", "-z", "eu1")
		s.expect("[y/N] ")
		s.send("y\r")
		if code := s.wait(); code != 0 {
			t.Fatalf("exit %d:\n%s", code, s.output())
		}
		s.expect("Logged out of zone eu1")
	})
}
