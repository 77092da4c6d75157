package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/maketoken/maketoken/internal/credcheck"
	"github.com/maketoken/maketoken/internal/credentials"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/zones"
	"github.com/spf13/cobra"
)

// LoginOptions are the options of `maketoken login`.
type LoginOptions struct {
	// services' User: the token must be that user's ("": anyone's).
	services
	WithToken       bool
	InsecureStorage bool
	// StoreIn is --store: keyring, kernel or file ("" if not given).
	StoreIn string
}

func newLoginCmd(f *Factory) *cobra.Command {
	opts := &LoginOptions{services: servicesOf(f)}
	cmd := &cobra.Command{
		Use: "login",
		Long: `Store the API token maketoken uses for a zone. The token is checked with Make
first (GET /users/me); a token Make rejects is not stored.

A zone can hold several Make users (accounts): a token of a user not stored
yet adds that account and makes it the active one (login names the one that
was active; ` + "`maketoken switch`" + ` goes back); a token of a stored user replaces
that user's credential. With --user EMAIL, a token of anyone else is refused.

Create the token in Make's web app at https://<zone host>/user/api (e.g.
https://eu1.make.com/user/api; your profile, API access). maketoken needs the
scopes user:read (list tokens, check the credential) and user:write (create,
revoke and rotate tokens).

On a terminal maketoken asks for the token without echoing it: it shows how
many characters arrived, asks again on an empty line, and reads only the first
line of a paste (the rest is thrown away). In scripts, pipe it in with
--with-token. The token goes to the OS keyring (macOS Keychain,
Windows Credential Manager, Secret Service on Linux). On Linux without a
Secret Service (an SSH session on a server, WSL 2, a container) it goes to the
kernel keyring instead: kernel memory, never disk, for your user only, until a
reboot or a few days unused (--store kernel chooses it anywhere on Linux).
--store file (or --insecure-storage) keeps it in a plain-text file readable
only by you; maketoken never falls back to that file on its own. The
credential_store setting makes the choice for every login; --store wins over it.

login records the host (origin) of the zone's API URL it checked the token at.
If the config later points the zone elsewhere, maketoken refuses to send the
stored credential there (exit 4) until you run login for the zone again.`,
		Example: `  maketoken login -z eu1
  maketoken login -z us2 --with-token < token.txt
  maketoken login -z eu1 --store kernel
  printf %s "$TOKEN" |
    maketoken login -z celonis-eu1 --with-token --store file`,
		Args: cobra.NoArgs,
		RunE: f.runE(func(ctx context.Context, _ []string) error {
			return RunLogin(ctx, opts)
		}),
	}
	cmd.Flags().BoolVar(&opts.WithToken, "with-token", false, "read the token from standard input")
	cmd.Flags().StringVar(&opts.StoreIn, "store", "", "where to store the token: keyring (the OS keyring), kernel (the Linux kernel keyring) or file (plain text, mode 0600)")
	cmd.Flags().BoolVar(&opts.InsecureStorage, "insecure-storage", false, "the same as --store file")
	_ = cmd.RegisterFlagCompletionFunc("store", cobra.FixedCompletions([]string{"keyring", "kernel", "file"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// RunLogin verifies a token and stores it as the selected zone's credential.
func RunLogin(ctx context.Context, opts *LoginOptions) error {
	zone, store, err := opts.selected()
	if err != nil {
		return err
	}
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	choice, err := cfg.StoreChoice(opts.StoreIn, opts.InsecureStorage)
	if err != nil {
		return err
	}
	where, auto, err := store.Destination(ctx, zone, credentials.Choice(choice))
	if err != nil {
		return err
	}
	// Before asking for a token: a keyring that cannot be used fails now,
	// not after the token was pasted and checked with Make.
	if _, _, err := store.Stored(ctx, zone, where); err != nil {
		return err
	}
	if !opts.WithToken && opts.IO.InTTY {
		loginGuide(ctx, opts.IO, store, zone)
	}
	token, err := readLoginToken(ctx, opts.IO, zone.Name, zone.Host, opts.WithToken)
	if err != nil {
		return err
	}
	opts.IO.Redactor.Add(token)

	client, err := opts.Client(zone, token)
	if err != nil {
		return err
	}
	spinner := opts.IO.StartSpinner("checking the token with zone " + zone.Name)
	checked, err := credcheck.Login(ctx, client, zone, token, opts.User(), time.Now)
	spinner.Stop()
	if err != nil {
		return err
	}

	// Saving records where the credential was checked: it is sent
	// nowhere else.
	saved, err := store.Login(ctx, zone, checked.User, token, where)
	if err != nil {
		return err
	}
	place := where.Name()
	if where == credentials.KindFile {
		place = "the plain-text file " + cfg.CredentialsFile
	}
	opts.IO.Result(true, "Logged in to zone %s (%s) as %s; the credential is stored in %s.", zone.Name, zone.Host, checked.Who, place)
	if where == credentials.KindKernel {
		// Where it went when nobody chose, and what ends it: one line.
		why := "In the kernel keyring"
		if auto {
			why = "No Secret Service could be reached, so it went to the kernel keyring (kernel memory, never disk, for your user only)"
		}
		opts.IO.Say("%s: %s.", why, credentials.KernelEnds())
	}
	switch me, was := output.Printable(saved.Account.Who()), saved.Previous; {
	case was != nil && !saved.Replaced:
		opts.IO.Say("Added %s to zone %s's accounts, as the active one (it was %s; `maketoken switch -z %s` switches back).", me, zone.Name, output.Printable(was.Who()), zone.Name)
	case was != nil:
		opts.IO.Say("%s is zone %s's active account again (it was %s).", me, zone.Name, output.Printable(was.Who()))
	}
	if old := saved.Old; saved.Replaced && old != "" && old != token {
		p := makeapi.Prefix(old)
		opts.IO.Say("It replaced the credential stored before (%s…), which still works at Make; revoke it with `maketoken revoke -z %s --prefix %s` if nobody needs it.", p, zone.Name, p)
	}
	if checked.ListErr != nil {
		opts.IO.Note("zone %s: could not list the zone's tokens to see whether the credential's label carries a lifetime (%s)", zone.Name, strings.TrimPrefix(checked.ListErr.Error(), "zone "+zone.Name+": "))
	}
	if !checked.Ends.IsZero() {
		// A token labelled with a lifetime is revoked by the first
		// `prune --expired` after it: said once it is stored.
		warnCredentialLifetime(opts.IO, zone.Name, "the credential maketoken uses", checked.Label, checked.Ends, checked.Now)
	}
	if v, ok := store.EnvVarOf(zone.Name); ok {
		opts.IO.Warnf("%s is set and takes precedence over the stored credential for zone %s", v, zone.Name)
	}
	return nil
}

// loginGuide tells a person at a terminal where a token comes from, which
// scopes maketoken needs, and what happens to the zone's stored accounts:
// a token of one of their users replaces its credential, another user's
// is added.
func loginGuide(ctx context.Context, ios *iostreams.IOStreams, store *credentials.Store, zone zones.Zone) {
	ios.Say("Create an API token for zone %s at %s (your profile, API access). maketoken needs its scopes user:read (list tokens, check the credential) and user:write (create, revoke, rotate).",
		zone.Name, zone.WebOrigin()+"/user/api")
	accts, err := store.Accounts(ctx, zone)
	switch {
	case err != nil || len(accts) == 0:
	case len(accts) == 1:
		a := accts[0]
		c, err := store.LookupUser(ctx, zone, strconv.FormatInt(a.ID, 10))
		if credentials.IsNotFound(err) {
			// Its credential is not where it was stored (another
			// credentials file): there is nothing to replace.
			break
		}
		prefix := ""
		if err == nil {
			prefix = " (" + makeapi.Prefix(c.Token) + "…)"
		}
		ios.Warnf("zone %s already has a credential of %s in %s%s: a token of that user replaces it; another user's is added beside it", zone.Name, output.Printable(a.Who()), a.Store.Name(), prefix)
	default:
		names := make([]string, len(accts))
		for i, a := range accts {
			names[i] = output.Printable(a.Who())
			if a.Active {
				names[i] += " (active)"
			}
		}
		ios.Warnf("zone %s has %d accounts: %s; a token of one of them replaces its credential, another user's is added", zone.Name, len(accts), strings.Join(names, ", "))
	}
}

// readLoginToken reads the token (see IOStreams.ReadToken) and holds it
// to the shape of a token.
func readLoginToken(ctx context.Context, ios *iostreams.IOStreams, zone, host string, withToken bool) (string, error) {
	raw, err := ios.ReadToken(ctx, withToken, fmt.Sprintf("Paste the Make API token for zone %s (%s); it will not be shown: ", zone, host),
		fmt.Sprintf("no terminal to ask for the token on; pipe it in with --with-token (e.g. `maketoken login -z %s --with-token < token.txt`)", zone))
	if err != nil {
		return "", err
	}
	token := strings.TrimSpace(raw)
	if err := credentials.CheckTokenShape(token); err != nil {
		return "", &cmderr.Error{Code: cmderr.Usage, Err: err}
	}
	return token, nil
}
