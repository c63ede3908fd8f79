//go:build tools

// Package tools pins the commands built by scripts/install-tools.sh.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
)
