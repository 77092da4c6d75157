package config

import (
	"path/filepath"
	"testing"
)

// XDG_CACHE_HOME is maketoken's cache folder on every OS, as
// XDG_CONFIG_HOME is its config folder: `make-emulator run` relies on both
// to keep a session's files out of macOS's Library and Windows' AppData.
func TestUserCacheDirReadsXDGOnEveryOS(t *testing.T) {
	abs := func(p string) string { a, _ := filepath.Abs(p); return a }
	xdg, home, local := abs("/session/cache"), abs("/home/u"), abs("/appdata/local")
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	for _, goos := range []string{"linux", "darwin", "windows", "freebsd"} {
		got := userCacheDir(goos, env(map[string]string{"XDG_CACHE_HOME": xdg, "HOME": home, "LocalAppData": local}))
		if got != xdg {
			t.Errorf("%s with XDG_CACHE_HOME: %q, want %q", goos, got, xdg)
		}
		if got := userCacheDir(goos, env(map[string]string{"XDG_CACHE_HOME": "relative", "HOME": home, "LocalAppData": local})); got == "relative" {
			t.Errorf("%s: a relative XDG_CACHE_HOME was used", goos)
		}
	}
	for goos, want := range map[string]string{
		"linux":   filepath.Join(home, ".cache"),
		"darwin":  filepath.Join(home, "Library", "Caches"),
		"windows": local,
	} {
		if got := userCacheDir(goos, env(map[string]string{"HOME": home, "LocalAppData": local})); got != want {
			t.Errorf("%s without XDG_CACHE_HOME: %q, want %q", goos, got, want)
		}
	}
	if got := userCacheDir("linux", env(nil)); got != "" {
		t.Errorf("no HOME, no XDG_CACHE_HOME: %q, want none", got)
	}
	// Dir, the config folder, reads XDG_CONFIG_HOME first on every OS too.
	if got, err := Dir(env(map[string]string{"XDG_CONFIG_HOME": xdg})); err != nil || got != filepath.Join(xdg, "maketoken") {
		t.Errorf("Dir = %q, %v", got, err)
	}
}
