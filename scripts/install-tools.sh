#!/usr/bin/env bash
# Installs the pinned verification tools (tools/versions.env) into .cache/tools/:
#   .cache/tools/bin/     binaries (kube-apiserver-<minor>, etcd, kubeconform, ...)
#   .cache/tools/venv/    Python venv (checkov, pyyaml) from tools/python/requirements.txt
#   .cache/tools/stamps/  one file per tool holding the exact build key
#   .cache/tools/logs/    one build log per tool
#
# Only ordinary registry clients are used: the Go module proxy (go build /
# go install), PyPI (pip, --require-hashes), Debian's chromium (for npm run
# report, scripts/install-browser.sh) and, only if python3 cannot make a venv,
# Debian's python3-venv. Nothing is downloaded from release pages.
#
# Idempotent: a tool whose stamp matches (version + wrapper go.mod/go.sum +
# ldflags + Go version) and whose binary exists is skipped, so a warm run takes
# seconds. Builds run in parallel (INSTALL_TOOLS_JOBS, default 2).
#
# Usage: scripts/install-tools.sh [tool ...]   (default: all tools)
# Env:   TOOLS_DIR (default <repo>/.cache/tools), INSTALL_TOOLS_JOBS (2),
#        PYTHON (python3), FORCE=1 (ignore stamps), INSTALL_TOOLS_TIMEOUT
#        (seconds one build step may take, default 3600; a step that takes
#        longer is stopped and the tool fails).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSIONS_FILE="$ROOT/tools/versions.env"
TOOLS_DIR="${TOOLS_DIR:-$ROOT/.cache/tools}"
BIN="$TOOLS_DIR/bin"
STAMPS="$TOOLS_DIR/stamps"
LOGS="$TOOLS_DIR/logs"
JOBS="${INSTALL_TOOLS_JOBS:-2}"
PYTHON="${PYTHON:-python3}"
FORCE="${FORCE:-0}"
TIMEOUT="${INSTALL_TOOLS_TIMEOUT:-3600}"

export CGO_ENABLED=0
export GOFLAGS="-trimpath -buildvcs=false"

log() { printf '[install-tools %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[install-tools] ERROR: %s\n' "$*" >&2; exit 1; }
# limited CMD...: runs CMD, stopped (TERM, then KILL 30 s later) after $TIMEOUT s; exit 124 then.
limited() {
  local rc=0
  timeout --kill-after=30 "$TIMEOUT" "$@" || rc=$?
  [ "$rc" != 124 ] && [ "$rc" != 137 ] || printf '[install-tools] ERROR: timed out after %ss (INSTALL_TOOLS_TIMEOUT): %s\n' "$TIMEOUT" "$*" >&2
  return "$rc"
}

# --- tools/versions.env: KEY=value lines, no shell evaluation (its one reader) --
# shellcheck source=../tools/versions.sh
source "$ROOT/tools/versions.sh"

sha() { cat "$@" | sha256sum | cut -c1-16; }  # content hash of files

# stamp_ok NAME KEY BINARY...: true when every binary exists and the stamp matches
stamp_ok() {
  local name="$1" key="$2" b
  shift 2
  [ "$FORCE" = 1 ] && return 1
  for b in "$@"; do [ -x "$b" ] || return 1; done
  [ -f "$STAMPS/$name" ] && [ "$(cat "$STAMPS/$name")" = "$key" ]
}

# Wrapper modules must pin the version from versions.env.
check_wrapper() {
  local dir="$1" module="$2" version="$3"
  [ -f "$ROOT/tools/go/$dir/go.mod" ] && [ -f "$ROOT/tools/go/$dir/go.sum" ] ||
    die "missing wrapper tools/go/$dir; run: tools/go/gen-wrapper.sh $dir $module $version <pkg>"
  grep -qx "require $module $version" "$ROOT/tools/go/$dir/go.mod" ||
    die "tools/go/$dir/go.mod does not require $module $version (versions.env); regenerate it with tools/go/gen-wrapper.sh"
}

# --- build steps (each runs in a subshell, output to its log) ---------------

# go_build_wrapper NAME DIR PKG LDFLAGS: go build PKG inside tools/go/DIR -> bin/NAME
go_build_wrapper() {
  local name="$1" dir="$2" pkg="$3" ldflags="$4"
  cd "$ROOT/tools/go/$dir"
  go version
  limited go build -mod=readonly -ldflags "$ldflags" -o "$BIN/.$name.tmp" "$pkg"
  mv -f "$BIN/.$name.tmp" "$BIN/$name"
}

# go_install NAME PKG@VERSION LDFLAGS: go install (module's own go.mod/go.sum) -> bin/NAME
go_install() {
  local name="$1" pkgver="$2" ldflags="$3" built
  # global on purpose: the EXIT trap of this job's subshell needs it
  GOBIN_TMP="$(mktemp -d "$TOOLS_DIR/.gobin.XXXXXX")"
  trap 'rm -rf "$GOBIN_TMP"' EXIT
  go version
  GOBIN="$GOBIN_TMP" limited go install -ldflags "$ldflags" "$pkgver"
  built="$(find "$GOBIN_TMP" -maxdepth 1 -type f | head -n1)"
  [ -n "$built" ] || die "go install $pkgver produced no binary"
  mv -f "$built" "$BIN/$name"
}

build_kube_apiserver() { # MINOR FULLVERSION
  local minor="$1" v="$2"
  go_build_wrapper "kube-apiserver-$minor" "kube-apiserver-$minor" k8s.io/kubernetes/cmd/kube-apiserver \
    "-s -w -X k8s.io/component-base/version.gitVersion=v$v -X k8s.io/component-base/version.gitMajor=${minor%%.*} -X k8s.io/component-base/version.gitMinor=${minor#*.} -X k8s.io/component-base/version.gitTreeState=clean"
}

# kube-scheduler and kube-controller-manager of the same release as kube-apiserver (npm run
# simulate): wrapper tools/go/kube-control-plane-<minor>/, whose build list equals the apiserver
# wrapper's for every module both name, so most packages come from the apiserver's build cache.
build_kube_control_plane() { # MINOR FULLVERSION
  local minor="$1" v="$2" cmd
  local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=v$v -X k8s.io/component-base/version.gitMajor=${minor%%.*} -X k8s.io/component-base/version.gitMinor=${minor#*.} -X k8s.io/component-base/version.gitTreeState=clean"
  for cmd in kube-scheduler kube-controller-manager; do
    go_build_wrapper "$cmd-$minor" "kube-control-plane-$minor" "k8s.io/kubernetes/cmd/$cmd" "$ldflags"
  done
}

# KWOK's controller (npm run simulate): Nodes and Pods that exist only as API objects, kept Ready
# and Running. Its go.mod has no replace directives, so `go install` works; the version variable is
# the one upstream's hack/releases.sh sets.
build_kwok() {
  go_install kwok "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION" \
    "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=v$KWOK_VERSION"
  # Its default stages (what kwokctl gives the controller): nodes become Ready, scheduled pods
  # Running, Job pods Succeeded, deleted pods gone. From the same module version.
  local dir f
  dir="$(limited go mod download -json "sigs.k8s.io/kwok@v$KWOK_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$dir/kustomize/stage" ] || die "kwok stages not found in $dir"
  mkdir -p "$TOOLS_DIR/share/kwok"
  for f in node/fast/node-initialize.yaml pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    [ -f "$dir/kustomize/stage/$f" ] || die "missing kustomize/stage/$f in $dir"
    printf -- '---\n'
    cat "$dir/kustomize/stage/$f"
  done >"$TOOLS_DIR/share/kwok/.stages.yaml.tmp"
  mv -f "$TOOLS_DIR/share/kwok/.stages.yaml.tmp" "$TOOLS_DIR/share/kwok/stages.yaml"
}

# The CRDs the Argo Rollouts controller watches at start (npm run simulate runs the controller), from
# the module the controller is built from, at the same version: the pinned CRD sources hold only the
# kinds our output uses, and the controller waits for every informer (Experiments, AnalysisRuns...).
build_argo_rollouts_crds() {
  local dir f out="$TOOLS_DIR/share/argo-rollouts"
  dir="$(limited go mod download -json "github.com/argoproj/argo-rollouts@v$ARGO_ROLLOUTS_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  mkdir -p "$out"
  for f in rollout analysis-run analysis-template cluster-analysis-template experiment; do
    [ -f "$dir/manifests/crds/$f-crd.yaml" ] || die "manifests/crds/$f-crd.yaml not found in $dir"
    printf -- '---\n'
    cat "$dir/manifests/crds/$f-crd.yaml"
  done >"$out/.crds.yaml.tmp"
  mv -f "$out/.crds.yaml.tmp" "$out/crds.yaml"
}

build_etcd() {
  go_build_wrapper etcd etcd go.etcd.io/etcd/server/v3 "-s -w"
}

# The kubectl plugin and the controller (npm run simulate runs it so that Rollouts create their
# ReplicaSets) come from the same wrapper module, built one after the other in one job so that the
# second reuses the packages the first compiled.
build_kubectl_argo_rollouts() {
  local ldflags="-s -w -X github.com/argoproj/argo-rollouts/utils/version.version=$ARGO_ROLLOUTS_VERSION -X github.com/argoproj/argo-rollouts/utils/version.gitTreeState=clean"
  go_build_wrapper kubectl-argo-rollouts kubectl-argo-rollouts \
    github.com/argoproj/argo-rollouts/cmd/kubectl-argo-rollouts "$ldflags"
  go_build_wrapper rollouts-controller kubectl-argo-rollouts \
    github.com/argoproj/argo-rollouts/cmd/rollouts-controller "$ldflags"
}

build_kubeconform() {
  go_install kubeconform "github.com/yannh/kubeconform/cmd/kubeconform@v$KUBECONFORM_VERSION" \
    "-s -w -X main.version=v$KUBECONFORM_VERSION"
  # kubeconform's CRD -> JSON schema converter, from the same module version
  local dir
  dir="$(limited go mod download -json "github.com/yannh/kubeconform@v$KUBECONFORM_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -f "$dir/scripts/openapi2jsonschema.py" ] || die "openapi2jsonschema.py not found in $dir"
  mkdir -p "$TOOLS_DIR/share/kubeconform"
  install -m 0644 "$dir/scripts/openapi2jsonschema.py" "$TOOLS_DIR/share/kubeconform/openapi2jsonschema.py"
  cat >"$BIN/.openapi2jsonschema.tmp" <<EOF
#!/bin/sh
# kubeconform v$KUBECONFORM_VERSION scripts/openapi2jsonschema.py, run with the tools venv (pyyaml)
exec "$TOOLS_DIR/venv/bin/python" "$TOOLS_DIR/share/kubeconform/openapi2jsonschema.py" "\$@"
EOF
  chmod 0755 "$BIN/.openapi2jsonschema.tmp"
  mv -f "$BIN/.openapi2jsonschema.tmp" "$BIN/openapi2jsonschema"
}

build_kube_score() {
  go_install kube-score "github.com/zegl/kube-score/cmd/kube-score@v$KUBE_SCORE_VERSION" \
    "-s -w -X main.version=$KUBE_SCORE_VERSION"
}

# pluto/polaris: `go install mod@ver` also reads the module's version list
# (deprecation check), which the proxy refuses for github.com/fairwindsops/*,
# so these build from wrapper modules, which need exact versions only.
build_pluto() {
  go_build_wrapper pluto pluto github.com/fairwindsops/pluto/v5/cmd/pluto \
    "-s -w -X main.version=$PLUTO_VERSION"
}

build_polaris() {
  go_build_wrapper polaris polaris github.com/fairwindsops/polaris \
    "-s -w -X main.Version=$POLARIS_VERSION"
}

# promtool: Prometheus's own rule checker and rule unit-test runner. Prometheus 3.x is published on
# the Go module proxy as v0.<major><minor>.<patch> (3.16.0 = v0.316.0); the version string it reports
# is set the way upstream's .promu.yml does.
build_promtool() {
  go_build_wrapper promtool promtool github.com/prometheus/prometheus/cmd/promtool \
    "-s -w -X github.com/prometheus/common/version.Version=$PROMTOOL_VERSION_LABEL -X github.com/prometheus/common/version.Branch=release -X github.com/prometheus/common/version.Revision=v$PROMETHEUS_VERSION"
}

build_istioctl() {
  local rev="${ISTIO_PSEUDO_VERSION##*-}"
  go_install istioctl "istio.io/istio/istioctl/cmd/istioctl@$ISTIO_PSEUDO_VERSION" \
    "-s -w -X istio.io/istio/pkg/version.buildVersion=$ISTIOCTL_VERSION_LABEL -X istio.io/istio/pkg/version.buildGitRevision=$rev -X istio.io/istio/pkg/version.buildStatus=Clean"
}

# Helm 4's CLI (verify renders the add-on charts with it, as Flux's helm-controller and Argo CD's
# repo-server do). Its go.mod has no replace directives, so `go install` works; the ldflags are the
# ones of its Makefile for a tagged build (version, empty metadata, clean tree).
build_helm() {
  go_install helm "helm.sh/helm/v4/cmd/helm@v$HELM_VERSION" \
    "-s -w -X helm.sh/helm/v4/internal/version.version=v$HELM_VERSION -X helm.sh/helm/v4/internal/version.metadata= -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
}

# Debian's chromium (npm run report draws the topology in it; its browser test loads the page in it):
# scripts/install-browser.sh, which does nothing when /usr/bin/chromium exists.
build_chromium() {
  bash "$ROOT/scripts/install-browser.sh"
}

build_python() {
  local req="$ROOT/tools/python/requirements.txt"
  if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
    [ "$(id -u)" = 0 ] || die "$PYTHON cannot create venvs; install python3-venv"
    log "python3-venv missing: apt-get install python3-venv"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-venv
  fi
  "$PYTHON" --version
  rm -rf "$TOOLS_DIR/venv"
  "$PYTHON" -m venv "$TOOLS_DIR/venv"
  limited "$TOOLS_DIR/venv/bin/python" -m pip install --disable-pip-version-check --no-input \
    --no-deps --require-hashes --only-binary=:all: -r "$req"
  "$TOOLS_DIR/venv/bin/python" -m pip check
  ln -sfn ../venv/bin/checkov "$BIN/checkov"
}

# --- scheduler --------------------------------------------------------------
declare -A PID_NAME=() START=() KEYS=()
FAILED=()
RUNNING=0
T0=$EPOCHREALTIME

elapsed() { # START_EPOCHREALTIME -> seconds with one decimal
  awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

reap_one() {
  local pid="" rc=0 name
  wait -n -p pid || rc=$?
  name="${PID_NAME[$pid]}"
  unset "PID_NAME[$pid]"
  RUNNING=$((RUNNING - 1))
  if [ "$rc" = 0 ]; then
    printf '%s\n' "${KEYS[$name]}" >"$STAMPS/$name"
    log "done   $name in $(elapsed "${START[$name]}")s"
  else
    FAILED+=("$name")
    log "FAILED $name (exit $rc) after $(elapsed "${START[$name]}")s; last lines of $LOGS/$name.log:"
    tail -n 25 "$LOGS/$name.log" | sed 's/^/    /' >&2
  fi
}

# schedule NAME KEY "DESCRIPTION" BINARIES FUNCTION [ARGS...]
schedule() {
  local name="$1" key="$2" desc="$3" bins="$4"
  shift 4
  if [ "${#SELECTED[@]}" -gt 0 ] && [ -z "${SELECTED[$name]:-}" ]; then return 0; fi
  # shellcheck disable=SC2086 # bins is a space separated list of paths
  if stamp_ok "$name" "$key" $bins; then
    log "ok     $name ($desc) already installed"
    return 0
  fi
  while [ "$RUNNING" -ge "$JOBS" ]; do reap_one; done
  rm -f "$STAMPS/$name"
  log "start  $name ($desc), log: $LOGS/$name.log"
  START[$name]=$EPOCHREALTIME
  KEYS[$name]="$key"
  (
    set -euo pipefail
    "$@"
  ) >"$LOGS/$name.log" 2>&1 &
  PID_NAME[$!]="$name"
  RUNNING=$((RUNNING + 1))
}

# On Ctrl-C/TERM stop the running builds (each job subshell and its children).
on_signal() {
  local pid
  trap - INT TERM
  for pid in "${!PID_NAME[@]}"; do
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
  done
  die "interrupted"
}
trap on_signal INT TERM

# --- main -------------------------------------------------------------------
load_versions "$VERSIONS_FILE"
command -v go >/dev/null || die "go is not on PATH (Go >= 1.26 is needed)"
mkdir -p "$BIN" "$STAMPS" "$LOGS"
GO_VERSION="$(go env GOVERSION)"

declare -A SELECTED=()
for t in "$@"; do SELECTED[$t]=1; done

log "tools dir $TOOLS_DIR, $GO_VERSION, jobs $JOBS, GOFLAGS='$GOFLAGS' CGO_ENABLED=$CGO_ENABLED"

# Longest builds first so that they overlap with the rest.
for kv in $KUBERNETES_VERSIONS; do
  minor="${kv%.*}"
  check_wrapper "kube-apiserver-$minor" k8s.io/kubernetes "v$kv"
  schedule "kube-apiserver-$minor" \
    "k8s.io/kubernetes v$kv $GO_VERSION $(sha "$ROOT/tools/go/kube-apiserver-$minor/go.mod" "$ROOT/tools/go/kube-apiserver-$minor/go.sum") ldflags-1" \
    "k8s.io/kubernetes v$kv" "$BIN/kube-apiserver-$minor" build_kube_apiserver "$minor" "$kv"
done
# The scheduler and controller manager are built for the first (the simulated) minor only.
for kv in $KUBERNETES_VERSIONS; do
  minor="${kv%.*}"
  check_wrapper "kube-control-plane-$minor" k8s.io/kubernetes "v$kv"
  schedule "kube-control-plane-$minor" \
    "k8s.io/kubernetes v$kv $GO_VERSION $(sha "$ROOT/tools/go/kube-control-plane-$minor/go.mod" "$ROOT/tools/go/kube-control-plane-$minor/go.sum") ldflags-1" \
    "k8s.io/kubernetes v$kv kube-scheduler, kube-controller-manager" \
    "$BIN/kube-scheduler-$minor $BIN/kube-controller-manager-$minor" build_kube_control_plane "$minor" "$kv"
  break
done
# Debian's redis-server (test/redis-sentinel-tls.test.ts), not as a job: apt-get beside the chromium job would meet its dpkg lock.
bash "$ROOT/scripts/install-redis.sh"
schedule chromium "debian chromium" "Debian's chromium, for npm run report" /usr/bin/chromium build_chromium
schedule istioctl "istio.io/istio $ISTIO_PSEUDO_VERSION $ISTIOCTL_VERSION_LABEL $GO_VERSION ldflags-1" \
  "istio.io/istio $ISTIO_PSEUDO_VERSION" "$BIN/istioctl" build_istioctl
schedule helm "helm v$HELM_VERSION $GO_VERSION ldflags-1" \
  "helm.sh/helm/v4 v$HELM_VERSION" "$BIN/helm" build_helm
check_wrapper kubectl-argo-rollouts github.com/argoproj/argo-rollouts "v$ARGO_ROLLOUTS_VERSION"
schedule kubectl-argo-rollouts \
  "argo-rollouts v$ARGO_ROLLOUTS_VERSION $GO_VERSION $(sha "$ROOT/tools/go/kubectl-argo-rollouts/go.mod" "$ROOT/tools/go/kubectl-argo-rollouts/go.sum") ldflags-1" \
  "github.com/argoproj/argo-rollouts v$ARGO_ROLLOUTS_VERSION, plugin and controller" "$BIN/kubectl-argo-rollouts $BIN/rollouts-controller" build_kubectl_argo_rollouts
schedule argo-rollouts-crds "argo-rollouts v$ARGO_ROLLOUTS_VERSION crds-1" \
  "github.com/argoproj/argo-rollouts v$ARGO_ROLLOUTS_VERSION, the controller's CRDs" \
  "$TOOLS_DIR/share/argo-rollouts/crds.yaml" build_argo_rollouts_crds
schedule kwok "kwok v$KWOK_VERSION $GO_VERSION ldflags-1 stages-1" \
  "sigs.k8s.io/kwok v$KWOK_VERSION" "$BIN/kwok $TOOLS_DIR/share/kwok/stages.yaml" build_kwok
check_wrapper etcd go.etcd.io/etcd/server/v3 "v$ETCD_VERSION"
schedule etcd "etcd v$ETCD_VERSION $GO_VERSION $(sha "$ROOT/tools/go/etcd/go.mod" "$ROOT/tools/go/etcd/go.sum") ldflags-1" \
  "go.etcd.io/etcd/server/v3 v$ETCD_VERSION" "$BIN/etcd" build_etcd
check_wrapper promtool github.com/prometheus/prometheus "v$PROMETHEUS_VERSION"
schedule promtool "prometheus v$PROMETHEUS_VERSION $PROMTOOL_VERSION_LABEL $GO_VERSION $(sha "$ROOT/tools/go/promtool/go.mod" "$ROOT/tools/go/promtool/go.sum") ldflags-1" \
  "github.com/prometheus/prometheus v$PROMETHEUS_VERSION" "$BIN/promtool" build_promtool
grep -q "^checkov==$CHECKOV_VERSION " "$ROOT/tools/python/requirements.txt" ||
  die "tools/python/requirements.txt does not pin checkov==$CHECKOV_VERSION (versions.env)"
grep -q "^pyyaml==$PYYAML_VERSION " "$ROOT/tools/python/requirements.txt" ||
  die "tools/python/requirements.txt does not pin pyyaml==$PYYAML_VERSION (versions.env)"
schedule python "$($PYTHON --version 2>&1) $(sha "$ROOT/tools/python/requirements.txt")" \
  "venv: checkov $CHECKOV_VERSION, pyyaml $PYYAML_VERSION" \
  "$BIN/checkov $TOOLS_DIR/venv/bin/python" build_python
schedule kubeconform "kubeconform v$KUBECONFORM_VERSION $GO_VERSION ldflags-1" \
  "github.com/yannh/kubeconform v$KUBECONFORM_VERSION" "$BIN/kubeconform $BIN/openapi2jsonschema" build_kubeconform
schedule kube-score "kube-score v$KUBE_SCORE_VERSION $GO_VERSION ldflags-1" \
  "github.com/zegl/kube-score v$KUBE_SCORE_VERSION" "$BIN/kube-score" build_kube_score
check_wrapper pluto github.com/fairwindsops/pluto/v5 "v$PLUTO_VERSION"
schedule pluto "pluto v$PLUTO_VERSION $GO_VERSION $(sha "$ROOT/tools/go/pluto/go.mod" "$ROOT/tools/go/pluto/go.sum") ldflags-1" \
  "github.com/fairwindsops/pluto/v5 v$PLUTO_VERSION" "$BIN/pluto" build_pluto
if [ -n "$POLARIS_VERSION" ]; then
  check_wrapper polaris github.com/fairwindsops/polaris "$POLARIS_VERSION"
  schedule polaris "polaris $POLARIS_VERSION $GO_VERSION $(sha "$ROOT/tools/go/polaris/go.mod" "$ROOT/tools/go/polaris/go.sum") ldflags-1" \
    "github.com/fairwindsops/polaris $POLARIS_VERSION" "$BIN/polaris" build_polaris
else
  log "skip   polaris: POLARIS_VERSION is empty (the Go module proxy serves no version; see tools/README.md)"
fi

while [ "$RUNNING" -gt 0 ]; do reap_one; done

if [ "${#FAILED[@]}" -gt 0 ]; then
  die "failed: ${FAILED[*]} (total $(elapsed "$T0")s); see $LOGS/"
fi
log "all tools ready in $BIN (total $(elapsed "$T0")s)"
