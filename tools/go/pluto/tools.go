//go:build tools

// Package tools pins the commands built by scripts/install-tools.sh.
package tools

import (
	_ "github.com/fairwindsops/pluto/v5/cmd/pluto"
)
