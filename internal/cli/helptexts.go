package cli

import (
	"strings"

	"github.com/maketoken/maketoken/internal/output"
	"github.com/spf13/cobra"
)

// helpText completes the text of c's help that only a help shows, once:
// a command's TSV columns, the formatting topic's table of them, cobra's
// help for a shell's completion fitted to 80 columns. It is made when c's
// help is shown (root's help function) or the docs are generated
// (NewRootCommand), not at every start-up: a run of a command shows none
// of it, and the root's help lists the commands by their short line only
// (docs/performance.md).
func (f *Factory) helpText(c *cobra.Command) {
	if f.helpDone[c] {
		return
	}
	if f.helpDone == nil {
		f.helpDone = map[*cobra.Command]bool{}
	}
	f.helpDone[c] = true
	switch {
	case c.HasParent() && c.Parent().Name() == "completion" && !c.Parent().Parent().HasParent():
		// cobra's help for a shell has a line too wide for 80 columns.
		c.Long = output.FitLines(c.Long, helpWidth)
	case c.IsAdditionalHelpTopicCommand() && c.Name() == "formatting":
		c.Long += "\n\n" + output.TSVColumnsHelp(helpWidth)
	default:
		// A command that prints records ends with its TSV columns.
		if cols := output.TSVColumns(c.Name()); cols != nil {
			c.Long += "\n\n" + output.FitLines("TSV columns (-o tsv): "+strings.Join(cols, " ")+".", helpWidth)
		}
	}
}

// helpTexts completes every help text of root's tree (helpText).
func (f *Factory) helpTexts(root *cobra.Command) {
	f.helpText(root)
	for _, c := range root.Commands() {
		f.helpTexts(c)
	}
}
