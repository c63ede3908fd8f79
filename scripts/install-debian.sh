#!/usr/bin/env bash
# Installs a tool from Debian's packages (apt-get, as root), for scripts/install-browser.sh and
# scripts/install-redis.sh; idempotent: nothing is done when the tool's binary exists. Where it cannot
# install (not root, no apt-get) it says what to run; that fails in CI (CI set), elsewhere it only
# warns, so that `npm run tools` still builds the verify tools (what needs the tool then skips with
# one line).
#
# Usage: install-debian.sh NAME BINARY DEFAULT NEEDED_BY PACKAGE...
#   NAME       the tool, for the log (chromium, redis-server)
#   BINARY     where it is expected (an environment override, or DEFAULT)
#   DEFAULT    where the package installs it; only there can apt-get help
#   NEEDED_BY  what needs it, for the warning
#   PACKAGE    the Debian packages to install (--no-install-recommends)
set -euo pipefail

[ "$#" -ge 5 ] || { printf 'usage: install-debian.sh NAME BINARY DEFAULT NEEDED_BY PACKAGE...\n' >&2; exit 2; }
NAME=$1 BINARY=$2 DEFAULT=$3 NEEDED_BY=$4
shift 4
log() { printf '[install-%s %s] %s\n' "$NAME" "$(date +%H:%M:%S)" "$*"; }
die() { printf '[install-%s] ERROR: %s\n' "$NAME" "$*" >&2; exit 1; }

if [ -x "$BINARY" ]; then
  log "ok     $NAME already installed ($("$BINARY" --version 2>/dev/null || echo "$BINARY"))"
  exit 0
fi
# cannot REASON: fails in CI, warns elsewhere.
cannot() {
  case "${CI:-}" in '' | false | 0) log "WARNING: $1; $NEEDED_BY needs it" && exit 0 ;; esac
  die "$1"
}
[ "$BINARY" = "$DEFAULT" ] || cannot "$BINARY does not exist"
command -v apt-get >/dev/null || cannot "no $BINARY and no apt-get: install $NAME so that $BINARY exists"
[ "$(id -u)" = 0 ] || cannot "no $BINARY: run as root, or: sudo apt-get install -y --no-install-recommends $*"

T0=$EPOCHREALTIME
log "start  $NAME (Debian package) with apt-get"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
[ -x "$BINARY" ] || die "apt-get installed $* but $BINARY is missing"
log "done   $NAME in $(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s: $("$BINARY" --version 2>/dev/null || true)"
