package credentials

import (
	"slices"
	"testing"

	"github.com/maketoken/maketoken/internal/zones"
)

// TestRecordedUsers: the users --user can name, zone by zone, each email
// once (its first zone's account); a zone with no account adds none.
func TestRecordedUsers(t *testing.T) {
	as := newAccountStore(t, nil)
	eu1, us1, eu2 := zone("eu1"), zone("us1"), zone("eu2")
	as.login(t, eu1, ann, tokA, OSKeyring())
	as.login(t, eu1, bob, tokB, OSKeyring())
	as.login(t, us1, ann, tokC, OSKeyring())
	as.login(t, us1, carol, tokD, OSKeyring())
	var got []string
	for _, a := range as.RecordedUsers([]zones.Zone{eu2, us1, eu1}) {
		got = append(got, a.Email+"@"+a.Zone)
	}
	want := []string{"ann@example.com@us1", "carol@example.com@us1", "bob@example.com@eu1"}
	if !slices.Equal(got, want) {
		t.Errorf("RecordedUsers = %v, want %v", got, want)
	}
	if got := as.RecordedUsers([]zones.Zone{eu2}); len(got) != 0 {
		t.Errorf("a zone without accounts: %v", got)
	}
}
