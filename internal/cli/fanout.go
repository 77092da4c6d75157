package cli

import (
	"context"
	"errors"
	"sync"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/zones"
)

// parallel runs fn for 0..n-1 concurrently and returns each one's error.
func parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i)
		}()
	}
	wg.Wait()
	return errs
}

// keyringFailure returns err if it is a keyring that could not be used.
func keyringFailure(err error) error {
	var ke *credentials.KeyringError
	if errors.As(err, &ke) {
		return err
	}
	return nil
}

// zoneCredential is a zone with the credential to use for it.
type zoneCredential struct {
	Zone       zones.Zone
	Credential credentials.Credential
}

// selectedCredential is the one way to get the selected zone and its
// credential (the only one that may come from MAKE_API_KEY). On an error
// the zone is filled in when it is known.
func (f *Factory) selectedCredential(ctx context.Context) (zoneCredential, error) {
	zone, err := f.SelectedZone()
	if err != nil {
		return zoneCredential{}, err
	}
	c, err := f.Credential(ctx, zone, true)
	return zoneCredential{Zone: zone, Credential: c}, err
}

// printerAndZones is how a command that reports on zones begins: the
// printer for its result and the zones it works on (see targetZones).
func printerAndZones(ctx context.Context, f *Factory, all bool) (*output.Printer, []zoneCredential, error) {
	printer, err := f.Printer()
	if err != nil {
		return nil, nil, err
	}
	targets, err := f.targetZones(ctx, all)
	return printer, targets, err
}

// targetZones returns the zones a command works on: the selected zone, or
// with all every zone that has a credential. For the selected zone a
// missing credential is an error; in a fan-out, zones without one are
// skipped (and if no zone has one, that is the error).
func (f *Factory) targetZones(ctx context.Context, all bool) ([]zoneCredential, error) {
	if !all {
		zc, err := f.selectedCredential(ctx)
		if err != nil {
			return nil, err
		}
		return []zoneCredential{zc}, nil
	}
	selected, err := f.SelectedZone()
	if err != nil {
		return nil, err
	}
	reg, _ := f.Zones()
	list := reg.All()
	found := make([]*zoneCredential, len(list))
	errs := parallel(len(list), func(i int) error {
		c, err := f.Credential(ctx, list[i], list[i].Name == selected.Name)
		if err != nil {
			return err
		}
		found[i] = &zoneCredential{Zone: list[i], Credential: c}
		return nil
	})
	var out []zoneCredential
	var keyringErr error
	for i, zc := range found {
		if zc != nil {
			out = append(out, *zc)
		} else if kerr := keyringFailure(errs[i]); kerr != nil && keyringErr == nil {
			keyringErr = kerr
		} else if errs[i] != nil && !isNotFound(errs[i]) && keyringErr == nil {
			keyringErr = errs[i]
		}
	}
	if len(out) == 0 {
		if keyringErr != nil {
			return nil, keyringErr
		}
		return nil, &ExitError{Code: ExitAuth, Err: errors.New("no zone has a credential; run `maketoken login -z ZONE` (or set MAKETOKEN_TOKEN_<ZONE>)")}
	}
	// A zone whose stored credential belongs to another origin is
	// skipped, and said so.
	for _, e := range errs {
		if moved := (*credentials.OriginChangedError)(nil); errors.As(e, &moved) {
			f.Warn(e.Error())
		}
	}
	// A keyring that is simply absent (a server, a CI job) is normal when the
	// credentials come from the environment or the file; one that did not
	// answer in time may hide credentials the user expects, so say so.
	var ke *credentials.KeyringError
	if errors.As(keyringErr, &ke) && ke.IsTimeout() {
		f.Warn("some zones were skipped: " + keyringErr.Error())
	}
	return out, nil
}

func isNotFound(err error) bool {
	var nf *credentials.NotFoundError
	return errors.As(err, &nf)
}
