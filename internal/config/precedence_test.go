package config

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/testkit"
	"github.com/spf13/pflag"
)

func flagSet(args ...string) *pflag.FlagSet {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.StringP("zone", "z", "", "")
	fs.StringP("output", "o", "", "")
	fs.String("config", "", "")
	fs.Duration("timeout", 30*time.Second, "")
	fs.Bool("debug", false, "")
	if err := fs.Parse(args); err != nil {
		panic(err)
	}
	return fs
}

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestZonePrecedence(t *testing.T) {
	dir, file := testkit.TempFile(t, "config.yaml", "zone: us2\ntimeout: 45s\noutput: json\n")
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"default", nil, map[string]string{"XDG_CONFIG_HOME": filepath.Join(dir, "none")}, ""},
		{"config file", nil, map[string]string{"MAKETOKEN_CONFIG": file}, "us2"},
		{"MAKE_ZONE over the file", nil, map[string]string{"MAKETOKEN_CONFIG": file, "MAKE_ZONE": "eu1.make.celonis.com"}, "eu1.make.celonis.com"},
		{"MAKETOKEN_ZONE over MAKE_ZONE", nil, map[string]string{"MAKETOKEN_CONFIG": file, "MAKE_ZONE": "eu2", "MAKETOKEN_ZONE": "us1"}, "us1"},
		{"flag over everything", []string{"-z", "celonis-us1"}, map[string]string{"MAKETOKEN_CONFIG": file, "MAKE_ZONE": "eu2", "MAKETOKEN_ZONE": "us1"}, "celonis-us1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load(flagSet(tc.args...), envMap(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Zone != tc.want {
				t.Fatalf("zone = %q, want %q", cfg.Zone, tc.want)
			}
		})
	}
}

func TestSettingPrecedence(t *testing.T) {
	dir, file := testkit.TempFile(t, "config.yaml", "timeout: 45s\noutput: json\nkeyring_timeout: 3s\n")
	cfg, err := Load(flagSet(), envMap(map[string]string{"MAKETOKEN_CONFIG": file}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Timeout != 45*time.Second || cfg.Output != "json" || cfg.KeyringTimeout != 3*time.Second {
		t.Fatalf("from the file: %+v", cfg)
	}
	cfg, err = Load(flagSet(), envMap(map[string]string{"MAKETOKEN_CONFIG": file, "MAKETOKEN_TIMEOUT": "1m", "MAKETOKEN_OUTPUT": "tsv"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Timeout != time.Minute || cfg.Output != "tsv" {
		t.Fatalf("env over file: %+v", cfg)
	}
	cfg, err = Load(flagSet("--timeout", "5s", "-o", "table"), envMap(map[string]string{"MAKETOKEN_CONFIG": file, "MAKETOKEN_TIMEOUT": "1m", "MAKETOKEN_OUTPUT": "tsv"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Timeout != 5*time.Second || cfg.Output != "table" {
		t.Fatalf("flags over env: %+v", cfg)
	}
	cfg, err = Load(flagSet(), envMap(map[string]string{"XDG_CONFIG_HOME": filepath.Join(dir, "none")}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Timeout != DefaultTimeout || cfg.KeyringTimeout != DefaultKeyringTimeout || cfg.Output != "" || cfg.File != "" {
		t.Fatalf("defaults: %+v", cfg)
	}
	if want := filepath.Join(dir, "none", "maketoken", "credentials.yaml"); cfg.CredentialsFile != want {
		t.Fatalf("credentials file = %q, want %q", cfg.CredentialsFile, want)
	}
}

func TestBadSettings(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		return testkit.File(t, filepath.Join(dir, name), body)
	}
	cases := map[string]map[string]string{
		"not YAML":              {"MAKETOKEN_CONFIG": write("a.yaml", "zones: [unclosed\n")},
		"missing named file":    {"MAKETOKEN_CONFIG": filepath.Join(dir, "missing.yaml")},
		"bad output":            {"MAKETOKEN_OUTPUT": "xml", "XDG_CONFIG_HOME": dir},
		"bad timeout":           {"MAKETOKEN_TIMEOUT": "soon", "XDG_CONFIG_HOME": dir},
		"zero keyring timeout":  {"MAKETOKEN_KEYRING_TIMEOUT": "0s", "XDG_CONFIG_HOME": dir},
		"zones not a map":       {"MAKETOKEN_CONFIG": write("b.yaml", "zones: [a, b]\n")},
		"zone without a url":    {"MAKETOKEN_CONFIG": write("c.yaml", "zones:\n  acme: {}\n")},
		"debug not a boolean":   {"MAKETOKEN_DEBUG": "maybe", "XDG_CONFIG_HOME": dir},
		"zone entry not a map":  {"MAKETOKEN_CONFIG": write("d.yaml", "zones:\n  acme: https://x.example\n")},
		"negative timeout file": {"MAKETOKEN_CONFIG": write("e.yaml", "timeout: -5s\n")},
	}
	for name, env := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Load(flagSet(), envMap(env))
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v, want a UsageError", err)
			}
		})
	}
}
