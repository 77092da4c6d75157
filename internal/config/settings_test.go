package config

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/viper"
)

// settingsKeys are the keys maketoken reads, and one it does not.
var settingsKeys = append([]string{KeyZones, "unknown"}, fileKeys...)

// settingsFiles are config files of every YAML shape a user may write:
// scalars of each type, null, lists, mappings, keys in other cases,
// anchors, and files that are not valid.
var settingsFiles = []string{
	"",
	"~\n",
	"zone: eu2\n",
	"zone: \"eu2\"\ntimeout: 45\ndebug: true\n",
	"Zones:\n  EU1:\n    URL: 'https://eu1.make.com/api/v2'\n",
	"zones: {eu1: {url: https://eu1.make.com/api/v2}}\n",
	"zones:\n  eu1:\n    url: x\n  Eu2: {URL: y, Other: [A, {B: c}]}\n",
	"zones: {1: {url: a}, true: {url: b}, 2.5: {url: c}}\n",
	"zones: [a, b]\n",
	"zones: eu1\n",
	"zones:\n",
	"a: &x {b: c}\nd: *x\n",
	"zone: eu2\nzone: eu1\n",
	"zones: [unclosed\n",
	"zone:\teu1\n\tzones: x\n",
	"- a\n- b\n",
	"just a string\n",
	"key: [1, 2]\n",
	"zone:\noutput: ~\ntimeout: null\ndebug:\n",
	"timeout: 1.5\nkeyring_timeout: 1e3\nrotate_after: 0x1F\ndebug: 0\n",
	"timeout: -7\nkeyring_timeout: 12345678901234567890\nrotate_after: .inf\ndebug: .nan\n",
	"timeout: 9223372036854775807\nkeyring_timeout: -9223372036854775808\n",
	"timeout: 1e21\nkeyring_timeout: 1.5e-7\nrotate_after: -0.0\n",
	"debug: yes\noutput: no\nzone: on\ntimeout: True\n",
	"rotate_after: 2001-12-14\ntimeout: 2001-12-14t21:59:43.10-05:00\n",
	"credentials_file: !!binary aGVsbG8=\n",
	"credential_store: [keyring]\ncredentials_file: {a: b}\n",
	"OUTPUT: JSON\nTimeOut: 30s\nKEYRING_TIMEOUT: 2m\n",
	"zone: !!str 123\noutput: !!int \"7\"\n",
	"zone: |\n  eu1\n  eu2\noutput: >\n  json\n",
	"? zone\n: eu1\n",
	"zones:\n  eu1:\n    url:\n",
}

// TestSettingsAsViper: the settings answer as viper answered for every
// key maketoken reads, whatever the config file holds, and a file is
// refused with viper's error; what a flag or the environment sets wins
// over the file, and the file over the defaults, as in viper.
func TestSettingsAsViper(t *testing.T) {
	for _, data := range settingsFiles {
		for _, set := range []map[string]string{nil, {KeyZone: "us1", KeyTimeout: "", KeyDebug: "true"}} {
			compareWithViper(t, data, set)
		}
	}
}

// TestSettingsAsViperGenerated compares the settings with viper's for
// config files made of random keys (in random cases) and values.
func TestSettingsAsViperGenerated(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		compareWithViper(t, randomFile(r, 0), nil)
	}
}

func compareWithViper(t *testing.T, data string, set map[string]string) {
	t.Helper()
	want := viper.New()
	want.SetConfigType("yaml")
	got := newSettings()
	for _, s := range []interface{ setDefault(string, any) }{got, viperDefaults{want}} {
		s.setDefault(KeyTimeout, DefaultTimeout.String())
		s.setDefault(KeyKeyringTimeout, DefaultKeyringTimeout.String())
		s.setDefault(KeyDebug, false)
		s.setDefault(KeyRotateAfter, DefaultRotateAfter)
	}
	for k, v := range set {
		want.Set(k, v)
		got.setValue(k, v)
	}
	wantErr := want.MergeConfig(bytes.NewReader([]byte(data)))
	gotErr := mergeFile(got, []byte(data))
	if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Errorf("config file %q: error %v, viper's %v", data, gotErr, wantErr)
		return
	}
	for _, key := range settingsKeys {
		for _, k := range []string{key, strings.ToUpper(key)} {
			if g, w := got.getString(k), want.GetString(k); g != w {
				t.Errorf("config file %q, set %v: %s reads %q, viper %q", data, set, k, g, w)
			}
			if g, w := got.inFile(k), want.InConfig(k); g != w {
				t.Errorf("config file %q: %s in the file %v, viper %v", data, k, g, w)
			}
			if g, w := got.get(k), want.Get(k); !reflect.DeepEqual(g, w) && fmt.Sprintf("%#v", g) != fmt.Sprintf("%#v", w) { // NaN is not DeepEqual to itself
				t.Errorf("config file %q, set %v: %s is %#v, viper %#v", data, set, k, g, w)
			}
		}
	}
}

type viperDefaults struct{ v *viper.Viper }

func (d viperDefaults) setDefault(k string, v any) { d.v.SetDefault(k, v) }

// randomFile writes a YAML mapping of random keys and values; depth
// bounds its nesting. No two keys differ only in case: for those viper
// kept either value, as its map iteration fell.
func randomFile(r *rand.Rand, depth int) string {
	var b strings.Builder
	used := map[string]bool{}
	for range r.IntN(5) {
		key := settingsKeys[r.IntN(len(settingsKeys))]
		if depth > 0 {
			key = []string{"eu1", "url", "Url", "other", "1"}[r.IntN(5)]
		}
		if used[strings.ToLower(key)] {
			continue
		}
		used[strings.ToLower(key)] = true
		if r.IntN(3) == 0 {
			key = strings.ToUpper(key[:1]) + key[1:]
		}
		indent := strings.Repeat("  ", depth)
		switch n := r.IntN(12); {
		case n == 0 && depth < 2:
			fmt.Fprintf(&b, "%s%s:\n%s", indent, key, randomFile(r, depth+1))
		case n == 1:
			fmt.Fprintf(&b, "%s%s: [%s, %s]\n", indent, key, randomScalar(r), randomScalar(r))
		default:
			fmt.Fprintf(&b, "%s%s: %s\n", indent, key, randomScalar(r))
		}
	}
	return b.String()
}

func randomScalar(r *rand.Rand) string {
	scalars := []string{
		"eu1", "'eu2'", "\"us1\"", "json", "45s", "2m30s", "90d", "", "~", "null",
		"true", "False", "yes", "0", "-3", "1.25", "1e2", "0x10", "0o17", ".5",
		"18446744073709551615", "1e21", "2.5e-8", "2026-12-02", "https://eu1.make.com/api/v2", "{}", "[]",
	}
	return scalars[r.IntN(len(scalars))]
}
