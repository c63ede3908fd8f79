//go:build tools

// Package tools pins the commands built by scripts/install-tools.sh.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
