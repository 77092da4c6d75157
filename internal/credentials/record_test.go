package credentials

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/zones"
)

// brokenKeyring fails every call, as a keyring that is not there.
type brokenKeyring struct{}

var errBroken = errors.New("org.freedesktop.secrets was not provided by any .service files")

func (brokenKeyring) Get(string, string) (string, error) { return "", errBroken }
func (brokenKeyring) Set(string, string, string) error   { return errBroken }
func (brokenKeyring) Delete(string, string) error        { return errBroken }

// recordStore is a Store over an in-memory keyring, a credentials file and
// an origin record in a temporary folder; warnings and found tokens are
// collected.
type recordStore struct {
	*Store
	opts           Options
	dir            string
	mu             sync.Mutex
	warned, tokens []string
}

func newRecordStore(t *testing.T, k Keyring, vars map[string]string) *recordStore {
	t.Helper()
	dir := t.TempDir()
	rs := &recordStore{dir: dir}
	rs.opts = Options{
		Keyring: k, KeyringTimeout: time.Second,
		File:   filepath.Join(dir, "maketoken", "credentials.yaml"),
		Record: filepath.Join(dir, "maketoken", "credential-hosts.json"),
		Getenv: env(vars),
		Warn:   func(w string) { rs.mu.Lock(); rs.warned = append(rs.warned, w); rs.mu.Unlock() },
		Found:  func(tok string) { rs.mu.Lock(); rs.tokens = append(rs.tokens, tok); rs.mu.Unlock() },
	}
	rs.opts.KernelKeyring = &mapKeyring{}
	rs.Store = NewStore(rs.opts)
	return rs
}

func (rs *recordStore) recorded(t *testing.T, zone string) string {
	t.Helper()
	rec, err := Origins{Path: rs.opts.Record}.Recorded(zone)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// moved is the zone pointed elsewhere, as a config file would.
func moved(z zones.Zone, url string) zones.Zone {
	z.URL = url
	return z
}

// TestSaveRecordsLookupRefusesDeleteClears: the record of where a stored
// credential was checked lives and dies with the credential.
func TestSaveRecordsLookupRefusesDeleteClears(t *testing.T) {
	for _, where := range []Kind{OSKeyring(), KindKernel, KindFile} {
		t.Run(string(where), func(t *testing.T) {
			ctx := context.Background()
			rs := newRecordStore(t, &mapKeyring{}, nil)
			eu1, us1 := zone("eu1"), zone("us1")
			if err := rs.save(ctx, eu1, tokA, where); err != nil {
				t.Fatal(err)
			}
			if err := rs.save(ctx, us1, tokB, where); err != nil {
				t.Fatal(err)
			}
			if got := rs.recorded(t, "eu1"); got != "https://eu1.make.com" {
				t.Fatalf("recorded %q after Save", got)
			}
			if c, err := rs.Lookup(ctx, eu1); err != nil || c.Token != tokA || c.Store != where || c.Source != where.Source() {
				t.Fatalf("Lookup = %+v, %v", c, err)
			}

			// The config moves eu1: refused, with the source still said.
			c, err := rs.Lookup(ctx, moved(eu1, "http://127.0.0.1:9/api/v2"))
			var oc *OriginChangedError
			if !errors.As(err, &oc) || oc.Recorded != "https://eu1.make.com" || oc.Current != "http://127.0.0.1:9" || c.Store != where {
				t.Fatalf("moved: %+v, %v", c, err)
			}
			// The same origin under another path is the same place.
			if _, err := rs.Lookup(ctx, moved(eu1, "https://eu1.make.com/x/api/v2")); err != nil {
				t.Errorf("same origin: %v", err)
			}
			// A credential from the environment is the user's choice for
			// this run: not checked against the record.
			rs.getenv = env(map[string]string{"MAKETOKEN_TOKEN_EU1": tokC})
			if c, err := rs.Lookup(ctx, moved(eu1, "http://127.0.0.1:9/api/v2")); err != nil || c.Token != tokC {
				t.Errorf("env: %+v, %v", c, err)
			}
			rs.getenv = env(nil)

			// Delete forgets the credential and its record, not another
			// zone's.
			removed, err := rs.forget(ctx, eu1)
			if err != nil || !slices.Equal(removed, []Kind{where}) {
				t.Fatalf("Delete = %v, %v", removed, err)
			}
			if got := rs.recorded(t, "eu1"); got != "" {
				t.Errorf("eu1's record outlived its credential: %q", got)
			}
			if got := rs.recorded(t, "us1"); got != "https://us1.make.com" {
				t.Errorf("us1's record lost: %q", got)
			}
			if _, err := rs.Lookup(ctx, eu1); !isNotFound(err) {
				t.Errorf("after Delete: %v", err)
			}
			// Deleting what is not there clears a leftover record too.
			if err := (Origins{Path: rs.opts.Record}).Set("eu2", "https://eu2.make.com/api/v2"); err != nil {
				t.Fatal(err)
			}
			if removed, err := rs.forget(ctx, zone("eu2")); err != nil || len(removed) != 0 || rs.recorded(t, "eu2") != "" {
				t.Errorf("Delete of nothing: %v, %v, record %q", removed, err, rs.recorded(t, "eu2"))
			}
			if len(rs.warned) != 0 {
				t.Errorf("warnings: %q", rs.warned)
			}
		})
	}
}

// TestDeleteKeepsTheRecordWhileAPlaceDidNotAnswer: a keyring that cannot
// be reached may still hold the credential; its record stays, so that it
// still goes only where it was checked. The file's copy is forgotten, and
// that counts as a logout.
func TestDeleteKeepsTheRecordWhileAPlaceDidNotAnswer(t *testing.T) {
	ctx := context.Background()
	rs := newRecordStore(t, brokenKeyring{}, nil)
	eu1 := zone("eu1")
	if err := rs.save(ctx, eu1, tokA, KindFile); err != nil {
		t.Fatalf("Save to the file with no keyring: %v", err)
	}
	removed, err := rs.forget(ctx, eu1)
	if err != nil || !slices.Equal(removed, []Kind{KindFile}) {
		t.Fatalf("Delete = %v, %v", removed, err)
	}
	if got := rs.recorded(t, "eu1"); got != "https://eu1.make.com" {
		t.Errorf("the record went while the keyring was not asked: %q", got)
	}
	// Nothing anywhere to forget, and the keyring unreachable: its error.
	_, err = rs.forget(ctx, eu1)
	var ke *KeyringError
	if !errors.As(err, &ke) {
		t.Errorf("Delete with nothing removed and no keyring: %v", err)
	}
	// A credentials file that cannot be read is an error, and keeps the
	// record too.
	rs = newRecordStore(t, &mapKeyring{}, nil)
	if err := rs.save(ctx, eu1, tokA, OSKeyring()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rs.opts.File, []byte("tokens: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := rs.forget(ctx, eu1); err == nil || !strings.Contains(err.Error(), "not valid YAML") {
		t.Errorf("Delete over a bad file: %v", err)
	}
	if got := rs.recorded(t, "eu1"); got == "" {
		t.Error("the record went although the file could not be read")
	}
}

// TestSaveWarnsWhenTheRecordCannotBeWritten: the credential is stored (it
// was checked); the user is told that a move will not be noticed.
func TestSaveWarnsWhenTheRecordCannotBeWritten(t *testing.T) {
	ctx := context.Background()
	rs := newRecordStore(t, &mapKeyring{}, nil)
	if err := os.MkdirAll(rs.opts.Record, 0o700); err != nil { // a folder where the file goes
		t.Fatal(err)
	}
	if err := rs.save(ctx, zone("eu1"), tokA, OSKeyring()); err != nil {
		t.Fatal(err)
	}
	if c, err := rs.Lookup(ctx, zone("eu1")); c.Token != tokA {
		t.Errorf("not stored: %+v, %v", c, err)
	}
	if len(rs.warned) != 1 || !strings.Contains(rs.warned[0], "zone eu1: could not record the host the credential was checked at") {
		t.Errorf("warnings %q", rs.warned)
	}
}

// TestStoredAndDestination: where login stores is decided once; Stored
// reads that place first and fails when it cannot be used.
func TestStoredAndDestination(t *testing.T) {
	ctx := context.Background()
	eu1 := zone("eu1")
	for choice, want := range map[Choice]Kind{ChoiceAuto: OSKeyring(), ChoiceKeyring: OSKeyring(), ChoiceFile: KindFile, ChoiceKernel: KindKernel} {
		rs := newRecordStore(t, &mapKeyring{}, nil)
		got, auto, err := rs.Destination(ctx, eu1, choice)
		if choice == ChoiceKernel && runtime.GOOS != "linux" {
			if !errors.As(err, new(*ChoiceError)) {
				t.Errorf("Destination(kernel) off Linux: %v", err)
			}
			continue
		}
		if got != want || auto || err != nil {
			t.Errorf("Destination(%q) = %q, %v, %v; want %q", choice, got, auto, err, want)
		}
	}
	rs := newRecordStore(t, &mapKeyring{}, nil)
	if _, _, err := rs.Destination(ctx, eu1, "env"); !errors.As(err, new(*ChoiceError)) {
		t.Errorf("Destination(env): %v", err)
	}

	if err := rs.save(ctx, eu1, tokA, KindFile); err != nil {
		t.Fatal(err)
	}
	if kind, tok, err := rs.Stored(ctx, eu1, OSKeyring()); kind != KindFile || tok != tokA || err != nil {
		t.Errorf("Stored(keyring) = %q, %v: want the file's, where the record says it is", kind, err)
	}
	if !slices.Contains(rs.tokens, tokA) {
		t.Error("the stored token was not handed to Found")
	}
	// No keyring: login to it fails before asking for a token; to the file
	// it never touches the keyring.
	rs = newRecordStore(t, brokenKeyring{}, nil)
	if _, _, err := rs.Stored(ctx, eu1, OSKeyring()); !unreachable(err) {
		t.Errorf("Stored(keyring) with no keyring: %v", err)
	}
	if kind, _, err := rs.Stored(ctx, eu1, KindFile); kind != "" || err != nil {
		t.Errorf("Stored(file) = %q, %v", kind, err)
	}
}

// TestFoldersAreTheOwners: the folders made for the credentials file and
// the record are the user's alone (0700), and a failed write leaves no
// temporary file with the secret behind.
func TestFoldersAreTheOwners(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits")
	}
	ctx := context.Background()
	dir := t.TempDir()
	st := NewStore(Options{Keyring: &mapKeyring{},
		File:   filepath.Join(dir, "creds", "credentials.yaml"),
		Record: filepath.Join(dir, "record", "credential-hosts.json")})
	saveOrFail(t, ctx, st, zone("eu1"), tokA, KindFile)
	for _, sub := range []string{"creds", "record"} {
		fi, err := os.Stat(filepath.Join(dir, sub))
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s folder: %v, %v; want mode 0700", sub, fi.Mode().Perm(), err)
		}
	}

	// The rename fails (a folder is in the way): the temporary file with
	// the secret is removed.
	target := filepath.Join(dir, "in-the-way")
	if err := os.MkdirAll(filepath.Join(target, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(target, []byte(tokA), 0o600); err == nil {
		t.Fatal("a write over a folder succeeded")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
