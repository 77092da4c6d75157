package credentials

import (
	"context"

	"github.com/maketoken/maketoken/internal/zones"
)

// save stores token as the zone's one credential, as the tests written
// before accounts expect: without a record of accounts as the release
// before accounts did, with one as the login of one user (testUser).
func (s *Store) save(ctx context.Context, zone zones.Zone, token string, where Kind) error {
	if s.accounts == nil {
		return s.saveLegacy(ctx, zone, token, where)
	}
	_, err := s.Login(ctx, zone, testUser, token, where)
	return err
}

// forget is Delete of the zone's active account, saying where it was.
func (s *Store) forget(ctx context.Context, zone zones.Zone) ([]Kind, error) {
	r, err := s.Delete(ctx, zone, "")
	return r.From, err
}

// testUser is the user of save.
var testUser = User{ID: 1001, Email: "ann@example.com", Name: "Ann"}
