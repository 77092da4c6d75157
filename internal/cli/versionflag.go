package cli

import (
	"io"

	"github.com/spf13/cobra"
)

// addVersionFlag gives the root its --version (-v), which prints the
// version alone. It is the flag cobra makes for a root with a Version,
// made here: cobra prints anything but its own "maketoken version X"
// through a text/template template, and a template executed anywhere in
// the binary makes the Go linker keep every exported method of every
// type (text/template calls methods by name through reflection): 15%
// more binary, which every start-up pays for (docs/performance.md). The
// root runs nothing, so cobra shows its help when the flag is given; the
// root's help function prints the version instead (versionAsked), as
// cobra did: after the flags parsed, unless --help is given too.
func addVersionFlag(root *cobra.Command) {
	root.Flags().BoolP("version", "v", false, "version for "+root.Name())
	_ = root.Flags().SetAnnotation("version", cobra.FlagSetByCobraAnnotation, []string{"true"})
}

// versionAsked reports whether root's --version was given, without
// --help (which wins, as in cobra).
func versionAsked(root *cobra.Command) bool {
	version, err := root.Flags().GetBool("version")
	if err != nil || !version {
		return false
	}
	help, _ := root.Flags().GetBool("help")
	return !help
}

// printVersion writes the version, as cobra's version template
// "{{.Version}}\n" did; a failed write is the run's error, as it was.
func (f *Factory) printVersion(root *cobra.Command) {
	if _, err := io.WriteString(root.OutOrStdout(), f.Build.Resolve().String()+"\n"); err != nil {
		root.Println(err)
		f.versionErr = err
	}
}
