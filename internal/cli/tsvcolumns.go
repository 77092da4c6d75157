package cli

import (
	"strings"

	"github.com/maketoken/maketoken/internal/output"
	"github.com/spf13/cobra"
)

// documentTSV ends a command's help with the TSV columns it prints, if
// it prints records (see output.TSVColumns).
func documentTSV(cmd *cobra.Command) *cobra.Command {
	if cols := output.TSVColumns(cmd.Name()); cols != nil {
		cmd.Long += "\n\n" + output.FitLines("TSV columns (-o tsv): "+strings.Join(cols, " ")+".", helpWidth)
	}
	return cmd
}
