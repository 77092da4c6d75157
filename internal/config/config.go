// Package config reads maketoken's settings from flags, MAKETOKEN_*
// environment variables, Make's own MAKE_ZONE, the config file and defaults,
// in that order of precedence.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/age"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/readfile"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// Setting keys, as written in the config file; MAKETOKEN_<KEY> in the
// environment (upper-cased).
const (
	KeyZone            = "zone"
	KeyZones           = "zones"
	KeyOutput          = "output"
	KeyTimeout         = "timeout"
	KeyKeyringTimeout  = "keyring_timeout"
	KeyDebug           = "debug"
	KeyCredentialsFile = "credentials_file"
	KeyCredentialStore = "credential_store" //nolint:gosec // a setting's name, no secret
	KeyRotateAfter     = "rotate_after"
)

// Defaults.
const (
	DefaultTimeout        = 30 * time.Second
	DefaultKeyringTimeout = 10 * time.Second
	// DefaultRotateAfter is the credential age past which status suggests
	// `rotate --self`.
	DefaultRotateAfter = "90d"
)

// Config is the settings of one run.
type Config struct {
	// File is the config file in use ("" if none exists).
	File string
	// Zone is the selected zone as the user wrote it (name or host); ""
	// for the default. ResolveZones finds it (see Zones).
	Zone string
	// ZoneBy says what chose Zone.
	ZoneBy ZoneSource
	// MakeZone is Make's own MAKE_ZONE, trimmed ("" if unset): it may add
	// a zone for a private instance, and names MAKE_API_KEY's zone.
	MakeZone string
	// ZoneURLs are the zones added or overridden in the config file.
	ZoneURLs map[string]string
	// Output is "table", "tsv", "json" or "" (choose by terminal).
	Output          string
	Timeout         time.Duration
	KeyringTimeout  time.Duration
	Debug           bool
	CredentialsFile string
	// CredentialStore is where login stores a credential: "keyring",
	// "kernel", "file", or "" (no choice: the OS keyring, or on Linux
	// without a Secret Service the kernel keyring). login's --store wins
	// over it.
	CredentialStore string
	// RotateAfter is the credential age past which status suggests
	// `rotate --self`; 0 means never ("off").
	RotateAfter time.Duration
	// Warnings are problems worth telling the user about that do not stop
	// the command, such as a config file other users can change.
	Warnings []string
	// sources says where each setting given by the user came from.
	sources map[string]string
}

// fileKeys are the settings the config file may hold besides its zones;
// all but the zone (first) also come from MAKETOKEN_<KEY>.
var fileKeys = []string{KeyZone, KeyOutput, KeyTimeout, KeyKeyringTimeout, KeyDebug, KeyCredentialsFile, KeyCredentialStore, KeyRotateAfter}

// Source says where the value of a setting came from, for messages about
// a bad value: "--zone", "MAKE_ZONE", "the config file PATH", or
// "the default".
func (c *Config) Source(key string) string {
	if s, ok := c.sources[key]; ok {
		return s
	}
	return "the default"
}

// MaxFileBytes caps how much of a config file is read.
const MaxFileBytes = 1 << 20

// UsageError is a setting with a value maketoken cannot use.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Load reads the settings. flags holds the global flags (zone, output,
// config, timeout, debug); getenv reads the environment.
func Load(flags *pflag.FlagSet, getenv func(string) string) (*Config, error) {
	v := newSettings()
	v.setDefault(KeyTimeout, DefaultTimeout.String())
	v.setDefault(KeyKeyringTimeout, DefaultKeyringTimeout.String())
	v.setDefault(KeyDebug, false)
	v.setDefault(KeyRotateAfter, DefaultRotateAfter)
	sources := map[string]string{}

	// Environment: MAKETOKEN_<KEY>, and Make's own MAKE_ZONE after
	// MAKETOKEN_ZONE. Read through getenv, not os.Getenv, so that a
	// test or an embedding program controls it.
	for _, key := range fileKeys[1:] {
		if val := getenv("MAKETOKEN_" + strings.ToUpper(key)); val != "" {
			v.setValue(key, val)
			sources[key] = "MAKETOKEN_" + strings.ToUpper(key)
		}
	}
	// The zone: --zone, MAKETOKEN_ZONE, MAKE_ZONE, the file, the default.
	// A blank value names no zone: it is as if it were not set.
	makeZone := strings.TrimSpace(getenv("MAKE_ZONE"))
	zoneBy := ZoneDefault
	if val := strings.TrimSpace(getenv("MAKETOKEN_ZONE")); val != "" {
		v.setValue(KeyZone, val)
		sources[KeyZone], zoneBy = "MAKETOKEN_ZONE", ZoneFromMaketokenZone
	} else if makeZone != "" {
		v.setValue(KeyZone, makeZone)
		sources[KeyZone], zoneBy = "MAKE_ZONE", ZoneFromMakeZone
	}
	if f := flags.Lookup("zone"); f != nil && f.Changed && strings.TrimSpace(f.Value.String()) != "" {
		v.setValue(KeyZone, f.Value.String())
		sources[KeyZone], zoneBy = "--zone", ZoneFromFlag
	}
	// Other flags the user gave win over everything.
	for flag, key := range map[string]string{"output": KeyOutput, "timeout": KeyTimeout, "debug": KeyDebug} {
		if f := flags.Lookup(flag); f != nil && f.Changed {
			v.setValue(key, f.Value.String())
			sources[key] = "--" + flag
		}
	}

	file, explicit := configPath(flags, getenv)
	cfg := &Config{sources: sources, MakeZone: makeZone}
	if file != "" {
		data, err := readBounded(file)
		switch {
		case err == nil:
			if err := mergeFile(v, data); err != nil {
				return nil, &UsageError{fmt.Errorf("the config file %s is not valid YAML: %s", output.EchoPlain(file), firstLine(err.Error()))}
			}
			cfg.File = file
			for _, key := range fileKeys {
				if _, set := sources[key]; !set && v.inFile(key) {
					sources[key] = "the config file " + file
				}
			}
			if w := permissionWarning(file); w != "" {
				cfg.Warnings = append(cfg.Warnings, w)
			}
		case errors.Is(err, fs.ErrNotExist) && !explicit:
		default:
			return nil, &UsageError{fmt.Errorf("reading the config file: %w", output.EchoError(err, file))}
		}
	}

	cfg.Zone = strings.TrimSpace(v.getString(KeyZone))
	cfg.ZoneBy = zoneBy
	if zoneBy == ZoneDefault && cfg.Zone != "" {
		cfg.ZoneBy = ZoneFromFile
	}
	cfg.Output = strings.ToLower(strings.TrimSpace(v.getString(KeyOutput)))
	switch cfg.Output {
	case "", "table", "tsv", "json":
	default:
		return nil, &UsageError{fmt.Errorf("unknown output format %s: use table, tsv or json; it comes from %s", output.Echo(cfg.Output), cfg.Source(KeyOutput))}
	}
	var err error
	if cfg.Timeout, err = positiveDuration(v, KeyTimeout, cfg.Source(KeyTimeout)); err != nil {
		return nil, err
	}
	if cfg.KeyringTimeout, err = positiveDuration(v, KeyKeyringTimeout, cfg.Source(KeyKeyringTimeout)); err != nil {
		return nil, err
	}
	cfg.Debug, err = parseBool(v.getString(KeyDebug))
	if err != nil {
		return nil, &UsageError{fmt.Errorf("debug: %w; it comes from %s", err, cfg.Source(KeyDebug))}
	}
	if cfg.RotateAfter, err = rotateAfter(v.getString(KeyRotateAfter), cfg.Source(KeyRotateAfter)); err != nil {
		return nil, err
	}
	if cfg.CredentialStore, err = CredentialStore(v.getString(KeyCredentialStore), cfg.Source(KeyCredentialStore)); err != nil {
		return nil, err
	}
	cfg.CredentialsFile = v.getString(KeyCredentialsFile)
	if cfg.CredentialsFile == "" {
		if dir, err := Dir(getenv); err == nil {
			cfg.CredentialsFile = filepath.Join(dir, "credentials.yaml")
		}
	}
	if cfg.ZoneURLs, err = zoneURLs(v); err != nil {
		return nil, err
	}
	return cfg, nil
}

// mergeFile adds the settings of the config file data: read by plainYAML
// when it is of the plainest YAML, which is as the YAML library reads it
// but faster, else by the library, with the error viper gave when
// maketoken read its settings with viper (TestSettingsAsViper).
func mergeFile(v *settings, data []byte) error {
	m, ok := plainYAML(data)
	if !ok {
		m = map[string]any{}
		if err := yaml.Unmarshal(data, &m); err != nil {
			return fmt.Errorf("While parsing config: %w", err) //nolint:staticcheck // viper's words, which the message has always quoted
		}
	}
	v.mergeFile(m)
	return nil
}

// CredentialStore checks a choice of credential store (credential_store,
// login --store): keyring, kernel or file, any case; "" for none. from
// names where the value came from, for the error.
func CredentialStore(value, from string) (string, error) {
	switch v := strings.ToLower(strings.TrimSpace(value)); v {
	case "", "keyring", "kernel", "file":
		return v, nil
	}
	return "", &UsageError{fmt.Errorf("unknown credential store %s: use keyring, kernel or file; it comes from %s", output.Echo(value), from)}
}

// StoreChoice is where login is to store a credential: store (--store,
// "" when not given) or insecure (--insecure-storage, the same as --store
// file) over the credential_store setting; the two flags must agree.
func (c *Config) StoreChoice(store string, insecure bool) (string, error) {
	choice := c.CredentialStore
	if store != "" {
		var err error
		if choice, err = CredentialStore(store, "--store"); err != nil {
			return "", err
		}
		if insecure && choice != "file" {
			return "", &UsageError{fmt.Errorf("--insecure-storage is --store file: it cannot go with --store %s", choice)}
		}
	}
	if insecure {
		choice = "file"
	}
	return choice, nil
}

// readBounded reads a config file of at most MaxFileBytes: a path that
// names a device or a pipe that never ends must not hang maketoken.
func readBounded(path string) ([]byte, error) {
	data, _, err := readfile.Read(path, MaxFileBytes)
	return data, err
}

// permissionWarning says what is wrong when other users can change the
// config file: whoever can change it can point a zone at a server of
// their own and receive the credential maketoken sends there. That others
// can read it is no matter: it holds no secret (credentials live in the
// keyring, or in the credentials file, which has its own check).
func permissionWarning(path string) string {
	if runtime.GOOS == "windows" {
		return "" // permission bits mean nothing there
	}
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return "" // e.g. --config /dev/null: "no settings"
	}
	if mode := fi.Mode().Perm(); mode&0o022 != 0 {
		return fmt.Sprintf("the config file %s can be changed by other users (mode %04o): whoever changes a zone's URL there receives your credential; run `chmod go-w %s`", path, mode, path)
	}
	// A folder others can write to (without the sticky bit) lets them
	// replace the file whatever its mode.
	dir := filepath.Dir(path)
	if di, err := os.Stat(dir); err == nil && di.Mode().Perm()&0o022 != 0 && di.Mode()&os.ModeSticky == 0 {
		return fmt.Sprintf("the config file %s can be replaced by other users: its folder %s can be changed by them (mode %04o); whoever changes a zone's URL receives your credential; run `chmod go-w %s`", path, dir, di.Mode().Perm(), dir)
	}
	return ""
}

func zoneURLs(v *settings) (map[string]string, error) {
	raw := v.get(KeyZones)
	if raw == nil {
		return nil, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, &UsageError{errors.New("config: `zones` must map zone names to {url: ...}")}
	}
	out := make(map[string]string, len(m))
	for name, z := range m {
		zm, ok := z.(map[string]any)
		if !ok {
			return nil, &UsageError{fmt.Errorf("config: zone %s must be a mapping with a url", output.Echo(name))}
		}
		u, ok := zm["url"].(string)
		if !ok || strings.TrimSpace(u) == "" {
			return nil, &UsageError{fmt.Errorf("config: zone %s has no url", output.Echo(name))}
		}
		out[strings.ToLower(name)] = u
	}
	return out, nil
}

func positiveDuration(v *settings, key, source string) (time.Duration, error) {
	s := strings.TrimSpace(v.getString(key))
	d, err := ParseDuration(s)
	if err != nil {
		return 0, &UsageError{fmt.Errorf("%s: %w; it comes from %s", key, err, source)}
	}
	return d, nil
}

// ParseDuration is the one rule for a time limit (timeout,
// keyring_timeout), whether it comes from a flag, the environment or the
// config file: a positive duration (30s, 2m, 1m30s), or a number alone,
// which counts as seconds (5, 2.5).
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	d, err := time.ParseDuration(s)
	if err != nil {
		var n float64
		if _, serr := fmt.Sscanf(s, "%g", &n); serr == nil && fmt.Sprint(n) == s {
			d, err = time.Duration(n*float64(time.Second)), nil
		}
	}
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s is not a positive duration (e.g. 30s, 2m, or 5 for seconds)", output.Echo(s))
	}
	return d, nil
}

// DurationFlag is the value of a time-limit flag (--timeout): the flag
// keeps what it was given, and Load judges it by ParseDuration as it
// judges the variable and the config file, with the same message.
type DurationFlag struct{ s string }

// NewDurationFlag returns a DurationFlag set to d.
func NewDurationFlag(d time.Duration) *DurationFlag { return &DurationFlag{d.String()} }

// Set keeps s, for Load to judge.
func (f *DurationFlag) Set(s string) error {
	f.s = s
	return nil
}

func (f *DurationFlag) String() string { return f.s }

// Type names the value in help: "duration", as pflag's own.
func (f *DurationFlag) Type() string { return "duration" }

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "0", "false", "no", "off":
		return false, nil
	case "1", "true", "yes", "on":
		return true, nil
	}
	return false, fmt.Errorf("%s is not a boolean", output.Echo(s))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// configPath returns the config file to read and whether the user named it.
func configPath(flags *pflag.FlagSet, getenv func(string) string) (string, bool) {
	if f := flags.Lookup("config"); f != nil && f.Changed {
		return f.Value.String(), true
	}
	if p := getenv("MAKETOKEN_CONFIG"); p != "" {
		return p, true
	}
	dir, err := Dir(getenv)
	if err != nil {
		return "", false
	}
	return filepath.Join(dir, "config.yaml"), false
}

// Dir is maketoken's folder for its config and credentials file:
// $XDG_CONFIG_HOME/maketoken (~/.config/maketoken), or the OS equivalent.
func Dir(getenv func(string) string) (string, error) {
	if x := getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "maketoken"), nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "maketoken"), nil
}

// UserCacheDir is maketoken's cache folder: $XDG_CACHE_HOME when it is
// set (on every OS, as Dir reads $XDG_CONFIG_HOME), else os.UserCacheDir,
// read through getenv so that tests and embedders control it; "" if there
// is none (or it is not absolute).
func UserCacheDir(getenv func(string) string) string {
	return userCacheDir(runtime.GOOS, getenv)
}

func userCacheDir(goos string, getenv func(string) string) string {
	if x := getenv("XDG_CACHE_HOME"); x != "" && filepath.IsAbs(x) {
		return x
	}
	var dir string
	switch goos {
	case "windows":
		dir = getenv("LocalAppData")
	case "darwin", "ios":
		if h := getenv("HOME"); h != "" {
			dir = filepath.Join(h, "Library", "Caches")
		}
	case "plan9":
		if h := getenv("home"); h != "" {
			dir = filepath.Join(h, "lib", "cache")
		}
	default:
		if h := getenv("HOME"); h != "" {
			dir = filepath.Join(h, ".cache")
		}
	}
	if !filepath.IsAbs(dir) {
		return ""
	}
	return dir
}

// rotateAfter parses the rotate_after setting: an age (90d, 12w) or "off".
func rotateAfter(s, source string) (time.Duration, error) {
	if strings.EqualFold(strings.TrimSpace(s), "off") {
		return 0, nil
	}
	d, err := age.Parse(s)
	if err != nil {
		return 0, &UsageError{fmt.Errorf("%s: %w (or off); it comes from %s", KeyRotateAfter, err, source)}
	}
	return d, nil
}
