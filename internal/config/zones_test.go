package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maketoken/maketoken/internal/testkit"
	"github.com/maketoken/maketoken/internal/zones"
)

// TestResolveZones is the table of how a command's zone is chosen, whether
// it was named for the command, and which zone MAKE_API_KEY belongs to.
func TestResolveZones(t *testing.T) {
	dir, withZone := testkit.TempFile(t, "zone.yaml", "zone: us2\n")
	custom := testkit.File(t, filepath.Join(dir, "custom.yaml"), "zone: acme\nzones:\n  acme-prod:\n    url: https://make.acme.example/api/v2\n  acme:\n    url: https://acme.example/api/v2\n  eu1:\n    url: http://127.0.0.1:18081/api/v2\n")
	none := filepath.Join(dir, "none") // XDG_CONFIG_HOME without a config
	cases := []struct {
		name   string
		args   []string
		env    map[string]string
		zone   string // the selected zone's name
		by     ZoneSource
		named  bool
		from   string
		apiKey string // the zone MAKE_API_KEY belongs to
	}{
		{"default", nil, nil, "eu1", ZoneDefault, false, "the default", ""},
		{"config file", nil, map[string]string{"MAKETOKEN_CONFIG": withZone}, "us2", ZoneFromFile, false, "the config file " + withZone, ""},
		{"MAKE_ZONE by host over the file", nil, map[string]string{"MAKETOKEN_CONFIG": withZone, "MAKE_ZONE": "eu1.make.celonis.com"}, "celonis-eu1", ZoneFromMakeZone, true, "MAKE_ZONE", "celonis-eu1"},
		{"MAKETOKEN_ZONE over MAKE_ZONE; the key stays MAKE_ZONE's", nil, map[string]string{"MAKE_ZONE": "eu2", "MAKETOKEN_ZONE": "us1"}, "us1", ZoneFromMaketokenZone, true, "MAKETOKEN_ZONE", "eu2"},
		{"MAKETOKEN_ZONE alone: the key is its zone's", nil, map[string]string{"MAKETOKEN_ZONE": "US1"}, "us1", ZoneFromMaketokenZone, true, "MAKETOKEN_ZONE", "us1"},
		{"flag over everything", []string{"-z", "celonis-us1"}, map[string]string{"MAKETOKEN_CONFIG": withZone, "MAKE_ZONE": "eu2", "MAKETOKEN_ZONE": "us1"}, "celonis-us1", ZoneFromFlag, true, "--zone", "eu2"},
		{"flag alone", []string{"-z", "eu2.make.com"}, nil, "eu2", ZoneFromFlag, true, "--zone", "eu2"},
		{"a blank flag names nothing", []string{"-z", " "}, map[string]string{"MAKETOKEN_CONFIG": withZone}, "us2", ZoneFromFile, false, "the config file " + withZone, ""},
		{"a blank variable names nothing", nil, map[string]string{"MAKETOKEN_ZONE": "  ", "MAKE_ZONE": "\t"}, "eu1", ZoneDefault, false, "the default", ""},
		{"a config zone", nil, map[string]string{"MAKETOKEN_CONFIG": custom}, "acme", ZoneFromFile, false, "the config file " + custom, ""},
		{"MAKE_ZONE adds a private instance", nil, map[string]string{"MAKE_ZONE": "Make.Example.Test"}, "make.example.test", ZoneFromMakeZone, true, "MAKE_ZONE", "make.example.test"},
		{"MAKE_ZONE's private instance, -z another", []string{"-z", "eu2"}, map[string]string{"MAKE_ZONE": "make.example.test"}, "eu2", ZoneFromFlag, true, "--zone", "make.example.test"},
		{"MAKE_ZONE not a host: no key zone", []string{"-z", "eu2"}, map[string]string{"MAKE_ZONE": "not a host"}, "eu2", ZoneFromFlag, true, "--zone", ""},
		{"the public host names a moved zone", nil, map[string]string{"MAKETOKEN_CONFIG": custom, "MAKE_ZONE": "eu1.make.com"}, "eu1", ZoneFromMakeZone, true, "MAKE_ZONE", "eu1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"XDG_CONFIG_HOME": none}
			for k, v := range tc.env {
				env[k] = v
			}
			cfg, err := Load(flagSet(tc.args...), envMap(env))
			if err != nil {
				t.Fatal(err)
			}
			zs, err := cfg.ResolveZones()
			if err != nil {
				t.Fatal(err)
			}
			sel, err := zs.Selection()
			if err != nil {
				t.Fatal(err)
			}
			if z, _ := zs.Selected(); z != sel.Zone {
				t.Errorf("Selected() = %+v, Selection().Zone = %+v", z, sel.Zone)
			}
			if sel.Zone.Name != tc.zone || sel.By != tc.by || sel.Named() != tc.named || sel.From() != tc.from {
				t.Errorf("selection = %s by %d (named %v, from %q); want %s by %d (named %v, from %q)",
					sel.Zone.Name, sel.By, sel.Named(), sel.From(), tc.zone, tc.by, tc.named, tc.from)
			}
			// Status and doctor: every zone unless -z named one.
			if every, err := zs.EveryUnlessNamed(false); err != nil || every != (tc.by != ZoneFromFlag) {
				t.Errorf("EveryUnlessNamed(false) = %v, %v", every, err)
			}
			if every, err := zs.EveryUnlessNamed(true); err != nil || !every {
				t.Errorf("EveryUnlessNamed(true) = %v, %v", every, err)
			}
			if got := zs.APIKeyZone(); got != tc.apiKey {
				t.Errorf("APIKeyZone() = %q, want %q", got, tc.apiKey)
			}
		})
	}
}

// TestResolveZonesRefuses: a MAKE_ZONE host whose credential variable is
// another zone's makes every zone unsafe: an error for the whole run, a
// usage error (*zones.UnknownZoneError) that says where it came from.
func TestResolveZonesRefuses(t *testing.T) {
	dir, custom := testkit.TempFile(t, "custom.yaml", "zones:\n  acme-prod:\n    url: https://make.acme.example/api/v2\n")
	for _, tc := range []struct {
		makeZone, args, want string
	}{
		{"celonis.eu1", "", `invalid zone "celonis.eu1": its credential variable MAKETOKEN_TOKEN_CELONIS_EU1 is also zone celonis-eu1's, so one would be sent the other's credential; it comes from MAKE_ZONE: set it to a zone's name or host (celonis-eu1, eu1.make.celonis.com)`},
		{"CELONIS.EU1", "-z eu1", `invalid zone "celonis.eu1"`},
		{"acme.prod", "", `invalid zone "acme.prod": its credential variable MAKETOKEN_TOKEN_ACME_PROD is also zone acme-prod's, so one would be sent the other's credential; it comes from MAKE_ZONE: set it to a zone's name or host (acme-prod, make.acme.example)`},
	} {
		env := map[string]string{"MAKETOKEN_CONFIG": custom, "MAKE_ZONE": tc.makeZone}
		cfg, err := Load(flagSet(strings.Fields(tc.args)...), envMap(env))
		if err != nil {
			t.Fatal(err)
		}
		zs, err := cfg.ResolveZones()
		var ue *zones.UnknownZoneError
		if zs != nil || !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("MAKE_ZONE=%s %s: %v, %v; want %q", tc.makeZone, tc.args, zs, err, tc.want)
		}
	}

	// An unknown selected zone is Selected's error, not the run's.
	cfg, err := Load(flagSet("-z", "mars"), envMap(map[string]string{"XDG_CONFIG_HOME": dir}))
	if err != nil {
		t.Fatal(err)
	}
	zs, err := cfg.ResolveZones()
	if err != nil {
		t.Fatal(err)
	}
	_, err = zs.Selected()
	var ue *zones.UnknownZoneError
	if !errors.As(err, &ue) || !strings.HasSuffix(err.Error(), "; it comes from --zone") {
		t.Errorf("Selected() with -z mars: %v", err)
	}
	if zs.APIKeyZone() != "" || len(zs.All()) != 6 {
		t.Errorf("APIKeyZone() = %q, %d zones", zs.APIKeyZone(), len(zs.All()))
	}
}
