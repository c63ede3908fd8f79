// istioctl with only its `analyze` command (and `version`): the same analyzers, the same flags and
// exit codes as istioctl/cmd, without compiling the install/operator/Helm/proxy-debug commands that
// verify never runs. Written for scripts/install-tools.sh; see tools/README.md.
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"istio.io/istio/istioctl/pkg/analyze"
	"istio.io/istio/istioctl/pkg/cli"
	"istio.io/istio/istioctl/pkg/root"
	"istio.io/istio/pkg/log"
	"istio.io/istio/pkg/version"
)

// Exit codes of istioctl/cmd/sysexits.go.
const (
	exitUnknownError        = 1
	exitIncorrectUsage      = 64
	exitDataError           = 65
	exitAnalyzerFoundIssues = 79
)

func exitCode(err error) int {
	var fileErr analyze.FileParseError
	var issuesErr analyze.AnalyzerFoundIssuesError
	switch {
	case strings.Contains(err.Error(), "unknown command"):
		return exitIncorrectUsage
	case errors.As(err, &fileErr):
		return exitDataError
	case errors.As(err, &issuesErr):
		return exitAnalyzerFoundIssues
	default:
		return exitUnknownError
	}
}

func main() {
	rootCmd := &cobra.Command{
		Use:          "istioctl",
		Short:        "Istio configuration analysis (istioctl analyze only).",
		SilenceUsage: true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			return log.Configure(root.LoggingOptions)
		},
	}
	ctx := cli.NewCLIContext(cli.AddRootFlags(rootCmd.PersistentFlags()))
	root.LoggingOptions.AttachCobraFlags(rootCmd)
	rootCmd.AddCommand(analyze.Analyze(ctx))
	rootCmd.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Prints the istio build this binary was compiled from",
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "client version: %s\n", version.Info.Version)
		},
	})
	log.EnableKlogWithCobra()
	if err := rootCmd.Execute(); err != nil {
		os.Exit(exitCode(err))
	}
}
