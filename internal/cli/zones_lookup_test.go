package cli

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/maketoken/maketoken/internal/credentials"
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
		vars[credentials.EnvVar(name)] = "11111111-2222-4333-8444-555555555555"
	}
	store := credentials.NewStore(credentials.Options{Getenv: func(k string) string { return vars[k] }})
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
