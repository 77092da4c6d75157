package credentials

import (
	"context"
	"errors"
	"fmt"

	"github.com/maketoken/maketoken/internal/zones"
)

// EnvOnlyError is a logout of a zone whose only credential comes from the
// environment: nothing is stored to forget (exit 2).
type EnvOnlyError struct{ Zone, EnvVar string }

func (e *EnvOnlyError) Error() string {
	return fmt.Sprintf("zone %s: no credential is stored; the one in use comes from %s: unset the variable to stop using it", e.Zone, e.EnvVar)
}

// ForLogout is the credential logout forgets, and with revoke revokes
// first: the zone's active account's, or user's. A variable overrides the
// stored credential, which logout forgets all the same (overriding names
// the variable, which stays in use); with revoke and nothing stored, the
// variable's credential is the one revoked (not with --user, which names a
// stored account). Forgetting a credential whose zone moved, or that Make
// says is another user's, sends it nowhere: allowed. Revoking it would
// send it to the new origin, or revoke another user's token: refused (the
// lookup's error). Nothing stored at all is a *NotFoundError.
func (s *Store) ForLogout(ctx context.Context, zone zones.Zone, user string, revoke bool) (cred Credential, overriding string, err error) {
	cred, err = s.LookupUser(ctx, zone, user)
	var envUser *EnvUserError
	if errors.As(err, &envUser) || (err == nil && cred.Source == SourceEnv) {
		envVar := cred.EnvVar
		stored, serr := s.LookupStored(ctx, zone, user)
		switch {
		case !IsNotFound(serr) && !KeyringAbsent(serr):
			overriding, cred, err = envVar, stored, serr
		case !revoke || envUser != nil:
			return cred, "", &EnvOnlyError{Zone: zone.Name, EnvVar: envVar}
		}
	}
	moved, changed := (*OriginChangedError)(nil), (*UserChangedError)(nil)
	if (errors.As(err, &moved) || errors.As(err, &changed)) && !revoke {
		err = nil
	}
	return cred, overriding, err
}
