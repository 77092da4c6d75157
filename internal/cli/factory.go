package cli

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/maketoken/maketoken/internal/buildinfo"
	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/config"
	"github.com/maketoken/maketoken/internal/credcheck"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/redact"
	"github.com/maketoken/maketoken/internal/runctx"
	"github.com/maketoken/maketoken/internal/scopecache"
	"github.com/maketoken/maketoken/internal/zones"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Deps are what the commands take from the outside world. Tests replace
// any of them; Main fills in the rest from the real system.
type Deps struct {
	IO      *iostreams.IOStreams
	Getenv  func(string) string
	Environ func() []string
	// Keyring is the OS keyring; nil means the real one.
	Keyring credentials.Keyring
	// KernelKeyring is the Linux kernel keyring; nil means the user's
	// persistent keyring (tests give a keyring of their own).
	KernelKeyring credentials.Keyring
	Transport     http.RoundTripper // nil: the default transport
	Now           func() time.Time
	Build         buildinfo.Linked
}

// Factory builds, on first use only, the services commands share: the
// settings, the zones, the credential store and the zone's credential, the
// HTTP client and API clients, the printer and the command's context. A
// command takes them into its Options as services (servicesOf); one that
// calls none of them (version, help) touches no file, keyring or network.
// The Factory holds no command's logic.
type Factory struct {
	Deps
	flags    *pflag.FlagSet // the global flags
	started  bool           // a command's run began (cobra's checks passed)
	Redactor *redact.Redactor

	cfgOnce sync.Once
	cfg     *config.Config
	cfgErr  error

	regOnce sync.Once
	reg     *config.Zones
	regErr  error

	storeOnce sync.Once
	store     *credentials.Store

	httpOnce sync.Once
	http     *http.Client

	helpDone map[*cobra.Command]bool // helpText
	// versionErr is the failed write of --version's output (printVersion).
	versionErr error

	signals runctx.Signals // signals end CommandContext's contexts
	// runCtx is the context CommandContext made last: it bounds --jq.
	runCtx context.Context
}

// Config returns the settings of this run.
func (f *Factory) Config() (*config.Config, error) {
	f.cfgOnce.Do(func() {
		f.cfg, f.cfgErr = config.Load(f.flags, f.Getenv)
		if f.cfg != nil {
			for _, w := range f.cfg.Warnings {
				f.IO.Warn(w)
			}
		}
	})
	return f.cfg, f.cfgErr
}

// Zones returns the zones this run knows, the selected one and how it was
// chosen (see config.Zones: the one place that decides).
func (f *Factory) Zones() (*config.Zones, error) {
	f.regOnce.Do(func() {
		cfg, err := f.Config()
		if err != nil {
			f.regErr = err
			return
		}
		f.reg, f.regErr = cfg.ResolveZones()
	})
	return f.reg, f.regErr
}

// Selection is the zone chosen by --zone, MAKETOKEN_ZONE, MAKE_ZONE, the
// config file, or the default, with what chose it.
func (f *Factory) Selection() (config.Selection, error) {
	reg, err := f.Zones()
	if err != nil {
		return config.Selection{}, err
	}
	return reg.Selection()
}

// Store returns the credential store: the one way to a zone's credential
// (see credentials.Store), which also keeps the record of the origin each
// stored credential was checked at, in maketoken's config folder.
func (f *Factory) Store() (*credentials.Store, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	reg, err := f.Zones()
	if err != nil {
		return nil, err
	}
	f.storeOnce.Do(func() {
		makeZone := reg.APIKeyZone()
		if makeZone == "" && strings.TrimSpace(f.Getenv("MAKE_API_KEY")) != "" {
			f.IO.Note("MAKE_API_KEY ignored: say its zone with MAKE_ZONE or -z")
		}
		record, accounts := "", ""
		if dir, err := config.Dir(f.Getenv); err == nil {
			record = filepath.Join(dir, "credential-hosts.json")
			accounts = filepath.Join(dir, "accounts.json")
		}
		f.store = credentials.NewStore(credentials.Options{
			Keyring:        f.Keyring,
			KernelKeyring:  f.KernelKeyring,
			KeyringTimeout: cfg.KeyringTimeout,
			File:           cfg.CredentialsFile,
			Record:         record,
			Accounts:       accounts,
			Identify:       credcheck.Identifier(f.Client),
			Getenv:         f.Getenv,
			Warn:           f.IO.Warn,
			Found:          f.Redactor.Add,
			MakeZone:       makeZone,
		})
	})
	return f.store, nil
}

// HTTPClient is the one HTTP client of this command, shared by every
// call and zone so that connections are reused.
func (f *Factory) HTTPClient() *http.Client {
	f.httpOnce.Do(func() {
		cfg, _ := f.Config()
		rt := f.Transport
		if rt == nil {
			rt = makeapi.NewHTTPClient(nil, 0).Transport
		}
		if cfg != nil && cfg.Debug {
			rt = &makeapi.TraceTransport{Base: rt, W: f.IO.ErrOut, Redactor: f.Redactor}
		}
		f.http = makeapi.NewHTTPClient(rt, 0)
	})
	return f.http
}

// Client returns an API client for the zone that authenticates with token.
func (f *Factory) Client(zone zones.Zone, token string) (*makeapi.Client, error) {
	return f.newClient(zone, token, makeapi.Options{})
}

// services are what the commands take from the Factory into their
// Options (see each newXCmd): the terminal, the settings, the zones, the
// credential store, the selected zone's credential, the zones a command
// works on, API clients, the printer, --user, the scope cache, the clock,
// and what a command run by maketoken gets. Each is made on first use
// only: a command touches no file, keyring or network it does not call
// for. Tests replace any of them.
type services struct {
	IO         *iostreams.IOStreams
	Config     func() (*config.Config, error)
	Zones      func() (*config.Zones, error)
	Selection  func() (config.Selection, error)
	Store      func() (*credentials.Store, error)
	Credential func(context.Context) (credentials.Target, error)
	// Targets are the zones a command works on (Factory.Targets; status
	// takes every stored account's, Factory.AccountTargets).
	Targets func(ctx context.Context, all bool) ([]credentials.Target, error)
	// Client makes an API client (prune's is Factory.BulkClient).
	Client  func(zones.Zone, string) (*makeapi.Client, error)
	Printer func() (*output.Printer, error)
	// User is --user ("": the zone's active account, unless the command
	// says otherwise).
	User  func() string
	Cache scopecache.Cache
	Now   func() time.Time
	// Environ and Signals are for a command maketoken runs: its
	// environment, and the owner of the signals it may get.
	Environ func() []string
	Signals *runctx.Signals
}

// servicesOf takes the services from f.
func servicesOf(f *Factory) services {
	return services{IO: f.IO, Config: f.Config, Zones: f.Zones, Selection: f.Selection, Store: f.Store,
		Credential: f.Credential, Targets: f.Targets, Client: f.Client, Printer: f.Printer,
		User: func() string { return userFlag(f.flags) }, Cache: f.ScopeCache(), Now: f.Now,
		Environ: f.Environ, Signals: &f.signals}
}

// start is how a command that prints about zones begins: the printer for
// its result and the zones it works on (all: every zone, see
// Factory.Targets; else the selected zone alone).
func (s services) start(ctx context.Context, all bool) (*output.Printer, []credentials.Target, error) {
	p, err := s.Printer()
	if err != nil {
		return nil, nil, err
	}
	t, err := s.Targets(ctx, all)
	return p, t, err
}

// selected is how the commands about a zone's stored accounts (login,
// switch) begin: the selected zone and the credential store.
func (s services) selected() (zones.Zone, *credentials.Store, error) {
	sel, err := s.Selection()
	if err != nil {
		return zones.Zone{}, nil, err
	}
	st, err := s.Store()
	return sel.Zone, st, err
}

// zoneClient is the opening of a command that acts on the selected zone:
// its credential (see Factory.Credential) and a client that uses it.
func (s services) zoneClient(ctx context.Context) (credentials.Target, *makeapi.Client, error) {
	zc, err := s.Credential(ctx)
	if err != nil {
		return zc, nil, err
	}
	client, err := s.Client(zc.Zone, zc.Credential.Token)
	return zc, client, err
}

// bulkRateLimitRetries is how often one call of a bulk client may meet a
// 429. A large prune under Make's per-minute limit meets many; the
// command's --timeout is the real bound.
const bulkRateLimitRetries = 1000

// BulkClient is Client for many calls at once (prune): its requests wait
// together while Make's rate limit is in force, and ride out many 429s.
func (f *Factory) BulkClient(zone zones.Zone, token string) (*makeapi.Client, error) {
	policy := makeapi.DefaultRetry()
	policy.MaxRateLimitRetries = bulkRateLimitRetries
	return f.newClient(zone, token, makeapi.Options{RateGate: true, Retry: &policy})
}

// newClient makes a client that says on stderr when it waits to try a
// call again.
func (f *Factory) newClient(zone zones.Zone, token string, opts makeapi.Options) (*makeapi.Client, error) {
	f.Redactor.Add(token)
	opts.HTTPClient = f.HTTPClient()
	opts.UserAgent = f.Build.UserAgent()
	opts.OnRetry = func(ev makeapi.RetryEvent) {
		cfg, _ := f.Config()
		debug := cfg != nil && cfg.Debug
		// At a terminal the progress line counts the pause down: a
		// retry adds no line (--debug, which traces every call, does).
		if p := f.IO.ActiveProgress(); p != nil {
			p.Wait(ev.Wait, ev.Why(zone.Name))
			if !debug {
				return
			}
		}
		if debug || f.IO.ErrTTY {
			f.IO.Note("zone %s: %s", zone.Name, ev.String())
		}
	}
	return makeapi.New(zone.URL, token, opts)
}

// Printer returns the printer for --output/--jq.
func (f *Factory) Printer() (*output.Printer, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	jqExpr, _ := f.flags.GetString("jq")
	code, err := output.ParseJQ(jqExpr)
	if err != nil {
		return nil, &cmderr.Error{Code: cmderr.Usage, Err: err}
	}
	return &output.Printer{Out: f.IO.Out, Format: output.Format(cfg.Output, jqExpr, f.IO.OutTTY), Unasked: cfg.Output == "" && jqExpr == "",
		JQ: code, Width: f.IO.TableWidth(), Ctx: f.runCtx, Terminal: f.IO.OutTTY, Style: f.IO.OutStyle()}, nil
}

// CommandContext is a command's context: it ends at --timeout (whose
// clock stops while a prompt waits for a person) and on any signal of the
// model (SIGINT, SIGTERM, SIGHUP, SIGQUIT), which are caught from the
// command's first wait on something outside (see runctx).
func (f *Factory) CommandContext(ctx context.Context) (*runctx.Context, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	c := f.signals.Context(ctx, cfg.Timeout)
	f.runCtx = c
	return c, nil
}

// runE makes a run function a cobra RunE. It is the one place that gives
// a command its context: bounded by --timeout and ended by any signal of
// the model (see CommandContext), so that run functions only orchestrate.
func (f *Factory) runE(run func(ctx context.Context, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		ctx, err := f.CommandContext(cmd.Context())
		if err != nil {
			return err
		}
		// The process exits right after: signals stay caught (runctx).
		defer ctx.End()
		return run(ctx, args)
	}
}
