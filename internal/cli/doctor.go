package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/config"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/redact"
	"github.com/maketoken/maketoken/internal/scopes"
	"github.com/maketoken/maketoken/internal/tokens"
	"github.com/maketoken/maketoken/internal/zones"
	"github.com/spf13/cobra"
)

// DoctorOptions are the options of `maketoken doctor`.
type DoctorOptions struct {
	IO       *iostreams.IOStreams
	Config   func() (*config.Config, error)
	Printer  func() (*output.Printer, error)
	Zones    func() (*config.Zones, error)
	Store    func() (*credentials.Store, error)
	Client   func(zones.Zone, string) (*makeapi.Client, error)
	Now      func() time.Time
	Redactor *redact.Redactor
	Build    BuildInfo
	AllZones bool
}

type doctorReport struct {
	Version  versionRecord  `json:"version"`
	Config   doctorConfig   `json:"config"`
	Zones    []doctorZone   `json:"zones"`
	Problems []string       `json:"problems"`
	Needs    []commandNeeds `json:"needs"`
}

type doctorConfig struct {
	File            string `json:"file"` // "" when none is in use
	Zone            string `json:"zone"` // the selected zone
	Timeout         string `json:"timeout"`
	KeyringTimeout  string `json:"keyringTimeout"`
	CredentialsFile string `json:"credentialsFile"`
	// CredentialStore is the credential_store setting ("" for none).
	CredentialStore string `json:"credentialStore"`
	Debug           bool   `json:"debug"`
}

type commandNeeds struct {
	Command string   `json:"command"`
	Scopes  []string `json:"scopes"`
}

type doctorZone struct {
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
	Commands []commandCheck `json:"commands"`
}

type commandCheck struct {
	Command string   `json:"command"`
	OK      bool     `json:"ok"`
	Missing []string `json:"missing"`
}

func newDoctorCmd(f *Factory) *cobra.Command {
	opts := &DoctorOptions{IO: f.IO, Config: f.Config, Printer: f.Printer, Zones: f.Zones, Store: f.Store,
		Client: f.Client, Now: f.Now, Redactor: f.Redactor, Build: f.Build}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check what works in each zone, for a bug report (no secrets)",
		Long: `Check, for every zone (or only the zone given with -z): whether the OS keyring
and the credentials file can be read (and the kernel keyring, where a
credential is or would be stored in it), where the zone's credential comes from,
one round trip to the zone's API, the server's clock against this machine's,
and the credential's scopes against what each command needs; and the
settings in use. The report holds no secret: paste it into a bug report.

Exits 0 when nothing is wrong, 1 when doctor found a problem (listed under
"problems"), 2 for bad usage.`,
		Example: `  maketoken doctor
  maketoken doctor -z eu1 -o json`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			return exclusiveFlags(cmd, "zone", "all-zones")
		},
		RunE: f.runE(func(ctx context.Context, _ []string) error {
			return RunDoctor(ctx, opts)
		}),
	}
	cmd.Flags().BoolVar(&opts.AllZones, "all-zones", false, "check every known zone (the default without -z)")
	return cmd
}

// RunDoctor checks the selected zone, or every known zone, and prints the
// report.
func RunDoctor(ctx context.Context, opts *DoctorOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	printer, err := opts.Printer()
	if err != nil {
		return err
	}
	reg, err := opts.Zones()
	if err != nil {
		return err
	}
	selected, err := reg.Selected()
	if err != nil {
		return err
	}
	store, err := opts.Store()
	if err != nil {
		return err
	}
	all, err := everyZoneUnlessNamed(opts.Zones, opts.AllZones)
	if err != nil {
		return err
	}
	list := []zones.Zone{selected}
	if all {
		list = reg.All()
	}
	rep := doctorReport{
		Version: resolveBuild(opts.Build),
		Config: doctorConfig{File: cfg.File, Zone: selected.Name, Timeout: cfg.Timeout.String(),
			KeyringTimeout: cfg.KeyringTimeout.String(), CredentialsFile: cfg.CredentialsFile,
			CredentialStore: cfg.CredentialStore, Debug: cfg.Debug},
		Zones:    make([]doctorZone, len(list)),
		Problems: []string{},
	}
	for _, n := range scopes.CommandNeeds() {
		rep.Needs = append(rep.Needs, commandNeeds{Command: n.Command, Scopes: nonNil(n.Scopes)})
	}
	problems := make([][]string, len(list))
	parallel(len(list), func(i int) error {
		rep.Zones[i], problems[i] = checkZone(ctx, opts, store, list[i], credentials.Choice(cfg.CredentialStore))
		return nil
	})
	for _, p := range problems {
		rep.Problems = append(rep.Problems, p...)
	}
	if printer.Format == output.JSON {
		if err := printer.Print(rep, output.Rows{}); err != nil {
			return err
		}
	} else {
		writeDoctorReport(opts.IO.Out, rep)
	}
	if len(rep.Problems) > 0 {
		return errSilent(ExitFailure)
	}
	return nil
}

// checkZone runs the checks of one zone and says what is wrong.
func checkZone(ctx context.Context, opts *DoctorOptions, store *credentials.Store, z zones.Zone, choice credentials.Choice) (doctorZone, []string) {
	d := doctorZone{Zone: z.Name, Host: z.Host, URL: z.URL, Builtin: z.Builtin, AdHoc: z.AdHoc, Moved: z.Moved(),
		CredentialSource: string(credentials.SourceNone), Keyring: "ok", KernelKeyring: "not used", CredentialsFile: "ok",
		RoundTripMs: -1, Call: "not made (no credential)", Scopes: []string{}, Commands: []commandCheck{}}
	var problems []string
	problem := func(format string, a ...any) {
		msg := strings.ReplaceAll(fmt.Sprintf(format, a...), "zone "+z.Name+": ", "")
		problems = append(problems, fmt.Sprintf("zone %s: %s", z.Name, msg))
	}
	checks := store.CheckStores(ctx, z, choice)
	kerr, ferr := checks.Keyring, checks.File
	if kerr != nil {
		d.Keyring = clean(opts.Redactor, kerr.Error())
		var ke *credentials.KeyringError
		if !errors.As(kerr, &ke) || ke.IsTimeout() {
			problem("the OS keyring: %s", d.Keyring)
		}
	}
	if ferr != nil {
		d.CredentialsFile = clean(opts.Redactor, ferr.Error())
		problem("the credentials file: %s", d.CredentialsFile)
	}
	if checks.KernelChecked {
		d.KernelKeyring = "ok"
		if checks.Kernel != nil {
			d.KernelKeyring = clean(opts.Redactor, checks.Kernel.Error())
			problem("the kernel keyring: %s", d.KernelKeyring)
		}
	}
	cred, err := store.Lookup(ctx, z)
	var moved *credentials.OriginChangedError
	switch {
	case err == nil:
	case errors.As(err, &moved), failedZone(err):
		// The zone has a credential, which must not be sent: a problem,
		// whatever the stores said.
		d.CredentialSource, d.CredentialVariable, d.CredentialStore = string(cred.Source), cred.EnvVar, string(cred.Store)
		d.Call = "not made (a malformed credential)"
		if moved != nil {
			d.Call = "not made (the zone moved since login)"
		}
		problem("%s", clean(opts.Redactor, err.Error()))
		return d, problems
	default:
		if !isNotFound(err) && kerr == nil && ferr == nil && checks.Kernel == nil {
			problem("finding the credential: %s", clean(opts.Redactor, err.Error()))
		}
		return d, problems
	}
	d.CredentialSource, d.CredentialVariable, d.CredentialStore = string(cred.Source), cred.EnvVar, string(cred.Store)
	client, err := opts.Client(z, cred.Token)
	if err != nil {
		d.Call = clean(opts.Redactor, err.Error())
		problem("%s", d.Call)
		return d, problems
	}
	before := opts.Now()
	probe, err := client.ProbeAuthorization(ctx)
	after := opts.Now()
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
		d.Call = clean(opts.Redactor, apiError(z.Name, err, "").Error())
		problem("%s", strings.TrimPrefix(d.Call, "zone "+z.Name+": "))
		return d, problems
	}
	d.Call = "ok"
	d.Scopes = nonNil(probe.Authorization.Scopes)
	for _, n := range scopes.CommandNeeds() {
		missing := scopes.Missing(d.Scopes, n.Scopes...)
		d.Commands = append(d.Commands, commandCheck{Command: n.Command, OK: len(missing) == 0, Missing: nonNil(missing)})
	}
	return d, problems
}

// clean makes a message safe to show and to paste: no secret, no control
// characters.
func clean(r *redact.Redactor, s string) string { return output.Sanitize(r.String(s)) }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// brief shortens a check's message to its first clause, for the zone's
// section; the problems list at the end has it in full.
func brief(msg, zone string) string {
	msg = strings.TrimPrefix(msg, "zone "+zone+": ")
	if i := strings.IndexAny(msg, ";("); i > 0 {
		msg = strings.TrimSpace(msg[:i])
	}
	if r := []rune(msg); len(r) > 60 {
		msg = string(r[:59]) + "…"
	}
	return msg
}

// writeDoctorReport writes the report for a person: short lines, the
// problems last.
func writeDoctorReport(w io.Writer, r doctorReport) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	p("maketoken doctor: a report for a bug report; it holds no secret.")
	p("")
	p("maketoken %s (%s, %s)", r.Version.Version, r.Version.Platform, r.Version.GoVersion)
	file := r.Config.File
	if file == "" {
		file = "none"
	}
	p("config file       %s", output.Sanitize(file))
	p("selected zone     %s", r.Config.Zone)
	p("timeouts          command %s, keyring %s", r.Config.Timeout, r.Config.KeyringTimeout)
	p("credentials file  %s", output.Sanitize(r.Config.CredentialsFile))
	storeSetting := r.Config.CredentialStore
	if storeSetting == "" {
		storeSetting = "not set"
	}
	p("credential store  %s", storeSetting)
	for _, z := range r.Zones {
		p("")
		kind := "private instance from MAKE_ZONE"
		switch {
		case z.Moved:
			kind = "built-in, its URL from the config file"
		case z.Builtin:
			kind = "built-in"
		case !z.AdHoc:
			kind = "from the config file"
		}
		p("zone %s (%s, %s)", z.Zone, output.Sanitize(z.Host), kind)
		p("  url          %s", output.Sanitize(z.URL))
		p("  keyring      %s", brief(z.Keyring, z.Zone))
		if z.KernelKeyring != "not used" {
			p("  kernel       %s", brief(z.KernelKeyring, z.Zone))
		}
		p("  cred. file   %s", brief(z.CredentialsFile, z.Zone))
		p("  credential   %s", credentialWhere(z.CredentialSource, z.CredentialVariable, z.CredentialStore, output.Table))
		if z.RoundTripMs >= 0 {
			p("  round trip   %d ms, %s", z.RoundTripMs, brief(z.Call, z.Zone))
		} else {
			p("  round trip   %s", z.Call)
		}
		switch {
		case z.ClockSkewSeconds != nil:
			p("  clock        the server's is %+ds from ours", *z.ClockSkewSeconds)
		case z.RoundTripMs >= 0:
			p("  clock        unknown (no Date header)")
		}
		if z.Call != "ok" {
			continue
		}
		p("  scopes       %s", output.ScopeCount(z.Scopes))
		// Commands grouped by what the credential lacks for them.
		var order []string
		groups := map[string][]string{}
		for _, c := range z.Commands {
			key := "ok"
			if !c.OK {
				key = "lacks " + strings.Join(c.Missing, ", ")
			}
			if groups[key] == nil {
				order = append(order, key)
			}
			groups[key] = append(groups[key], c.Command)
		}
		label := "  commands     "
		for _, key := range order {
			for _, line := range wrapWords(key+": "+strings.Join(groups[key], ", "), reportWidth-len(label)) {
				p("%s%s", label, line)
				label = "               "
			}
		}
	}
	p("")
	if len(r.Problems) == 0 {
		p("No problems found.")
		return
	}
	p("Problems:")
	for _, pr := range r.Problems {
		for i, line := range wrapWords(pr, reportWidth-2) {
			if i == 0 {
				p("- %s", line)
			} else {
				p("  %s", line)
			}
		}
	}
}

// reportWidth is the width doctor's report fits, for a terminal and for
// the text box of a bug tracker.
const reportWidth = 80

// wrapWords breaks s into lines of at most width bytes at spaces; a word
// longer than width stays whole on its own line.
func wrapWords(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}
