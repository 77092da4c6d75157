package cli

import (
	"github.com/maketoken/maketoken/internal/cmderr"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Flags that several commands share, and the one check of flags that
// exclude each other.

// changeFlags are the flags of a command that changes tokens: --yes, and
// --dry-run where it has one.
type changeFlags struct {
	Yes    bool
	DryRun bool
}

// register adds --yes, and --dry-run with its help unless that is empty.
func (c *changeFlags) register(fl *pflag.FlagSet, dryRunHelp string) {
	fl.BoolVarP(&c.Yes, "yes", "y", false, "do not ask for confirmation")
	if dryRunHelp != "" {
		fl.BoolVar(&c.DryRun, "dry-run", false, dryRunHelp)
	}
}

// exclusiveFlags is the one check of two flags that exclude each other,
// with one wording. A global flag is named by its short form (-z), as the
// documentation names it; a command's own flags by their long form.
func exclusiveFlags(cmd *cobra.Command, a, b string) error {
	fs := cmd.Flags()
	if !fs.Changed(a) || !fs.Changed(b) {
		return nil
	}
	name := func(n string) string {
		if fl := cmd.InheritedFlags().Lookup(n); fl != nil && fl.Shorthand != "" {
			return "-" + fl.Shorthand
		}
		return "--" + n
	}
	return cmderr.Usagef("use either %s or %s, not both", name(a), name(b))
}
