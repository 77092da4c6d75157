package zones

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/maketoken/maketoken/internal/testkit"
)

func TestParseURL(t *testing.T) {
	// Each URL and what it becomes, or a part of the error it gets.
	for _, c := range []struct{ in, want, err string }{
		{"https://eu1.make.com/api/v2", "https://eu1.make.com/api/v2", ""},
		{"https://eu1.make.com/api/v2/", "https://eu1.make.com/api/v2", ""},
		{"  https://make.acme.example/api/v2 ", "https://make.acme.example/api/v2", ""},
		{"https://make.acme.example/make/api/v2", "https://make.acme.example/make/api/v2", ""},
		{"HTTPS://EU1.make.com/api/v2", "https://EU1.make.com/api/v2", ""},
		{"http://127.0.0.1:18081/api/v2", "http://127.0.0.1:18081/api/v2", ""},
		{"http://127.1.2.3:1/api/v2", "http://127.1.2.3:1/api/v2", ""},
		{"http://localhost:8080/api/v2", "http://localhost:8080/api/v2", ""},
		{"http://LOCALHOST/api/v2", "http://LOCALHOST/api/v2", ""},
		{"http://[::1]:18081/api/v2//", "http://[::1]:18081/api/v2", ""},
		{"https://make.acme.example:8443/api/v2", "https://make.acme.example:8443/api/v2", ""},
		{"http://eu1.make.com/api/v2", "", "plain http is only allowed for loopback hosts"},
		{"http://127.0.0.1.example.com/api/v2", "", "plain http is only allowed for loopback hosts"},
		{"http://localhost.example.com/api/v2", "", "plain http is only allowed for loopback hosts"},
		{"http://0.0.0.0/api/v2", "", "plain http is only allowed for loopback hosts"},
		{"http://[::ffff:10.0.0.1]/api/v2", "", "plain http is only allowed for loopback hosts"},
		{"https://admin:hunter2@eu1.make.com/api/v2", "", "credentials do not belong in a zone URL"},
		{"https://token@eu1.make.com/api/v2", "", "credentials do not belong in a zone URL"},
		{"https://eu1.make.com/api/v2?token=x", "", "no query or fragment"},
		{"https://eu1.make.com/api/v2?", "", "no query or fragment"},
		{"https://eu1.make.com/api/v2#x", "", "no query or fragment"},
		{"https://eu1.make.com", "", "ends in /api/v2"},
		{"https://eu1.make.com/", "", "ends in /api/v2"},
		{"https://eu1.make.com/api", "", "ends in /api/v2"},
		{"https://eu1.make.com/api/v2/users/me", "", "ends in /api/v2"},
		{"ftp://eu1.make.com/api/v2", "", "the scheme must be https"},
		{"javascript:alert(1)", "", "needs a scheme and a host"},
		{"eu1.make.com/api/v2", "", "needs a scheme and a host"},
		{"/api/v2", "", "needs a scheme and a host"},
		{"", "", "needs a scheme and a host"},
		{"https://:443/api/v2", "", "needs a scheme and a host"},
		{"https://eu1.make.com/api/v2\n", "https://eu1.make.com/api/v2", ""}, // trailing white space is trimmed
		{"https://eu1 make.com/api/v2", "", "not a URL"},
		{"http://%zz/api/v2", "", "not a URL"},
	} {
		got, err := ParseURL("acme", c.in)
		if c.err == "" {
			if err != nil || got != c.want {
				t.Errorf("ParseURL(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
			continue
		}
		var ie *InvalidURLError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.err) {
			t.Errorf("ParseURL(%q) = %q, %v; want an error with %q", c.in, got, err, c.err)
			continue
		}
		if ie.Zone != "acme" || !strings.HasPrefix(err.Error(), "zone acme: invalid URL ") {
			t.Errorf("ParseURL(%q): error %q does not name the zone", c.in, err)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseURL(%q): the password is in the error: %v", c.in, err)
		}
	}
}

func TestNewRegistry(t *testing.T) {
	r, err := NewRegistry(map[string]string{
		"eu1":  "http://127.0.0.1:18081/api/v2",
		"acme": "https://make.acme.example/api/v2",
	})
	if err != nil {
		t.Fatal(err)
	}
	eu1, err := r.Lookup("eu1.make.com")
	if err != nil || eu1.URL != "http://127.0.0.1:18081/api/v2" || eu1.Host != "127.0.0.1:18081" || !eu1.Builtin {
		t.Errorf("eu1 = %+v, %v: an override moves the URL and the host, and the public host still names it", eu1, err)
	}
	if eu2, _ := r.Lookup("eu2"); !eu1.Moved() || eu2.Moved() {
		t.Errorf("Moved(): eu1 %v, eu2 %v", eu1.Moved(), eu2.Moved())
	}
	if got := eu1.WebOrigin(); got != "http://127.0.0.1:18081" {
		t.Errorf("eu1's web origin = %q", got)
	}
	if z, err := r.Lookup("127.0.0.1:18081"); err != nil || z.Name != "eu1" {
		t.Errorf("Lookup(the moved host) = %+v, %v", z, err)
	}
	if eu2, _ := r.Lookup("eu2"); eu2.Host != "eu2.make.com" || eu2.WebOrigin() != "https://eu2.make.com" {
		t.Errorf("eu2 = %+v: a zone the config leaves alone keeps Make's host", eu2)
	}
	acme, err := r.Lookup("ACME")
	if err != nil || acme.Host != "make.acme.example" || acme.Builtin {
		t.Errorf("acme = %+v, %v", acme, err)
	}
	if got := strings.Join(r.Names(), ","); got != "eu1,eu2,us1,us2,celonis-eu1,celonis-us1,acme" {
		t.Errorf("names %s", got)
	}

	// Every bad entry is reported, not just the first.
	_, err = NewRegistry(map[string]string{
		"Bad Name": "https://x.example/api/v2",
		"plain":    "http://x.example/api/v2",
		"":         "https://x.example/api/v2",
	})
	for _, want := range []string{`invalid zone "Bad Name": a zone name in the config file uses only lower-case`, "zone plain: invalid URL", "empty name"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to hold %q", err, want)
		}
	}
}

func TestLookup(t *testing.T) {
	r, _ := NewRegistry(nil)
	for in, want := range map[string]string{
		"eu1":                         "eu1",
		" US2 ":                       "us2",
		"eu1.make.celonis.com":        "celonis-eu1",
		"celonis-us1":                 "celonis-us1",
		"https://eu1.make.com":        "eu1",
		"https://eu1.make.com/api/v2": "eu1",
		"HTTPS://US1.MAKE.COM/":       "us1",
	} {
		z, err := r.Lookup(in)
		if err != nil || z.Name != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", in, z.Name, err, want)
		}
	}
	for in, want := range map[string]string{
		"mars":                                   `unknown zone "mars" (known zones: eu1, eu2, us1, us2, celonis-eu1, celonis-us1)`,
		"":                                       `unknown zone ""`,
		"https://user:hunter2@eu1.make.com":      `invalid zone "https://REDACTED@eu1.make.com": credentials do not belong in a zone name`,
		"user:hunter2@eu1.make.com":              `invalid zone "REDACTED@eu1.make.com": credentials`,
		"3f2a9c1d-7b4e-4c1a-9d2e-5f6a7b8c9d0e@x": `invalid zone "REDACTED@x"`,
		"eu1.make.com.evil.example":              "unknown zone",
		"https://eu1.make.com.evil.example":      "unknown zone",
	} {
		_, err := r.Lookup(in)
		var ue *UnknownZoneError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), want) {
			t.Errorf("Lookup(%q): %v; want %q", in, err, want)
		}
		if strings.Contains(fmtErr(err), "hunter2") || strings.Contains(fmtErr(err), "7b4e") {
			t.Errorf("Lookup(%q): a secret is in the error %q", in, err)
		}
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestEnvName(t *testing.T) {
	testkit.Answers(t, "EnvName", EnvName, map[string]string{
		"eu1": "EU1", "celonis-eu1": "CELONIS_EU1", "make.acme.example": "MAKE_ACME_EXAMPLE", "a_b": "A_B",
	})
}

// TestEnvNameASCII: a name of ASCII characters gets the same variable by
// the byte loop as by the rune loop that upper-cases it (the one for
// other names), for every ASCII character; names that are not all ASCII
// take the rune loop ('ı' and 'ſ' upper-case to ASCII letters).
func TestEnvNameASCII(t *testing.T) {
	for c := 0; c < utf8.RuneSelf; c++ {
		for _, in := range []string{string(rune(c)), "a" + string(rune(c)) + "Z9"} {
			if got, want := EnvName(in), envNameOfRunes(in); got != want {
				t.Errorf("EnvName(%q) = %q, the rune loop makes %q", in, got, want)
			}
		}
	}
	for in, want := range map[string]string{"ıd": "ID", "eſ1": "ES1", "zoné": "ZON_", "é-1": "__1"} {
		if got := EnvName(in); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	testkit.Answers(t, "IsLoopback", IsLoopback, map[string]bool{
		"127.0.0.1": true, "127.255.0.9": true, "::1": true, "localhost": true, "LocalHost": true,
		"0.0.0.0": false, "10.0.0.1": false, "localhost.": false, "example.com": false, "": false, "::": false,
	})
}

// FuzzParseURL checks zone URL parsing on any input: no panic; an accepted
// URL is https (or http to a loopback host), has no credentials, query or
// fragment, ends in /api/v2, and is a fixed point; a refused one never
// shows a password in the error.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"https://eu1.make.com/api/v2", "http://127.0.0.1:18081/api/v2/", "http://[::1]/api/v2",
		"https://u:p@h/api/v2", "https://h/api/v2?x#y", "http://evil.example/api/v2", "//h/api/v2",
		"https://h/%2e%2e/api/v2", "https://h/api%2Fv2", "http://localhost:0/api/v2",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := ParseURL("z", raw)
		if err != nil {
			var ie *InvalidURLError
			if !errors.As(err, &ie) {
				t.Fatalf("ParseURL(%q): error of type %T", raw, err)
			}
			if u, perr := url.Parse(ie.URL); perr == nil && u.User != nil && u.User.String() != "REDACTED" {
				t.Fatalf("ParseURL(%q): user info %q shown in %q", raw, u.User, err)
			} else if perr != nil {
				if ru, rerr := url.Parse(strings.TrimSpace(raw)); rerr == nil && ru.User != nil {
					// The marker itself may end in the user info ("D" in
					// "REDACTED@"): look only at what is not the marker.
					shown := strings.ReplaceAll(ie.URL, "REDACTED@", "@")
					if ui := ru.User.String(); ui != "" && strings.Contains(shown, ui+"@") {
						t.Fatalf("ParseURL(%q): user info %q shown in %q", raw, ui, err)
					}
				}
			}
			return
		}
		u, perr := url.Parse(got)
		if perr != nil {
			t.Fatalf("ParseURL(%q) = %q, which does not parse: %v", raw, got, perr)
		}
		switch {
		case u.User != nil, u.RawQuery != "", u.Fragment != "", u.Host == "":
			t.Fatalf("ParseURL(%q) = %q: credentials, query, fragment or no host", raw, got)
		case u.Scheme != "https" && (u.Scheme != "http" || !IsLoopback(u.Hostname())):
			t.Fatalf("ParseURL(%q) = %q: insecure scheme", raw, got)
		case !strings.HasSuffix(u.Path, APIPath):
			t.Fatalf("ParseURL(%q) = %q: path", raw, got)
		}
		again, err := ParseURL("z", got)
		if err != nil || again != got {
			t.Fatalf("ParseURL(%q) = %q, but ParseURL(%q) = %q, %v", raw, got, got, again, err)
		}
	})
}

// FuzzLookup checks zone lookup on any -z value: no panic, and a zone
// found is one of the registry's.
func FuzzLookup(f *testing.F) {
	for _, s := range []string{"eu1", "eu1.make.com", "https://u:p@eu1.make.com", "a@b", "HTTPS://US1.MAKE.COM/", "celonis-eu1", "%"} {
		f.Add(s)
	}
	r, err := NewRegistry(map[string]string{"acme": "https://make.acme.example/api/v2"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		z, err := r.Lookup(in)
		if err != nil {
			return
		}
		if _, err := r.Lookup(z.Name); err != nil {
			t.Fatalf("Lookup(%q) = %q, which does not look up", in, z.Name)
		}
		if strings.Contains(in, "@") {
			t.Fatalf("Lookup(%q) accepted credentials", in)
		}
	})
}

func TestNewRegistryRefusesCollidingVariables(t *testing.T) {
	for _, name := range []string{"celonis_eu1", "celonis.eu1"} {
		_, err := NewRegistry(map[string]string{name: "https://make.acme.example/api/v2"})
		var ue *UnknownZoneError
		if !errors.As(err, &ue) || ue.Name != name || !strings.Contains(err.Error(), "MAKETOKEN_TOKEN_CELONIS_EU1 is also zone celonis-eu1's") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	_, err := NewRegistry(map[string]string{"acme-1": "https://a.example/api/v2", "acme_1": "https://b.example/api/v2"})
	if err == nil || !strings.Contains(err.Error(), `invalid zone "acme_1": its credential variable MAKETOKEN_TOKEN_ACME_1 is also zone acme-1's`) {
		t.Errorf("err = %v", err)
	}
	if _, err := NewRegistry(map[string]string{"acme1": "https://a.example/api/v2", "acme-1": "https://b.example/api/v2"}); err != nil {
		t.Errorf("distinct variables refused: %v", err)
	}
}

// A built-in zone pointed at another built-in zone's host: the public host
// names its own zone, not the one moved there.
func TestLookupPublicHostWins(t *testing.T) {
	r, err := NewRegistry(map[string]string{"eu1": "https://us1.make.com/api/v2"})
	if err != nil {
		t.Fatal(err)
	}
	if z, err := r.Lookup("us1.make.com"); err != nil || z.Name != "us1" {
		t.Errorf("Lookup(us1.make.com) = %q, %v; want us1", z.Name, err)
	}
	if z, err := r.Lookup("eu1.make.com"); err != nil || z.Name != "eu1" || z.Host != "us1.make.com" {
		t.Errorf("Lookup(eu1.make.com) = %+v, %v; want eu1 at us1.make.com", z, err)
	}
}

// AddHost (MAKE_ZONE naming a host) refuses a name whose credential
// variable is another zone's, built-in or from the config file.
func TestAddHostRefusesCollidingVariables(t *testing.T) {
	r, err := NewRegistry(map[string]string{"acme-prod": "https://make.acme.example/api/v2"})
	if err != nil {
		t.Fatal(err)
	}
	for host, other := range map[string]string{"celonis.eu1": "celonis-eu1", "CELONIS.EU1": "celonis-eu1", "acme.prod": "acme-prod"} {
		z, err := r.AddHost(host)
		var ue *UnknownZoneError
		if !errors.As(err, &ue) || ue.SharesVariableWith != other || !strings.Contains(err.Error(), "is also zone "+other+"'s") {
			t.Errorf("AddHost(%q) = %+v, %v; want refused as sharing %s's variable", host, z, err, other)
		}
		if _, err := r.Lookup(host); err == nil {
			t.Errorf("AddHost(%q) refused, but the zone was added", host)
		}
	}
	z, err := r.AddHost("acme.prod.example")
	if err != nil || !z.AdHoc || z.URL != "https://acme.prod.example/api/v2" {
		t.Errorf("AddHost(acme.prod.example) = %+v, %v", z, err)
	}
	// A host a zone has is that zone, not a new one.
	if z, err := r.AddHost("eu1.make.celonis.com"); err != nil || z.Name != "celonis-eu1" {
		t.Errorf("AddHost(eu1.make.celonis.com) = %+v, %v", z, err)
	}
}
