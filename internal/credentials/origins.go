package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/maketoken/maketoken/internal/readfile"
)

// Origins records, per zone, the origin (scheme://host[:port]) of the
// zone's API URL that `login` checked the stored credential against. A
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
}

// Origin is the scheme and host (with port) of an API URL, lower-cased.
func Origin(apiURL string) string {
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" {
		return apiURL
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

func (o Origins) load() (map[string]string, error) {
	if o.Path == "" {
		return nil, nil
	}
	data, _, err := readfile.Read(o.Path, maxOriginsBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the record of credential hosts: %w", err)
	}
	var f originsFile
	if len(data) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("the record of credential hosts %s is not valid JSON (remove it and log in again): %s", o.Path, firstLine(err.Error()))
	}
	return f.Origins, nil
}

// Recorded returns the origin recorded for the zone, "" if none.
func (o Origins) Recorded(zone string) (string, error) {
	m, err := o.load()
	return m[zone], err
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

// Set records apiURL's origin for the zone; Set(zone, "") removes the
// zone's entry.
func (o Origins) Set(zone, apiURL string) error {
	if o.Path == "" {
		return nil
	}
	m, err := o.load()
	if err != nil && apiURL == "" {
		// Removing from a record that cannot be read: start afresh.
		m, err = nil, nil
	}
	if err != nil {
		return err
	}
	if m == nil {
		m = map[string]string{}
	}
	if apiURL == "" {
		if _, ok := m[zone]; !ok {
			return nil
		}
		delete(m, zone)
	} else {
		m[zone] = Origin(apiURL)
	}
	data, err := json.MarshalIndent(originsFile{Origins: m}, "", "  ")
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
