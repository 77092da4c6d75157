package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

// TokenOptions are the options of `maketoken token`.
type TokenOptions struct {
	services
}

func newTokenCmd(f *Factory) *cobra.Command {
	opts := &TokenOptions{services: servicesOf(f)}
	return &cobra.Command{
		Use: "token",
		Long: `Print the credential maketoken holds for the zone, for use in scripts:

  MAKE_API_KEY=$(maketoken token -z eu1) make-cli ...

Prefer ` + "`maketoken exec`" + `, which keeps the token off command lines and out
of shell history.`,
		Args: cobra.NoArgs,
		RunE: f.runE(func(ctx context.Context, _ []string) error {
			return RunToken(ctx, opts)
		}),
	}
}

// RunToken prints the selected zone's credential on stdout.
func RunToken(ctx context.Context, opts *TokenOptions) error {
	zc, err := opts.Credential(ctx)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(opts.IO.Out, zc.Credential.Token)
	return err
}
