package cli

import (
	"context"
	"errors"
	"strconv"

	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/spf13/cobra"
)

// ZonesOptions are the options of `maketoken zones`.
type ZonesOptions struct {
	services
}

type zoneRecord struct {
	Name             string `json:"name"`
	Host             string `json:"host"`
	URL              string `json:"url"`
	Builtin          bool   `json:"builtin"`
	Default          bool   `json:"default"`
	CredentialSource string `json:"credentialSource"` // env, keyring, file or none
	// CredentialVariable names the variable when the source is env.
	CredentialVariable string `json:"credentialVariable"`
	// CredentialStore names the store of a stored credential
	// (secret-service, keychain, wincred, kernel, file); "" otherwise.
	CredentialStore string `json:"credentialStore"`
	// Accounts counts the zone's stored accounts (a credential from the
	// environment overrides them, but they are there).
	Accounts int `json:"accounts"`
}

// credentialWhere is a credential's place as a row shows it: in a table the
// source with the variable's name when it is one ("env (MAKE_API_KEY)"),
// and "kernel keyring" for the kernel keyring; in TSV the source alone, as
// in JSON (env, keyring, file or none).
func credentialWhere(source, variable, store, format string) string {
	if format != output.Table {
		return source
	}
	return credentials.Credential{Source: credentials.Source(source), EnvVar: variable, Store: credentials.Kind(store)}.Where()
}

func newZonesCmd(f *Factory) *cobra.Command {
	opts := &ZonesOptions{services: servicesOf(f)}
	return &cobra.Command{
		Use: "zones",
		Long: `List Make's zones (and those added in the config file) with their API URLs,
which one is the default, where each zone's credential comes from (env,
keyring, file or none), and how many accounts are stored for it (ACCOUNTS;
see ` + "`maketoken switch`" + `). zones asks Make nothing.`,
		Args: cobra.NoArgs,
		RunE: f.runE(func(ctx context.Context, _ []string) error {
			return RunZones(ctx, opts)
		}),
	}
}

// RunZones lists the zones.
func RunZones(ctx context.Context, opts *ZonesOptions) error {
	reg, selected, err := selectedZone(opts.Zones)
	if err != nil {
		return err
	}
	printer, err := opts.Printer()
	if err != nil {
		return err
	}
	store, err := opts.Store()
	if err != nil {
		return err
	}
	noteAdHocZones(opts.IO, opts.Zones)
	all := reg.All()
	places, failed := store.WhereEach(ctx, all)
	records := make([]zoneRecord, len(all))
	for i, z := range all {
		p := places[i]
		records[i] = zoneRecord{Name: z.Name, Host: z.Host, URL: z.URL, Builtin: z.Builtin, Default: z.Name == selected.Name,
			CredentialSource: string(p.Source), CredentialVariable: p.EnvVar, CredentialStore: string(p.Store), Accounts: p.Accounts}
	}
	// One note says it for every zone. What may hide credentials the user
	// expects (a keyring that did not answer, a record that cannot be
	// read) gets the full warning; a keyring that is simply absent (a
	// server, a CI job) a short note.
	if failed != nil {
		var ke *credentials.KeyringError // set for every kind but SkipMayHide
		errors.As(failed, &ke)
		switch credentials.SkipKindOf(failed) {
		case credentials.SkipMayHide:
			opts.IO.Warn(failed.Error())
		case credentials.SkipKernelUnusable:
			opts.IO.Note("the kernel keyring cannot be used here (%s); credentials stored in it are not shown.", ke.Err)
		case credentials.SkipNoKeyring:
			others := "the environment and the credentials file"
			if credentials.KernelKeyringHere() {
				others = "the environment, the kernel keyring and the credentials file"
			}
			opts.IO.Note("the OS keyring is unavailable (%s); only credentials from %s are shown.", ke.Err, others)
		}
	}
	// A narrow terminal shows where a credential comes from without the
	// variable's name, and leaves out a URL that only says what the host
	// does (https://HOST/api/v2); other URLs are cut last.
	rows := output.Rows{Headers: []string{"ZONE", "HOST", "URL", "DEFAULT", "CREDENTIAL", "ACCOUNTS"},
		Flexible: []bool{false, true, true, false, true, false},
		Dim:      []bool{false, false, true, false, false, false}}
	if printer.Format != output.Table {
		rows.Headers = output.TSVColumns("zones")
	}
	for _, r := range records {
		row := []string{r.Name, r.Host, r.URL, output.Bool(r.Default, printer.Format), credentialWhere(r.CredentialSource, r.CredentialVariable, r.CredentialStore, printer.Format), strconv.Itoa(r.Accounts)}
		var url []string
		if r.URL == "https://"+r.Host+"/api/v2" || r.URL == "http://"+r.Host+"/api/v2" {
			url = []string{""}
		}
		rows.Rows = append(rows.Rows, row)
		rows.Forms = append(rows.Forms, [][]string{nil, nil, url, nil, nil, nil})
		rows.Short = append(rows.Short, []string{"", "", "", "", r.CredentialSource, ""})
	}
	return printer.Print(records, rows)
}
