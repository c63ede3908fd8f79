#!/usr/bin/env bash
# Smoke test: start etcd + kube-apiserver (from .cache/tools/bin) on loopback
# with throwaway certificates, wait for /readyz, list the API resources and do
# one server-side dry-run, then stop everything and delete the temp dir.
#
#   tools/smoke-apiserver.sh [<minor>]     e.g. tools/smoke-apiserver.sh 1.34
#
# Documents the exact flags that work (see tools/README.md). Everything binds
# to 127.0.0.1 on free ports chosen at start-up.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${TOOLS_DIR:-$ROOT/.cache/tools}/bin"
MINOR="${1:-1.37}"
APISERVER="$BIN/kube-apiserver-$MINOR"
ETCD="$BIN/etcd"
KUBECTL="${KUBECTL:-kubectl}"
TIMEOUT="${SMOKE_TIMEOUT:-90}"
for b in "$APISERVER" "$ETCD"; do
  [ -x "$b" ] || { echo "missing $b; run scripts/install-tools.sh" >&2; exit 1; }
done
command -v openssl >/dev/null || { echo "openssl is required" >&2; exit 1; }
command -v "$KUBECTL" >/dev/null || { echo "kubectl is required" >&2; exit 1; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/smoke-apiserver.XXXXXX")"
PIDS=()
# stop PID: SIGTERM, wait up to 10 s, then SIGKILL
stop() {
  local pid="$1" i
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  # newest first: kube-apiserver before etcd (its graceful shutdown needs etcd)
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop "${PIDS[$i]}"; done
  if [ "$rc" != 0 ]; then
    echo "--- smoke test failed (exit $rc); last log lines:" >&2
    tail -n 20 "$TMP/etcd.log" "$TMP/apiserver.log" >&2 2>/dev/null || true
  fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# three free loopback ports: etcd client, etcd peer, apiserver
read -r ETCD_PORT PEER_PORT API_PORT < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(3)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])
for s in ss: s.close()')

# --- throwaway PKI ------------------------------------------------------------
P="$TMP/pki"
mkdir -p "$P"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=smoke-ca" \
  -keyout "$P/ca.key" -out "$P/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
  -keyout "$P/apiserver.key" -out "$P/apiserver.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n' >"$P/apiserver.ext"
openssl x509 -req -in "$P/apiserver.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" -CAcreateserial \
  -days 1 -extfile "$P/apiserver.ext" -out "$P/apiserver.crt" 2>/dev/null
openssl genrsa -out "$P/sa.key" 2048 2>/dev/null
openssl rsa -in "$P/sa.key" -pubout -out "$P/sa.pub" 2>/dev/null
TOKEN="$(openssl rand -hex 16)"
# token,user,uid,"group1,group2"
printf '%s,smoke-admin,smoke-admin-uid,"system:masters"\n' "$TOKEN" >"$P/tokens.csv"

# --- etcd ---------------------------------------------------------------------
"$ETCD" --version | head -n1
"$ETCD" \
  --name smoke \
  --data-dir "$TMP/etcd-data" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$PEER_PORT" \
  --initial-advertise-peer-urls "http://127.0.0.1:$PEER_PORT" \
  --initial-cluster "smoke=http://127.0.0.1:$PEER_PORT" \
  --initial-cluster-state new \
  --unsafe-no-fsync \
  --log-level warn \
  >"$TMP/etcd.log" 2>&1 &
PIDS+=($!)

deadline=$((SECONDS + TIMEOUT))
until curl -fsS "http://127.0.0.1:$ETCD_PORT/health" >/dev/null 2>&1; do
  [ "$SECONDS" -lt "$deadline" ] || { echo "etcd not healthy after ${TIMEOUT}s" >&2; exit 1; }
  kill -0 "${PIDS[0]}" 2>/dev/null || { echo "etcd exited" >&2; exit 1; }
  sleep 0.2
done
echo "etcd healthy on 127.0.0.1:$ETCD_PORT after ${SECONDS}s"

# --- kube-apiserver -----------------------------------------------------------
"$APISERVER" --version
start=$SECONDS
"$APISERVER" \
  --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --bind-address 127.0.0.1 \
  --advertise-address 127.0.0.1 \
  --secure-port "$API_PORT" \
  --cert-dir "$TMP/apiserver-certs" \
  --tls-cert-file "$P/apiserver.crt" \
  --tls-private-key-file "$P/apiserver.key" \
  --client-ca-file "$P/ca.crt" \
  --token-auth-file "$P/tokens.csv" \
  --authorization-mode RBAC \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$P/sa.pub" \
  --service-account-signing-key-file "$P/sa.key" \
  --service-cluster-ip-range 10.96.0.0/16 \
  --endpoint-reconciler-type none \
  --profiling=false \
  >"$TMP/apiserver.log" 2>&1 &
PIDS+=($!)

export KUBECONFIG="$TMP/empty-kubeconfig"
: >"$KUBECONFIG"
k() { "$KUBECTL" --server "https://127.0.0.1:$API_PORT" --certificate-authority "$P/ca.crt" --token "$TOKEN" "$@"; }

deadline=$((SECONDS + TIMEOUT))
until k get --raw /readyz >/dev/null 2>&1; do
  [ "$SECONDS" -lt "$deadline" ] || { echo "kube-apiserver not ready after ${TIMEOUT}s" >&2; k get --raw '/readyz?verbose' >&2 || true; exit 1; }
  kill -0 "${PIDS[1]}" 2>/dev/null || { echo "kube-apiserver exited" >&2; exit 1; }
  sleep 0.5
done
echo "kube-apiserver ready on https://127.0.0.1:$API_PORT after $((SECONDS - start))s: $(k get --raw /readyz)"
k version -o yaml 2>/dev/null | grep -E 'gitVersion' || true
n="$(k api-resources --no-headers | wc -l)"
echo "api-resources: $n"
[ "$n" -gt 40 ] || { echo "too few api-resources" >&2; exit 1; }
k create configmap smoke --from-literal=a=b -n default --dry-run=server -o name
echo "smoke test passed for kube-apiserver-$MINOR"
