#!/usr/bin/env bash
# The one reader of tools/versions.env: KEY=value lines, never evaluated.
#
#   source tools/versions.sh; load_versions FILE   sets each key as a shell variable
#                                                  (scripts/install-tools.sh)
#   bash tools/versions.sh [FILE]                  prints every known key as KEY=value, one a
#                                                  line (app/verify/tools.ts reads that)
#
# The format (versions.env's header): KEY matches [A-Z][A-Z0-9_]*, the value optionally in double
# quotes and literal (no $, `, ", \), lines starting with # and blank lines are ignored. Every key
# must be one of VERSION_KEYS; every one but the optional ones must be set and not empty. Any other
# line stops the reader with `<file>:<line>: <what is wrong>: <the line>` on stderr, exit 1.

# The keys the installer and verify read; a key not listed here is refused (a typo would otherwise
# leave its tool at an old pin).
VERSION_KEYS=(KUBERNETES_VERSIONS ETCD_VERSION KUBECONFORM_VERSION KUBE_SCORE_VERSION PLUTO_VERSION
  HELM_VERSION ARGO_ROLLOUTS_VERSION ISTIO_PSEUDO_VERSION ISTIOCTL_VERSION_LABEL CHECKOV_VERSION
  PYYAML_VERSION PROMETHEUS_VERSION PROMTOOL_VERSION_LABEL KWOK_VERSION POLARIS_VERSION)
# Keys that may be empty: Polaris is not installable (tools/README.md, "Polaris").
OPTIONAL_VERSION_KEYS=(POLARIS_VERSION)

versions_fail() {
  printf 'ERROR: %s\n' "$*" >&2
  exit 1
}

# load_versions FILE: sets every key of FILE (and the optional ones it leaves out, to '').
load_versions() {
  local file="$1" line key val n=0 known
  [ -f "$file" ] || versions_fail "$file: not found"
  known=" ${VERSION_KEYS[*]} "
  for key in "${VERSION_KEYS[@]}"; do unset "$key"; done
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    case "$line" in '' | '#'*) continue ;; esac
    [[ "$line" =~ ^([A-Z][A-Z0-9_]*)=(.*)$ ]] || versions_fail "$file:$n: not KEY=value: $line"
    key="${BASH_REMATCH[1]}"
    val="${BASH_REMATCH[2]}"
    [[ "$known" == *" $key "* ]] || versions_fail "$file:$n: unknown key $key (known: ${VERSION_KEYS[*]}): $line"
    if [[ "$val" =~ ^\"(.*)\"$ ]]; then val="${BASH_REMATCH[1]}"; fi
    [[ "$val" != *[\$\`\"\\]* ]] || versions_fail "$file:$n: value must be literal: $line"
    printf -v "$key" '%s' "$val"
  done <"$file"
  for key in "${VERSION_KEYS[@]}"; do
    if [[ " ${OPTIONAL_VERSION_KEYS[*]} " == *" $key "* ]]; then
      printf -v "$key" '%s' "${!key:-}"
    else
      [ -n "${!key:-}" ] || versions_fail "$file: $key is not set"
    fi
  done
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  load_versions "${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/versions.env}"
  for key in "${VERSION_KEYS[@]}"; do printf '%s=%s\n' "$key" "${!key}"; done
fi
