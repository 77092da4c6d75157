package config

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// writeConfig writes a config file with the given mode and returns the
// environment that selects it.
func writeConfig(t *testing.T, text string, mode os.FileMode) (string, func(string) string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(file, mode); err != nil { // not subject to the umask
		t.Fatal(err)
	}
	return file, envMap(map[string]string{"MAKETOKEN_CONFIG": file})
}

func TestPermissionWarnings(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits")
	}
	cases := []struct {
		mode os.FileMode
		want string // "" = no warning
	}{
		{0o600, ""},
		{0o400, ""},
		// Read by others is fine: the file holds no secret (the default
		// umask writes 0644).
		{0o640, ""},
		{0o644, ""},
		{0o604, ""},
		{0o620, "can be changed by other users (mode 0620): whoever changes a zone's URL there receives your credential; run `chmod go-w "},
		{0o666, "can be changed by other users (mode 0666)"},
	}
	for _, tc := range cases {
		file, env := writeConfig(t, "zone: eu2\n", tc.mode)
		cfg, err := Load(flagSet(), env)
		if err != nil {
			t.Fatalf("%04o: %v", tc.mode, err)
		}
		got := strings.Join(cfg.Warnings, "\n")
		switch {
		case tc.want == "" && got != "":
			t.Errorf("%04o: unexpected warning %q", tc.mode, got)
		case tc.want != "" && (!strings.Contains(got, tc.want) || !strings.Contains(got, file)):
			t.Errorf("%04o: warning %q, want it to hold %q and the file name", tc.mode, got, tc.want)
		}
		if cfg.Zone != "eu2" {
			t.Errorf("%04o: a warning must not stop the file from being used", tc.mode)
		}
	}
}

// TestPermissionWarningsAsDocumented: docs/configuration.md promises the
// warnings TestPermissionWarnings checks, and no other (it promised one
// for a config file others can read).
func TestPermissionWarningsAsDocumented(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Join(strings.Fields(string(data)), " ")
	for _, want := range []string{
		"maketoken warns on stderr when other users can change the config file",
		"That others can read the config file is no matter",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("docs/configuration.md does not say %q", want)
		}
	}
	if strings.Contains(doc, "when the config file (or the credentials file) can be read") {
		t.Error("docs/configuration.md promises a warning for a config file others can read")
	}
}

func TestBadConfigFiles(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"not YAML", "zones: [unclosed\n", "is not valid YAML"},
		{"tabs", "zone:\teu1\n\tzones: x\n", "is not valid YAML"},
		{"binary", "\x00\x01\x02\xff", "is not valid YAML"},
		{"zones is a list", "zones:\n  - eu1\n  - eu2\n", "`zones` must map zone names to {url: ...}"},
		{"zone is a string", "zones:\n  acme: https://make.acme.example/api/v2\n", `zone "acme" must be a mapping with a url`},
		{"zone without url", "zones:\n  acme:\n    uri: https://x/api/v2\n", `zone "acme" has no url`},
		{"url is a number", "zones:\n  acme:\n    url: 5\n", `zone "acme" has no url`},
		{"unknown output", "output: xml\n", `unknown output format "xml"`},
		{"negative timeout", "timeout: -5s\n", `timeout: "-5s" is not a positive duration`},
		{"zero timeout", "timeout: 0\n", "not a positive duration"},
		{"word timeout", "timeout: soon\n", "not a positive duration"},
		{"keyring timeout", "keyring_timeout: forever\n", `keyring_timeout: "forever"`},
		{"debug", "debug: maybe\n", `debug: "maybe" is not a boolean`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, env := writeConfig(t, tc.text, 0o600)
			_, err := Load(flagSet(), env)
			var ue *UsageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want a UsageError with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines", err)
			}
		})
	}
}

func TestGoodValues(t *testing.T) {
	_, env := writeConfig(t, "timeout: 45\nkeyring_timeout: 1.5s\ndebug: yes\noutput: JSON\nzones:\n  ACME:\n    url: https://make.acme.example/api/v2\n", 0o600)
	cfg, err := Load(flagSet(), env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Timeout != 45*time.Second || cfg.KeyringTimeout != 1500*time.Millisecond || !cfg.Debug || cfg.Output != "json" || cfg.ZoneURLs["acme"] == "" {
		t.Errorf("cfg = %+v", cfg)
	}
}

func TestConfigFileThatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(flagSet("--config", dir), envMap(nil))
	if err == nil || !strings.Contains(err.Error(), "reading the config file") {
		t.Fatalf("a folder: err = %v", err)
	}
	_, err = Load(flagSet("--config", filepath.Join(dir, "missing.yaml")), envMap(nil))
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("missing: err = %v", err)
	}
	// A file that never ends is not read for ever.
	if _, statErr := os.Stat("/dev/zero"); statErr == nil {
		done := make(chan error, 1)
		go func() {
			_, err := Load(flagSet("--config", "/dev/zero"), envMap(nil))
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "/dev/zero is a device, not a regular file") {
				t.Fatalf("/dev/zero: err = %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("reading /dev/zero as the config file did not stop")
		}
	}
	// /dev/null means "no settings": no warning about its mode.
	if _, statErr := os.Stat("/dev/null"); statErr == nil {
		cfg, err := Load(flagSet("--config", "/dev/null"), envMap(nil))
		if err != nil || len(cfg.Warnings) != 0 {
			t.Fatalf("/dev/null: %+v, %v", cfg, err)
		}
	}
	// Not found where nobody asked for it: fine, no file.
	cfg, err := Load(flagSet(), envMap(map[string]string{"XDG_CONFIG_HOME": dir}))
	if err != nil || cfg.File != "" {
		t.Fatalf("cfg %+v, err %v", cfg, err)
	}
}
