package config

import (
	"errors"
	"fmt"

	"github.com/maketoken/maketoken/internal/zones"
)

// ZoneSource says what chose the zone of a command.
type ZoneSource int

// What can choose the zone, weakest first.
const (
	ZoneDefault           ZoneSource = iota // nothing: the built-in default, eu1
	ZoneFromFile                            // `zone:` in the config file
	ZoneFromMakeZone                        // Make's MAKE_ZONE
	ZoneFromMaketokenZone                   // MAKETOKEN_ZONE
	ZoneFromFlag                            // -z/--zone
)

// Zones is the zone side of a run's settings: every zone the run knows
// (the built-in ones, the config file's, and one MAKE_ZONE may add for a
// private instance), the zone selected for the command and how it was
// chosen, and the zone MAKE_API_KEY belongs to. It is the one place that
// answers these questions; the commands ask it.
type Zones struct {
	*zones.Registry
	selection  Selection
	selErr     error
	apiKeyZone string
}

// Selection is the zone chosen for a command and what chose it.
type Selection struct {
	Zone zones.Zone
	By   ZoneSource
	// from is By for people: "--zone", "the config file PATH"...
	from string
}

// Named reports whether the zone was named for this command: by -z,
// MAKETOKEN_ZONE or MAKE_ZONE, not taken from the config file or the
// default. A command that must never act on a zone by accident (logout
// without a terminal) needs it named.
func (s Selection) Named() bool { return s.By >= ZoneFromMakeZone }

// From says, for a message, what chose the zone: "--zone",
// "MAKETOKEN_ZONE", "MAKE_ZONE", "the config file PATH" or "the default".
func (s Selection) From() string { return s.from }

// ResolveZones builds the zones of this run and finds the selected one.
//
// An error is returned for what makes every zone unsafe to use: a bad zone
// in the config file, or a MAKE_ZONE host whose credential variable is
// another zone's (MAKE_ZONE=celonis.eu1 would read
// MAKETOKEN_TOKEN_CELONIS_EU1, celonis-eu1's credential, and send it to
// https://celonis.eu1/api/v2). A selected zone that does not exist is
// Selected's error, so that what does not need it (completion) still works.
func (c *Config) ResolveZones() (*Zones, error) {
	reg, err := zones.NewRegistry(c.ZoneURLs)
	if err != nil {
		return nil, err
	}
	z := &Zones{Registry: reg}
	// MAKE_ZONE naming a host no zone has is a private instance at
	// https://HOST/api/v2, as in Make's own tools. A value that is not a
	// host name stays unknown, and fails where it is used.
	if c.MakeZone != "" {
		mz, lerr := reg.Lookup(c.MakeZone)
		if lerr != nil {
			mz, err = reg.AddHost(c.MakeZone)
			var ue *zones.UnknownZoneError
			if errors.As(err, &ue) && ue.SharesVariableWith != "" {
				return nil, fmt.Errorf("%w; it comes from MAKE_ZONE: set it to a zone's name or host (%s)", err, nameAndHost(reg, ue.SharesVariableWith))
			}
		}
		if err == nil {
			z.apiKeyZone = mz.Name
		}
	}

	name := c.Zone
	if name == "" {
		name = zones.DefaultZone
	}
	z.selection = Selection{By: c.ZoneBy, from: c.Source(KeyZone)}
	z.selection.Zone, z.selErr = reg.Lookup(name)
	if z.selErr != nil {
		// Say where the bad name came from: a flag, a variable or the
		// config file, which the user may not remember setting.
		z.selErr = fmt.Errorf("%w; it comes from %s", z.selErr, z.selection.from)
	}
	// MAKE_API_KEY belongs to the zone MAKE_ZONE names, else to one named
	// for this command; never to the config file's or the default zone
	// (make-cli too refuses a key without a zone).
	if c.MakeZone == "" && z.selErr == nil && z.selection.Named() {
		z.apiKeyZone = z.selection.Zone.Name
	}
	return z, nil
}

func nameAndHost(reg *zones.Registry, name string) string {
	if o, err := reg.Lookup(name); err == nil && o.Host != o.Name {
		return o.Name + ", " + o.Host
	}
	return name
}

// Selected is the zone chosen for the command: by --zone, MAKETOKEN_ZONE,
// MAKE_ZONE, the config file, or the default. An unknown zone is an
// *zones.UnknownZoneError that says where the name came from.
func (z *Zones) Selected() (zones.Zone, error) { return z.selection.Zone, z.selErr }

// Selection is Selected with what chose the zone.
func (z *Zones) Selection() (Selection, error) { return z.selection, z.selErr }

// EveryUnlessNamed is the rule of status and doctor: they cover every zone
// (as with --all-zones, asked) unless -z named one; a zone from
// MAKETOKEN_ZONE, MAKE_ZONE or the config file is only the default one.
func (z *Zones) EveryUnlessNamed(asked bool) (bool, error) {
	if asked {
		return true, nil
	}
	return z.selection.By != ZoneFromFlag, z.selErr
}

// APIKeyZone is the name of the zone MAKE_API_KEY belongs to: the one
// MAKE_ZONE names, else the selected zone if it was named for this command
// (-z, MAKETOKEN_ZONE); "" if neither, and then MAKE_API_KEY is not used.
func (z *Zones) APIKeyZone() string { return z.apiKeyZone }
