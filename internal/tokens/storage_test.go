package tokens

import (
	"context"
	"errors"
	"testing"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/zones"
)

// fakeStore is a credential store holding one credential per account.
type fakeStore struct {
	held  map[int64]string
	calls []string
}

func (f *fakeStore) SaveFor(_ context.Context, zone zones.Zone, c credentials.Credential, token string) error {
	f.calls = append(f.calls, "save "+zone.Name)
	f.held[c.Account.ID] = token
	return nil
}

func (f *fakeStore) Reread(_ context.Context, zone zones.Zone, c credentials.Credential) (string, error) {
	f.calls = append(f.calls, "reread "+zone.Name)
	return f.held[c.Account.ID], nil
}

// TestStorageOf: the new token goes to the account of the credential it
// replaces, in the store asked for only when the token is delivered; a
// store that cannot be had is a delivery that failed.
func TestStorageOf(t *testing.T) {
	zone := zones.Zone{Name: "eu1"}
	ann := &credentials.Account{User: credentials.User{ID: 1}}
	cred := credentials.Credential{Token: "old", Account: ann}
	store := &fakeStore{held: map[int64]string{1: "old", 2: "bob's"}}
	asked := 0
	s := StorageOf(func() (CredentialStore, error) { asked++; return store, nil }, zone, cred)
	if s.Zone != "eu1" || s.Old != "old" || asked != 0 {
		t.Fatalf("StorageOf = zone %q, old %q (store asked %d times)", s.Zone, s.Old, asked)
	}
	if r := s.Deliver(context.Background(), makeapi.Token{Token: "new"}); r.Outcome != Delivered || r.Err != nil || !r.Replaces {
		t.Errorf("Deliver = %+v", r)
	}
	if store.held[1] != "new" || store.held[2] != "bob's" || asked != 1 {
		t.Errorf("held %v (store asked %d times)", store.held, asked)
	}
	if got, err := s.Stored(context.Background()); got != "new" || err != nil {
		t.Errorf("Stored = %q, %v", got, err)
	}

	boom := errors.New("no config")
	failing := StorageOf(func() (CredentialStore, error) { return nil, boom }, zone, cred)
	if r := failing.Deliver(context.Background(), makeapi.Token{Token: "new"}); r.Outcome != NotDelivered || !errors.Is(r.Err, boom) {
		t.Errorf("without a store: %+v", r)
	}
}
