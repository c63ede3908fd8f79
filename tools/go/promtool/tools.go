//go:build tools

// Package tools pins the commands built by scripts/install-tools.sh.
package tools

import (
	_ "github.com/prometheus/prometheus/cmd/promtool"
)
