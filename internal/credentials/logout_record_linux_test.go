package credentials

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/maketoken/maketoken/internal/testkit"
)

// refusingWrites runs f while the file system refuses every write past
// the first byte (see testkit.RefusingWritesPast: the test must begin
// with testkit.OwnProcess).
func refusingWrites(t *testing.T, f func()) { testkit.RefusingWritesPast(t, 1, f) }

// TestLogoutWarnsOfARecordNotUpdated: a logout (of the one credential of
// the release before accounts) whose record of credential hosts cannot be
// written says so, whether it meant to clear the zone's record (every
// place answered) or only to stop lookups going to the store login used
// (a place did not answer).
func TestLogoutWarnsOfARecordNotUpdated(t *testing.T) {
	if !testkit.OwnProcess(t) {
		return
	}
	ctx := context.Background()
	eu1 := zone("eu1")
	for _, tt := range []struct {
		name     string
		osk      Keyring
		kind     Kind
		warnings string
	}{
		{"every place answered", &mapKeyring{}, OSKeyring(), "zone eu1: could not remove the recorded host of the credential: "},
		{"the OS keyring did not answer", brokenKeyring{}, KindKernel, "zone eu1: could not update the record of the credential: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var warned []string
			rs := newKernelStore(t, tt.osk, &mapKeyring{})
			o := rs.opts
			o.Warn = func(w string) { warned = append(warned, w) }
			st := NewStore(o)
			if err := st.save(ctx, eu1, tokA, tt.kind); err != nil {
				t.Fatal(err)
			}
			var (
				from []Kind
				err  error
			)
			refusingWrites(t, func() { from, err = st.deleteLegacy(ctx, eu1, "") })
			if err != nil || !slices.Equal(from, []Kind{tt.kind}) {
				t.Fatalf("logout: %v, %v", from, err)
			}
			if len(warned) != 1 || !strings.HasPrefix(warned[0], tt.warnings) {
				t.Errorf("warned %q; want %q…", warned, tt.warnings)
			}
		})
	}
}

// TestLegacySaveThatCannotRemoveTheOldCopy: a credential of the release
// before accounts moved to another store, whose old copy cannot be
// removed (a credentials file that cannot be rewritten), is an error that
// says so: two copies are not "stored".
func TestLegacySaveThatCannotRemoveTheOldCopy(t *testing.T) {
	if !testkit.OwnProcess(t) {
		return
	}
	ctx := context.Background()
	eu1 := zone("eu1")
	rs := newRecordStore(t, &mapKeyring{}, nil)
	if err := rs.save(ctx, eu1, tokA, KindFile); err != nil {
		t.Fatal(err)
	}
	var err error
	refusingWrites(t, func() { err = rs.save(ctx, eu1, tokB, OSKeyring()) })
	if err == nil || !strings.HasPrefix(err.Error(), "zone eu1: stored in the OS keyring, but could not remove the old copy from the credentials file: ") {
		t.Errorf("save: %v", err)
	}
}
