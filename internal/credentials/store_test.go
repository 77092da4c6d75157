package credentials

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/outcome"
	"github.com/maketoken/maketoken/internal/runctx"
	"github.com/maketoken/maketoken/internal/zones"
	gokeyring "github.com/zalando/go-keyring"
)

const (
	tokA = "3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e"
	tokB = "11111111-2222-4333-8444-555555555555"
	tokC = "99999999-8888-4777-8666-555555555555"
)

// mockSystemKeyring makes SystemKeyring use go-keyring's in-memory mock,
// with a session bus address so that the D-Bus check lets calls through.
func mockSystemKeyring(t *testing.T, err error) {
	t.Helper()
	if runtime.GOOS != "darwin" && runtime.GOOS != "windows" {
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/maketoken-test-bus")
	}
	if err != nil {
		gokeyring.MockInitWithError(err)
	} else {
		gokeyring.MockInit()
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// zone is a built-in zone by name.
func zone(name string) zones.Zone {
	for _, z := range zones.Builtin() {
		if z.Name == name {
			return z
		}
	}
	panic("no zone " + name)
}

func newTestStore(t *testing.T, vars map[string]string, warn func(string)) (*Store, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "maketoken", "credentials.yaml")
	return NewStore(Options{File: file, Getenv: env(vars), Warn: warn, KeyringTimeout: 5 * time.Second}), file
}

// saveOrFail saves token for z in the store kind names, failing the test
// if it cannot.
func saveOrFail(t *testing.T, ctx context.Context, st *Store, z zones.Zone, token string, kind Kind) {
	t.Helper()
	if err := st.save(ctx, z, token, kind); err != nil {
		t.Fatal(err)
	}
}

func TestLookupOrder(t *testing.T) {
	mockSystemKeyring(t, nil)
	ctx := context.Background()
	st, _ := newTestStore(t, nil, nil)
	saveOrFail(t, ctx, st, zone("eu1"), tokA, KindFile)
	if c, err := st.Lookup(ctx, zone("eu1")); err != nil || c.Token != tokA || c.Source != SourceFile {
		t.Fatalf("file: %+v, %v", c, err)
	}
	if err := gokeyring.Set(Service, "eu1", tokB); err != nil {
		t.Fatal(err)
	}
	if c, _ := st.Lookup(ctx, zone("eu1")); c.Token != tokB || c.Source != SourceKeyring {
		t.Fatalf("the keyring wins over the file: %+v", c)
	}

	// Environment variables win, MAKE_API_KEY only for the selected zone
	// and, with MAKE_ZONE, only for that zone.
	vars := map[string]string{"MAKE_API_KEY": tokC}
	st.getenv = env(vars)
	// No zone for the key (no MAKE_ZONE, none chosen): never used.
	if c, _ := st.Lookup(ctx, zone("eu1")); c.Token != tokB {
		t.Fatalf("MAKE_API_KEY without a zone: %+v", c)
	}
	st.makeZone = "eu1"
	if c, _ := st.Lookup(ctx, zone("eu1")); c.Token != tokC || c.Where() != "env (MAKE_API_KEY)" {
		t.Fatalf("MAKE_API_KEY for the selected zone: %+v", c)
	}
	st.makeZone = "us1"
	if c, _ := st.Lookup(ctx, zone("eu1")); c.Token != tokB {
		t.Fatalf("MAKE_API_KEY belongs to MAKE_ZONE's zone: %+v", c)
	}
	vars["MAKETOKEN_TOKEN_EU1"] = " " + tokA + "\n"
	if c, _ := st.Lookup(ctx, zone("eu1")); c.Token != tokA || c.Where() != "env (MAKETOKEN_TOKEN_EU1)" {
		t.Fatalf("MAKETOKEN_TOKEN_EU1: %+v", c)
	}

	// Nothing anywhere: a NotFoundError that says what to do.
	_, err := st.Lookup(ctx, zone("celonis-us1"))
	var nf *NotFoundError
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "run `maketoken login -z celonis-us1` (or set MAKETOKEN_TOKEN_CELONIS_US1)") {
		t.Fatalf("err = %v", err)
	}
}

func TestSaveKeepsOneCopy(t *testing.T) {
	mockSystemKeyring(t, nil)
	ctx := context.Background()
	st, file := newTestStore(t, nil, nil)
	saveOrFail(t, ctx, st, zone("eu1"), tokA, KindFile)
	saveOrFail(t, ctx, st, zone("us1"), tokC, KindFile)
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v, %v; want mode 0600", fi, err)
	}
	// Moving eu1 to the keyring removes it from the file, keeps us1.
	saveOrFail(t, ctx, st, zone("eu1"), tokB, OSKeyring())
	data, _ := os.ReadFile(file)
	if strings.Contains(string(data), tokA) || !strings.Contains(string(data), tokC) {
		t.Fatalf("file after moving eu1 to the keyring:\n%s", data)
	}
	// Back to the file: the keyring entry goes.
	saveOrFail(t, ctx, st, zone("eu1"), tokA, KindFile)
	if _, err := gokeyring.Get(Service, "eu1"); !errors.Is(err, gokeyring.ErrNotFound) {
		t.Fatalf("keyring entry left: %v", err)
	}
	removed, err := st.forget(ctx, zone("eu1"))
	if err != nil || len(removed) != 1 || removed[0] != KindFile {
		t.Fatalf("Delete = %v, %v", removed, err)
	}
	// No temporary files are left beside the file.
	entries, _ := os.ReadDir(filepath.Dir(file))
	if len(entries) != 1 {
		t.Errorf("files beside the credentials file: %v", entries)
	}
}

func TestUnavailableKeyring(t *testing.T) {
	mockSystemKeyring(t, errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	ctx := context.Background()
	st, _ := newTestStore(t, nil, nil)

	_, err := st.Lookup(ctx, zone("eu1"))
	var ke *KeyringError
	if !errors.As(err, &ke) || ke.IsTimeout() || ke.Zone != "eu1" {
		t.Fatalf("err = %#v", err)
	}
	for _, want := range []string{"zone eu1: the OS keyring is unavailable (The name org.freedesktop.secrets", "MAKETOKEN_TOKEN_EU1", "--store file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if err := st.save(ctx, zone("eu1"), tokA, OSKeyring()); !errors.As(err, &ke) {
		t.Fatalf("Save: %v", err)
	}
	// The file the user chose still works, and saving to it does not need
	// the keyring.
	saveOrFail(t, ctx, st, zone("eu1"), tokA, KindFile)
	if c, err := st.Lookup(ctx, zone("eu1")); err != nil || c.Source != SourceFile {
		t.Fatalf("%+v, %v", c, err)
	}
}

// hangingKeyring never answers until released.
type hangingKeyring struct{ release chan struct{} }

func (h hangingKeyring) Get(string, string) (string, error) { <-h.release; return "", ErrNotFound }
func (h hangingKeyring) Set(string, string, string) error   { <-h.release; return nil }
func (h hangingKeyring) Delete(string, string) error        { <-h.release; return nil }

func TestHangingKeyringTimesOut(t *testing.T) {
	h := hangingKeyring{release: make(chan struct{})}
	t.Cleanup(func() { close(h.release) })
	file := filepath.Join(t.TempDir(), "credentials.yaml")
	st := NewStore(Options{Keyring: h, KeyringTimeout: 100 * time.Millisecond, File: file})
	ctx := context.Background()

	for name, call := range map[string]func() error{
		"lookup": func() error { _, err := st.Lookup(ctx, zone("eu1")); return err },
		"save":   func() error { return st.save(ctx, zone("eu1"), tokA, OSKeyring()) },
		"delete": func() error { _, err := st.forget(ctx, zone("eu1")); return err },
	} {
		start := time.Now()
		err := call()
		elapsed := time.Since(start)
		var ke *KeyringError
		if !errors.As(err, &ke) || !ke.IsTimeout() || ke.Timeout != 100*time.Millisecond {
			t.Errorf("%s: err = %#v, want a *KeyringError with Timeout set", name, err)
			continue
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: %v does not wrap context.DeadlineExceeded", name, err)
		}
		if !strings.Contains(err.Error(), "the OS keyring did not answer within 100ms") {
			t.Errorf("%s: %q", name, err)
		}
		// An abandoned change may still happen; an abandoned read changes
		// nothing.
		if got, want := outcome.IsUnknown(err), name != "lookup"; got != want {
			t.Errorf("%s: outcome unknown = %v, want %v (%v)", name, got, want, err)
		}
		if elapsed < 100*time.Millisecond || elapsed > 2*time.Second {
			t.Errorf("%s: took %v, want about the timeout", name, elapsed)
		}
	}

	// The file still answers when the keyring does not, for a zone it holds.
	saveOrFail(t, ctx, st, zone("us1"), tokC, KindFile)
	if c, err := st.Lookup(ctx, zone("us1")); err != nil || c.Token != tokC {
		t.Fatalf("%+v, %v", c, err)
	}

	// The command's own deadline ends a wait too.
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	st = NewStore(Options{Keyring: h, KeyringTimeout: time.Hour, File: file})
	start := time.Now()
	if _, err := st.Lookup(short, zone("eu1")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
	// A write cut short by the command's end may still land.
	short2, cancel2 := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel2()
	err := st.save(short2, zone("eu1"), tokA, OSKeyring())
	if !outcome.IsUnknown(err) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "whether it did is not known") {
		t.Errorf("an interrupted store: %v", err)
	}
}

func TestNoSessionBus(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("no D-Bus there")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir()) // without a "bus" socket in it
	gokeyring.MockInit()                     // would answer, if it were asked
	st := NewStore(Options{File: filepath.Join(t.TempDir(), "c.yaml")})
	start := time.Now()
	_, err := st.Lookup(context.Background(), zone("eu1"))
	var ke *KeyringError
	if !errors.As(err, &ke) || ke.IsTimeout() || !strings.Contains(err.Error(), "no D-Bus session bus") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
}

func TestFileWarningsAndErrors(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits")
	}
	var mu sync.Mutex
	var warnings []string
	file := filepath.Join(t.TempDir(), "maketoken", "credentials.yaml")
	opts := Options{Keyring: &mapKeyring{}, KeyringTimeout: time.Second, File: file,
		Warn: func(w string) { mu.Lock(); warnings = append(warnings, w); mu.Unlock() }}
	st := NewStore(opts)
	ctx := context.Background()
	saveOrFail(t, ctx, st, zone("eu1"), tokA, KindFile)
	if _, err := st.Lookup(ctx, zone("eu1")); err != nil || len(warnings) != 0 {
		t.Fatalf("0600: %v, warnings %v", err, warnings)
	}
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	// A Store serves one command: a new one sees the changed file. It
	// reads the file once and warns once, however many zones it looks up.
	fresh := func() { st = NewStore(opts) }
	fresh()
	for _, z := range []string{"eu1", "eu2", "us1"} {
		if _, err := st.Lookup(ctx, zone(z)); err != nil && z == "eu1" {
			t.Fatal(err)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "can be read by other users (mode 0644); run `chmod 600 "+file+"`") {
		t.Fatalf("warnings %q", warnings)
	}
	// Saving writes a new file with mode 0600 again.
	saveOrFail(t, ctx, st, zone("eu1"), tokB, KindFile)
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after saving", fi.Mode().Perm())
	}
	// A file that is not YAML: a clear error, without its contents.
	if err := os.WriteFile(file, []byte("tokens: ["+tokC), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh()
	_, err := st.Lookup(ctx, zone("eu1"))
	if err == nil || !strings.Contains(err.Error(), "is not valid YAML (fix or remove it)") || strings.Contains(err.Error(), tokC) {
		t.Fatalf("err = %v", err)
	}
}

// mapKeyring is a keyring in memory.
type mapKeyring struct {
	mu sync.Mutex
	m  map[string]string
}

func (k *mapKeyring) Get(s, a string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if v, ok := k.m[s+"/"+a]; ok {
		return v, nil
	}
	return "", ErrNotFound
}

func (k *mapKeyring) Set(s, a, v string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[string]string{}
	}
	k.m[s+"/"+a] = v
	return nil
}

func (k *mapKeyring) Delete(s, a string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[s+"/"+a]; !ok {
		return ErrNotFound
	}
	delete(k.m, s+"/"+a)
	return nil
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if string(data) != "new" || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Errorf("%q %v", data, fi.Mode())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	// A folder that does not exist: an error, nothing written.
	if err := WriteFileAtomic(filepath.Join(dir, "no", "such"), []byte("x"), 0o600); err == nil {
		t.Error("no error")
	}
}

func TestLookupRefusesACredentialWithControlCharacters(t *testing.T) {
	for _, bad := range []string{tokA + "\x1b[31m", tokA + "\nsecond", "abc def", tokA + "\u202e"} {
		st, _ := newTestStore(t, map[string]string{"MAKETOKEN_TOKEN_EU1": bad}, nil)
		_, err := st.Lookup(context.Background(), zone("eu1"))
		var ie *InvalidError
		if !errors.As(err, &ie) || strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "env (MAKETOKEN_TOKEN_EU1)") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	st, _ := newTestStore(t, map[string]string{"MAKETOKEN_TOKEN_EU1": " " + tokA + "\n"}, nil)
	if c, err := st.Lookup(context.Background(), zone("eu1")); err != nil || c.Token != tokA {
		t.Errorf("surrounding white space: %+v, %v", c, err)
	}
}

// Storing a credential is a change a signal must not cut in two: it
// starts the catching of signals for the command's context before it
// writes, even where the write waits on nothing (a plain file; here one
// that cannot be written, so that nothing after the write catches them).
func TestSaveCatchesSignals(t *testing.T) {
	blocked := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	st := NewStore(Options{Keyring: &mapKeyring{}, File: filepath.Join(blocked, "credentials.yaml"), KeyringTimeout: 5 * time.Second})
	var signals runctx.Signals
	ctx := signals.Context(context.Background(), time.Minute)
	defer ctx.Stop()
	if err := st.save(ctx, zone("eu1"), tokA, KindFile); err == nil {
		t.Fatal("saved into a file under a file")
	}
	if !signals.Catching() {
		t.Error("the credential was written without catching signals first")
	}
}
