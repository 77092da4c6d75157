package cli

import (
	"context"

	"github.com/maketoken/maketoken/internal/buildinfo"
	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/doctor"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/zones"
	"github.com/spf13/cobra"
)

// DoctorOptions are the options of `maketoken doctor`.
type DoctorOptions struct {
	// services' User is --user ("": each zone's active account).
	services
	Build    buildinfo.Linked
	AllZones bool
}

func newDoctorCmd(f *Factory) *cobra.Command {
	opts := &DoctorOptions{services: servicesOf(f), Build: f.Build}
	cmd := &cobra.Command{
		Use: "doctor",
		Long: `Check, for every zone (or only the zone given with -z): whether the OS keyring
and the credentials file can be read (and the kernel keyring, where a
credential is or would be stored in it), where the zone's credential comes from,
one round trip to the zone's API, the server's clock against this machine's,
and the credential's scopes against what each command needs; and the
settings in use. The report holds no secret: paste it into a bug report.

Exits 0 when nothing is wrong, 1 when doctor found a problem (listed under
"problems"; no zone with a credential is one), 2 for bad usage.`,
		Example: `  maketoken doctor
  maketoken doctor -z eu1 -o json`,
		Args: cobra.NoArgs,
		RunE: f.runE(func(ctx context.Context, _ []string) error {
			return RunDoctor(ctx, opts)
		}),
	}
	allZonesFlag(cmd, &opts.AllZones, "check every known zone (the default without -z)")
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
	reg, selected, err := selectedZone(opts.Zones)
	if err != nil {
		return err
	}
	store, err := opts.Store()
	if err != nil {
		return err
	}
	all, err := reg.EveryUnlessNamed(opts.AllZones)
	if err != nil {
		return err
	}
	list := []zones.Zone{selected}
	if all {
		list = reg.All()
	}
	names := make([]string, len(list))
	for i, z := range list {
		names[i] = z.Name
	}
	spinner := opts.IO.StartSpinner("checking " + zonesText(names))
	rep := doctor.Run(ctx, opts.Build.Resolve(), doctor.Config{File: cfg.File, Zone: selected.Name, Timeout: cfg.Timeout.String(),
		KeyringTimeout: cfg.KeyringTimeout.String(), CredentialsFile: cfg.CredentialsFile,
		CredentialStore: cfg.CredentialStore, Debug: cfg.Debug}, list,
		doctor.Checks{Store: store, Choice: credentials.Choice(cfg.CredentialStore), Client: opts.Client, Now: opts.Now,
			Clean:   func(s string) string { return output.Sanitize(opts.IO.Redactor.String(s)) },
			Explain: func(cred credentials.Credential, err error) error { return cmderr.API(cred, err, "") },
			User:    opts.User()})
	spinner.Stop()
	if printer.Format == output.JSON {
		if err := printer.Print(rep, output.Rows{}); err != nil {
			return err
		}
	} else {
		rep.Write(opts.IO.Out, opts.IO.TableWidth())
	}
	if len(rep.Problems) > 0 {
		return cmderr.Silent(cmderr.Failure)
	}
	return nil
}
