package cli

import (
	"fmt"

	"github.com/maketoken/maketoken/internal/buildinfo"
	"github.com/maketoken/maketoken/internal/iostreams"
	"github.com/spf13/cobra"
)

// VersionOptions are the options of `maketoken version`.
type VersionOptions struct {
	IO    *iostreams.IOStreams
	Build buildinfo.Linked
}

func newVersionCmd(f *Factory) *cobra.Command {
	opts := &VersionOptions{IO: f.IO, Build: f.Build}
	return &cobra.Command{
		Use:  "version",
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return RunVersion(opts)
		},
	}
}

// RunVersion prints the version. It reads no config file, keyring or
// network: it must answer instantly anywhere.
func RunVersion(opts *VersionOptions) error {
	fmt.Fprintln(opts.IO.Out, opts.Build.Resolve())
	return nil
}
