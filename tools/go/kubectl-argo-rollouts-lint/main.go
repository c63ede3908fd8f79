// kubectl-argo-rollouts with only its `lint` command (and `version`): the same validation as the
// upstream plugin's lint, without compiling the dashboard and the commands that talk to a cluster.
// Written for scripts/install-tools.sh; see tools/README.md.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/argoproj/argo-rollouts/pkg/kubectl-argo-rollouts/cmd/lint"
	"github.com/argoproj/argo-rollouts/pkg/kubectl-argo-rollouts/options"
	"github.com/argoproj/argo-rollouts/utils/version"
)

func main() {
	o := options.NewArgoRolloutsOptions()
	rootCmd := &cobra.Command{
		Use:          "kubectl-argo-rollouts",
		Short:        "Argo Rollouts lint (the lint command of kubectl-argo-rollouts only).",
		SilenceUsage: true,
	}
	rootCmd.AddCommand(lint.NewCmdLint(o))
	rootCmd.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Prints the argo-rollouts version this binary was compiled from",
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "kubectl-argo-rollouts: %s\n", version.GetVersion())
		},
	})
	if err := rootCmd.Execute(); err != nil {
		os.Exit(1)
	}
}
