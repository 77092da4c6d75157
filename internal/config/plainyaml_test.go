package config

import (
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// libraryYAML is the config file as the YAML library reads it.
func libraryYAML(data []byte) (map[string]any, error) {
	m := make(map[string]any)
	err := yaml.Unmarshal(data, &m)
	return m, err
}

// plainCases are config files of the plainest YAML (plainYAML reads
// them) and files it leaves to the library (ok false).
var plainCases = []struct {
	yaml  string
	plain bool
}{
	{"", true},
	{"\n\n", true},
	{"# only a comment\n", true},
	{"zone: eu2\n", true},
	{"zone: eu2", true},
	{"zone:   eu2   \n", true},
	{"zone: eu2 # the default\n", true},
	{"output: json\ntimeout: 45s\nkeyring_timeout: 2m30s\nrotate_after: 12w\n", true},
	{"credentials_file: /home/me/.config/maketoken/credentials.yaml\n", true},
	{"zones:\n  eu1:\n    url: http://127.0.0.1:33269/api/v2\n  celonis-us1:\n    url: https://us1.make.celonis.com/api/v2\n", true},
	{"# maketoken\nzone: eu1 # default\n\nzones:   # mine\n    private:\n        url: https://make.example.com/api/v2?x=1&y=%20\n    # another\n    other:\n        url: https://u:p@o.example.com:8443/a,b/~c+d\n", true},
	{"  zone: eu1\n  output: tsv\n", true},
	{"Zone: eu1\nzone: eu2\n", true},
	{"a:\n  b:\n    c: d\n  e: f\ng: h\n", true},
	{"a-b_c9: x-y_z.9\n", true},
	{"zone: eu1 #c\n", true},
	{"timeout: 1.5m\nrotate_after: 90d\nkeyring_timeout: 500ms\n", true},
	{"credentials_file: /srv/a.yaml\n", true},

	{"zone: \"eu1\"\n", false},
	{"zone: 'eu1'\n", false},
	{"zone: eu1\r\n", false},
	{"\tzone: eu1\n", false},
	{"zone:\teu1\n", false},
	{"zone:eu1\n", false},
	{"zone : eu1\n", false},
	{"zone: eu1#c\n", false},
	{"zone: eu1 x\n", false},
	{"zone: eu1\nzone: eu2\n", false},
	{"zones:\n  eu1:\n    url: a\n  eu1:\n    url: b\n", false},
	{"zone:\n", false},
	{"zone:\noutput: json\n", false},
	{"zone: http:\n", false},
	{"zone: a: b\n", false},
	{"debug: true\n", false},
	{"debug: True\n", false},
	{"debug: yes\n", false},
	{"debug: off\n", false},
	{"zone: null\n", false},
	{"zone: n\n", false},
	{"timeout: 30\n", false},
	{"timeout: 1.5\n", false},
	{"timeout: .inf\n", false},
	{"timeout: 30e\n", false},
	{"timeout: 1e3\n", false},
	{"timeout: 0x1d\n", false},
	{"timeout: 0b11\n", false},
	{"timeout: 1_000\n", false},
	{"timeout: 2001-12-14\n", false},
	{"timeout: 12:30\n", false},
	{"timeout: 30s5\n", false},
	{"timeout: 5\n", false},
	{"zone: .eu1\n", false},
	{"zone: -eu1\n", false},
	{"zone: _eu1\n", false},
	{"zone: ~\n", false},
	{"y: a\n", false},
	{"1: a\n", false},
	{"- a\n", false},
	{"---\nzone: eu1\n", false},
	{"zone: eu1\n...\n", false},
	{"zone: [eu1]\n", false},
	{"zones: {eu1: {url: x}}\n", false},
	{"zone: &a eu1\nx: *a\n", false},
	{"zone: |\n  eu1\n", false},
	{"zone: eu1\n  eu2\n", false},
	{"a:\n    b: c\n  d: e\n", false},
	{"  a: b\nc: d\n", false},
	{"zone: é\n", false},
	{"# é\nzone: eu1\n", false},
	{"zone: eu1\x00\n", false},
	{"\ufeffzone: eu1\n", false},
	{"zone: !!str eu1\n", false},
	{"? zone\n: eu1\n", false},
	{strings.Repeat("k", 128) + ": v\n", true},
	{strings.Repeat("k", 129) + ": v\n", false},
	{strings.Repeat("k", 1100) + ": v\n", false},
	{"a:\n b:\n  c:\n   d:\n    e:\n     f:\n      g:\n       h: i\n", true},
	{"a:\n b:\n  c:\n   d:\n    e:\n     f:\n      g:\n       h:\n        i: j\n", false},
}

// TestPlainYAML: plainYAML reads the plainest YAML as the library does,
// and leaves everything else to the library.
func TestPlainYAML(t *testing.T) {
	for _, c := range plainCases {
		got, ok := plainYAML([]byte(c.yaml))
		if ok != c.plain {
			t.Errorf("plainYAML(%q): ok %v, want %v", c.yaml, ok, c.plain)
			continue
		}
		if !ok {
			continue
		}
		want, err := libraryYAML([]byte(c.yaml))
		if err != nil {
			t.Errorf("the library cannot read %q: %v", c.yaml, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("plainYAML(%q) = %#v, the library reads %#v", c.yaml, got, want)
		}
	}
}

// FuzzPlainYAML: whatever plainYAML reads, the library reads the same way
// without an error.
func FuzzPlainYAML(f *testing.F) {
	for _, c := range plainCases {
		f.Add([]byte(c.yaml))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := plainYAML(data)
		if !ok {
			return
		}
		want, err := libraryYAML(data)
		if err != nil {
			t.Fatalf("plainYAML read %q, which the library refuses: %v", data, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("plainYAML(%q) = %#v, the library reads %#v", data, got, want)
		}
	})
}
