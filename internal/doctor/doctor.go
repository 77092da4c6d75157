// Package doctor checks, zone by zone, what works -- the credential
// stores, where the zone's credential comes from, one round trip to the
// zone's API, the server's clock against this machine's, and the
// credential's scopes against what each command needs -- and writes the
// report a person pastes into a bug report (Report.Write), or its JSON.
// The report holds no secret: every message in it passes through
// Checks.Clean, and a credential is named by where it comes from, never by
// its value.
package doctor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/maketoken/maketoken/internal/buildinfo"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/scopes"
	"github.com/maketoken/maketoken/internal/tokens"
	"github.com/maketoken/maketoken/internal/zones"
)

// Report is doctor's report.
type Report struct {
	Version  buildinfo.Info `json:"version"`
	Config   Config         `json:"config"`
	Zones    []Zone         `json:"zones"`
	Problems []string       `json:"problems"`
	Needs    []Needs        `json:"needs"`
}

// Config is the settings in use.
type Config struct {
	File            string `json:"file"` // "" when none is in use
	Zone            string `json:"zone"` // the selected zone
	Timeout         string `json:"timeout"`
	KeyringTimeout  string `json:"keyringTimeout"`
	CredentialsFile string `json:"credentialsFile"`
	// CredentialStore is the credential_store setting ("" for none).
	CredentialStore string `json:"credentialStore"`
	Debug           bool   `json:"debug"`
}

// Needs is the scopes a command needs.
type Needs struct {
	Command string   `json:"command"`
	Scopes  []string `json:"scopes"`
}

// Zone is what the checks of one zone found.
type Zone struct {
	Zone    string `json:"zone"`
	Host    string `json:"host"`
	URL     string `json:"url"`
	Builtin bool   `json:"builtin"`
	AdHoc   bool   `json:"adHoc"` // from MAKE_ZONE
	// Moved is a built-in zone the config file points elsewhere.
	Moved              bool   `json:"moved"`
	CredentialSource   string `json:"credentialSource"`
	CredentialVariable string `json:"credentialVariable"`
	CredentialStore    string `json:"credentialStore"` // "" unless stored
	// Accounts counts the zone's stored accounts (which one was checked,
	// the active one or --user's, is known to whoever ran doctor: the
	// report names no user, it may be pasted in public).
	Accounts int `json:"accounts"`
	// Keyring, KernelKeyring and CredentialsFile are "ok" or what went
	// wrong reading the zone's entry (never the entry); KernelKeyring is
	// "not used" where no credential is or would be stored in it (it is
	// not touched then).
	Keyring         string `json:"keyring"`
	KernelKeyring   string `json:"kernelKeyring"`
	CredentialsFile string `json:"credentialsFile"`
	// RoundTripMs is the time of one call of current-authorization; -1
	// when no call was made.
	RoundTripMs int64  `json:"roundTripMs"`
	Call        string `json:"call"` // "ok", "not made" or the error
	// ClockSkewSeconds is the server's clock minus ours (its Date header),
	// null when unknown.
	ClockSkewSeconds *int64   `json:"clockSkewSeconds"`
	Scopes           []string `json:"scopes"`
	// Commands lists, per command, the scopes the credential lacks for it.
	Commands []CommandCheck `json:"commands"`
}

// CommandCheck says whether the credential has the scopes a command needs.
type CommandCheck struct {
	Command string   `json:"command"`
	OK      bool     `json:"ok"`
	Missing []string `json:"missing"`
}

// Checks are what the checks of a zone use.
type Checks struct {
	Store *credentials.Store
	// Choice is the credential_store setting: where login would store.
	Choice credentials.Choice
	Client func(zones.Zone, string) (*makeapi.Client, error)
	Now    func() time.Time
	// Clean makes a message safe to show and to paste: no secret, no
	// control character.
	Clean func(string) string
	// Explain says what a failed call made with the credential means and
	// what to do next (which depends on where the credential came from).
	Explain func(cred credentials.Credential, err error) error
	// User is --user: the stored account to check ("": each zone's
	// active one).
	User string
}

// Run checks every zone of list at once and makes the report.
func Run(ctx context.Context, version buildinfo.Info, cfg Config, list []zones.Zone, c Checks) Report {
	rep := Report{Version: version, Config: cfg, Zones: make([]Zone, len(list)), Problems: []string{}}
	for _, n := range scopes.CommandNeeds() {
		rep.Needs = append(rep.Needs, Needs{Command: n.Command, Scopes: nonNil(n.Scopes)})
	}
	// The record of accounts serves every zone: one that cannot be read
	// hides every stored account, and is said once.
	if len(list) > 0 {
		if _, err := c.Store.RecordedAccounts(list[0].Name); err != nil {
			rep.Problems = append(rep.Problems, c.Clean(err.Error()))
		}
	}
	problems := make([][]string, len(list))
	var wg sync.WaitGroup
	for i := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep.Zones[i], problems[i] = c.Zone(ctx, list[i])
		}()
	}
	wg.Wait()
	for _, p := range problems {
		rep.Problems = append(rep.Problems, p...)
	}
	if p := nothingChecked(rep); p != "" {
		rep.Problems = append(rep.Problems, p)
	}
	return rep
}

// nothingChecked is the problem of a report in which no zone has a
// credential (list, status and token fail there): nothing could be
// checked with Make. It says the next step that can work on this machine,
// for the selected zone (or the one zone checked): log in where a keyring
// works, else to the file, else the variable.
func nothingChecked(rep Report) string {
	if len(rep.Zones) == 0 {
		return ""
	}
	z := rep.Zones[0]
	for _, d := range rep.Zones {
		if d.CredentialSource != string(credentials.SourceNone) {
			return ""
		}
		if d.Zone == rep.Config.Zone {
			z = d
		}
	}
	what := "no zone has a credential"
	if len(rep.Zones) == 1 {
		what = "zone " + z.Zone + " has no credential"
	}
	env := credentials.EnvVar(z.Zone)
	var next string
	switch {
	case z.Keyring == "ok" || z.KernelKeyring == "ok":
		next = fmt.Sprintf("Log in with `maketoken login -z %s` (or set %s)", z.Zone, env)
	case z.CredentialsFile == "ok":
		next = fmt.Sprintf("No keyring can be used here: log in with `maketoken login -z %s --store file` (a file only you can read), or set %s", z.Zone, env)
	default:
		next = fmt.Sprintf("Set %s (see `maketoken help environment`)", env)
	}
	return what + ", so nothing could be checked with Make. " + next
}

// Zone runs the checks of one zone and says what is wrong.
func (c Checks) Zone(ctx context.Context, z zones.Zone) (Zone, []string) {
	d := Zone{Zone: z.Name, Host: z.Host, URL: z.URL, Builtin: z.Builtin, AdHoc: z.AdHoc, Moved: z.Moved(),
		CredentialSource: string(credentials.SourceNone), Keyring: "ok", KernelKeyring: "not used", CredentialsFile: "ok",
		RoundTripMs: -1, Call: "not made (no credential)", Scopes: []string{}, Commands: []CommandCheck{}}
	var problems []string
	problem := func(format string, a ...any) {
		msg := strings.ReplaceAll(fmt.Sprintf(format, a...), "zone "+z.Name+": ", "")
		problems = append(problems, fmt.Sprintf("zone %s: %s", z.Name, msg))
	}
	checks := c.Store.CheckStores(ctx, z, c.Choice)
	kerr, ferr := checks.Keyring, checks.File
	if kerr != nil {
		d.Keyring = c.Clean(kerr.Error())
		if !credentials.KeyringAbsent(kerr) {
			problem("the OS keyring: %s", d.Keyring)
		}
	}
	if ferr != nil {
		d.CredentialsFile = c.Clean(ferr.Error())
		problem("the credentials file: %s", d.CredentialsFile)
	}
	if checks.KernelChecked {
		d.KernelKeyring = "ok"
		if checks.Kernel != nil {
			d.KernelKeyring = c.Clean(checks.Kernel.Error())
			problem("the kernel keyring: %s", d.KernelKeyring)
		}
	}
	accts, recordErr := c.Store.RecordedAccounts(z.Name)
	d.Accounts = len(accts)
	cred, err := c.Store.LookupUser(ctx, z, c.User)
	var (
		moved   *credentials.OriginChangedError
		changed *credentials.UserChangedError
		unknown *credentials.UnknownUserError
		envUser *credentials.EnvUserError
	)
	switch {
	case err == nil:
	case credentials.MustNotSend(err):
		// The zone has a credential, which must not be sent: a problem,
		// whatever the stores said.
		d.CredentialSource, d.CredentialVariable, d.CredentialStore = string(cred.Source), cred.EnvVar, string(cred.Store)
		d.Call = "not made (a malformed credential)"
		switch {
		case errors.As(err, &moved):
			d.Call = "not made (the zone moved since login)"
		case errors.As(err, &changed):
			d.Call = "not made (the credential is another user's)"
		}
		problem("%s", c.Clean(err.Error()))
		return d, problems
	case errors.As(err, &unknown):
		// Not the stored accounts' emails: the report may be pasted in
		// public.
		problem("--user: no account is stored for that user in zone %s", z.Name)
		return d, problems
	case errors.As(err, &envUser):
		problem("%s", c.Clean(err.Error()))
		return d, problems
	default:
		// What a store or the record said is a problem already (see Run).
		if !credentials.IsNotFound(err) && recordErr == nil && kerr == nil && ferr == nil && checks.Kernel == nil {
			problem("finding the credential: %s", c.Clean(err.Error()))
		}
		return d, problems
	}
	d.CredentialSource, d.CredentialVariable, d.CredentialStore = string(cred.Source), cred.EnvVar, string(cred.Store)
	client, err := c.Client(z, cred.Token)
	if err != nil {
		d.Call = c.Clean(err.Error())
		problem("%s", d.Call)
		return d, problems
	}
	before := c.Now()
	probe, err := client.ProbeAuthorization(ctx)
	after := c.Now()
	if probe.RoundTrip > 0 {
		d.RoundTripMs = probe.RoundTrip.Milliseconds()
	}
	if !probe.ServerTime.IsZero() {
		// The Date header has whole seconds: compare with the middle of
		// the call, cut to whole seconds too.
		ours := before.Add(after.Sub(before) / 2).Truncate(time.Second)
		skew := int64(probe.ServerTime.Sub(ours).Round(time.Second) / time.Second)
		d.ClockSkewSeconds = &skew
		if abs := time.Duration(max(skew, -skew)) * time.Second; abs > tokens.SkewLimit {
			problem("the server's clock is %s off this machine's: check the clock (create --ttl and exec --ephemeral warn, prune --expired refuses)", abs)
		}
	}
	if err != nil {
		d.Call = c.Clean(c.Explain(cred, err).Error())
		problem("%s", strings.TrimPrefix(d.Call, "zone "+z.Name+": "))
		return d, problems
	}
	d.Call = "ok"
	d.Scopes = nonNil(probe.Authorization.Scopes)
	for _, n := range scopes.CommandNeeds() {
		missing := scopes.Missing(d.Scopes, n.Scopes...)
		d.Commands = append(d.Commands, CommandCheck{Command: n.Command, OK: len(missing) == 0, Missing: nonNil(missing)})
	}
	return d, problems
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
