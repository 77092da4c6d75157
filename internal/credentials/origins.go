package credentials

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Origins records, per zone, the origin (scheme://host[:port]) of the
// zone's API URL that `login` checked the stored credential against, and
// the store it put the credential in (so that a lookup reads that store
// only: the kernel keyring is never read for a zone whose credential is
// elsewhere, nor the Secret Service for one in the kernel keyring). A
// stored credential is only ever sent to that origin: when the config
// moves the zone elsewhere, maketoken refuses until the user logs in again
// (see OriginChangedError). The record is a small JSON file, mode 0600,
// replaced atomically; a zone without an entry (logged in before the
// record existed) is not checked, and is not recorded on use either: only
// login records, so that a changed URL is never blessed silently.
type Origins struct {
	Path string // "": nothing is recorded or checked
}

// maxOriginsBytes bounds the record file: a line per zone.
const maxOriginsBytes = 1 << 20

type originsFile struct {
	Origins map[string]string `json:"origins"`
	// Stores names, per zone, the store the credential went to. A zone
	// without one was logged in by a version that did not record it; a
	// version that does not know it drops it when it rewrites the file:
	// then the zone's credential is looked for where those versions look
	// (the OS keyring, then the credentials file).
	Stores map[string]Kind `json:"stores,omitempty"`
}

// Origin is the scheme and host (with port) of an API URL, lower-cased.
func Origin(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" {
		return apiURL
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

func (o Origins) load() (originsFile, error) {
	return loadJSON[originsFile](o.Path, maxOriginsBytes, "the record of credential hosts", "remove it and log in again")
}

// Recorded returns the origin recorded for the zone, "" if none.
func (o Origins) Recorded(zone string) (string, error) {
	f, err := o.load()
	return f.Origins[zone], err
}

// StoredIn returns the store recorded for the zone's credential, "" if
// none is (no login, or one by a version that did not record it).
func (o Origins) StoredIn(zone string) (Kind, error) {
	f, err := o.load()
	return f.Stores[zone], err
}

// Check returns an *OriginChangedError when the zone has a recorded origin
// that differs from apiURL's; nil when they match or nothing is recorded.
func (o Origins) Check(zone, apiURL string) error {
	rec, err := o.Recorded(zone)
	if err != nil {
		return err
	}
	if rec == "" || rec == Origin(apiURL) {
		return nil
	}
	return &OriginChangedError{Zone: zone, Recorded: rec, Current: Origin(apiURL)}
}

// Set records apiURL's origin for the zone, keeping the store recorded
// for it; Set(zone, "") removes the zone's entry.
func (o Origins) Set(zone, apiURL string) error {
	return o.update(zone, apiURL, "", false)
}

// SetStored records apiURL's origin for the zone and the store its
// credential is in.
func (o Origins) SetStored(zone, apiURL string, kind Kind) error {
	return o.update(zone, apiURL, kind, true)
}

// ForgetStore removes the store recorded for the zone, keeping its origin:
// the credential is gone from there, but another place that could not be
// asked may still hold a copy, which must still go only where it was
// checked.
func (o Origins) ForgetStore(zone string) error {
	rec, err := o.Recorded(zone)
	if err != nil || rec == "" {
		return o.update(zone, "", "", false)
	}
	return o.update(zone, rec, "", true)
}

func (o Origins) update(zone, apiURL string, kind Kind, setKind bool) error {
	if o.Path == "" {
		return nil
	}
	f, err := o.load()
	if err != nil && apiURL == "" {
		// Removing from a record that cannot be read: start afresh.
		f, err = originsFile{}, nil
	}
	if err != nil {
		return err
	}
	if f.Origins == nil {
		f.Origins = map[string]string{}
	}
	if f.Stores == nil {
		f.Stores = map[string]Kind{}
	}
	if apiURL == "" {
		_, had := f.Origins[zone]
		_, hadKind := f.Stores[zone]
		if !had && !hadKind {
			return nil
		}
		delete(f.Origins, zone)
		delete(f.Stores, zone)
	} else {
		f.Origins[zone] = Origin(apiURL)
		switch {
		case !setKind:
		case kind == "":
			delete(f.Stores, zone)
		default:
			f.Stores[zone] = kind
		}
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(o.Path), 0o700); err != nil {
		return fmt.Errorf("creating the folder of the record of credential hosts: %w", err)
	}
	return WriteFileAtomic(o.Path, append(data, '\n'), 0o600)
}

// OriginChangedError is a stored credential that would be sent to another
// origin than the one it was logged in for: the config changed the zone's
// URL since. It is not sent.
type OriginChangedError struct {
	Zone     string
	Recorded string // the origin login checked the credential against
	Current  string // the origin the zone's URL names now
}

func (e *OriginChangedError) Error() string {
	return fmt.Sprintf("zone %s: the stored credential was checked at %s, but the zone's URL now points at %s; it was not sent there. If %s is right, run `maketoken login -z %s` again to confirm it; otherwise fix the zone's url in the config",
		e.Zone, e.Recorded, e.Current, e.Current, e.Zone)
}
