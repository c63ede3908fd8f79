#!/usr/bin/env bash
# Installs the Redis server test/redis-sentinel-tls.test.ts runs (a TLS-only primary, two replicas and
# three Sentinels, as processes of its own on ports of its own): Debian's `redis-server` package, at
# /usr/bin/redis-server (`redis-server --sentinel` runs a Sentinel). Called by scripts/install-tools.sh,
# so `npm test` and CI have it; idempotent: nothing is done when /usr/bin/redis-server exists.
#
# Only Debian's packages are used (apt-get, as root). The package may start a system service of its own;
# it is left as it is: the test starts its own processes. Where it cannot install (not root, no apt-get)
# it says what to run; that fails in CI (CI set), elsewhere it only warns, so that `npm run tools` still
# builds the verify tools (the test then skips with one line).
#
# Env: REDIS_SERVER (default /usr/bin/redis-server).
set -euo pipefail

REDIS_SERVER="${REDIS_SERVER:-/usr/bin/redis-server}"
log() { printf '[install-redis %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[install-redis] ERROR: %s\n' "$*" >&2; exit 1; }

if [ -x "$REDIS_SERVER" ]; then
  log "ok     redis-server already installed ($("$REDIS_SERVER" --version 2>/dev/null || echo "$REDIS_SERVER"))"
  exit 0
fi
# cannot REASON: fails in CI, warns elsewhere.
cannot() {
  case "${CI:-}" in '' | false | 0) log "WARNING: $1; test/redis-sentinel-tls.test.ts needs it" && exit 0 ;; esac
  die "$1"
}
[ "$REDIS_SERVER" = /usr/bin/redis-server ] || cannot "REDIS_SERVER=$REDIS_SERVER does not exist"
command -v apt-get >/dev/null || cannot "no $REDIS_SERVER and no apt-get: install Redis so that $REDIS_SERVER exists"
[ "$(id -u)" = 0 ] || cannot "no $REDIS_SERVER: run as root, or: sudo apt-get install -y --no-install-recommends redis-server"

T0=$EPOCHREALTIME
log "start  redis-server (Debian package) with apt-get"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
[ -x "$REDIS_SERVER" ] || die "apt-get installed redis-server but $REDIS_SERVER is missing"
log "done   redis-server in $(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s: $("$REDIS_SERVER" --version 2>/dev/null || true)"
