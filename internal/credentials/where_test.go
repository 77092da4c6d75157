package credentials

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/zones"
)

// TestLookUpEach: every zone is looked up, with its error at its index;
// the zones whose credential is stored are looked up at the same time
// (each may wait on a keyring), those whose credential is in the
// environment at once.
func TestLookUpEach(t *testing.T) {
	all := zones.Builtin()
	inEnv := map[string]bool{"eu1": true, "us2": true}
	vars := map[string]string{}
	for name := range inEnv {
		vars[EnvVar(name)] = "11111111-2222-4333-8444-555555555555"
	}
	store := NewStore(Options{Getenv: func(k string) string { return vars[k] }})
	stored := len(all) - len(inEnv)
	var (
		mu      sync.Mutex
		started int
		all4    = make(chan struct{})
		looked  = map[string]bool{}
	)
	errs := lookUpEach(store, all, func(i int) error {
		z := all[i]
		mu.Lock()
		looked[z.Name] = true
		if !inEnv[z.Name] {
			if started++; started == stored {
				close(all4)
			}
		}
		mu.Unlock()
		if !inEnv[z.Name] {
			select {
			case <-all4:
			case <-time.After(5 * time.Second):
				return errors.New("the stored credentials were not looked up at the same time")
			}
		}
		return fmt.Errorf("zone %s", z.Name)
	})
	if len(errs) != len(all) {
		t.Fatalf("%d errors for %d zones", len(errs), len(all))
	}
	for i, z := range all {
		if !looked[z.Name] {
			t.Errorf("zone %s not looked up", z.Name)
		}
		if want := "zone " + z.Name; errs[i] == nil || errs[i].Error() != want {
			t.Errorf("error %d: %v, want %s", i, errs[i], want)
		}
	}
}

// TestWhereEach: each zone's place, sending nothing: the environment, the
// credentials file, none; a keyring that fails where nothing was found is
// the failure.
func TestWhereEach(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "credentials.yaml")
	st := NewStore(Options{Keyring: brokenKeyring{}, KernelKeyring: brokenKeyring{}, File: file,
		Getenv: env(map[string]string{EnvVar("us1"): tokA})})
	saveOrFail(t, ctx, st, zone("eu2"), tokB, KindFile)
	list := []zones.Zone{zone("us1"), zone("eu2"), zone("eu1")}
	places, failed := st.WhereEach(ctx, list)
	if p := places[0]; p.Source != SourceEnv || p.EnvVar != EnvVar("us1") {
		t.Errorf("us1 (env) = %+v", p)
	}
	if p := places[1]; p.Source != SourceFile || p.Store != KindFile {
		t.Errorf("eu2 (file) = %+v", p)
	}
	if p := places[2]; p.Source != SourceNone || p.EnvVar != "" || p.Store != "" {
		t.Errorf("eu1 (none) = %+v", p)
	}
	if ke := (*KeyringError)(nil); !errors.As(failed, &ke) || !strings.Contains(failed.Error(), "eu1") {
		t.Errorf("failed: %v; want eu1's keyring failure", failed)
	}
	if _, failed := st.WhereEach(ctx, list[:2]); failed != nil {
		t.Errorf("no keyring asked in vain: %v", failed)
	}
}

func TestRemovedPlaces(t *testing.T) {
	if got := (Removed{}).Places(); got != "" {
		t.Errorf("nowhere: %q", got)
	}
	if got, want := (Removed{From: []Kind{KindKernel, KindFile}}).Places(), "kernel keyring, file"; got != want {
		t.Errorf("Places = %q; want %q", got, want)
	}
}

// TestWhereEachUnreadableRecord: a record of accounts that cannot be read
// is the failure, and a credential from the environment is still the
// zone's (it was "none", and nothing failed).
func TestWhereEachUnreadableRecord(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	record := filepath.Join(dir, "accounts.json")
	if err := os.WriteFile(record, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	st := NewStore(Options{Keyring: brokenKeyring{}, KernelKeyring: brokenKeyring{}, File: filepath.Join(dir, "credentials.yaml"),
		Accounts: record, Getenv: env(map[string]string{EnvVar("us1"): tokA})})
	places, failed := st.WhereEach(ctx, []zones.Zone{zone("eu1"), zone("us1")})
	if p := places[1]; p.Source != SourceEnv || p.EnvVar != EnvVar("us1") {
		t.Errorf("us1 (env) = %+v", p)
	}
	if p := places[0]; p.Source != SourceNone {
		t.Errorf("eu1 = %+v", p)
	}
	if failed == nil || !strings.Contains(failed.Error(), "not valid JSON") || SkipKindOf(failed) != SkipMayHide {
		t.Errorf("failed: %v; want the record's error, which may hide credentials", failed)
	}
}
