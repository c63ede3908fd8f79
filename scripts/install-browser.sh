#!/usr/bin/env bash
# Installs the headless browser `npm run report` draws the topology with and its browser test loads
# the page in: Debian's `chromium` package, at /usr/bin/chromium (driven by playwright-core, pinned in
# package.json, which downloads no browser of its own). Called by scripts/install-tools.sh, so
# `npm test` and CI have it; idempotent: nothing is done when /usr/bin/chromium exists.
#
# Only Debian's packages are used (apt-get, as root). Where it cannot install (not root, no apt-get) it
# says what to run; that fails in CI (CI set), elsewhere it only warns, so that `npm run tools` still
# builds the verify tools (the browser test then skips with one line).
#
# Env: CHROMIUM (default /usr/bin/chromium).
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
log() { printf '[install-browser %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[install-browser] ERROR: %s\n' "$*" >&2; exit 1; }

if [ -x "$CHROMIUM" ]; then
  log "ok     chromium already installed ($("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM"))"
  exit 0
fi
# cannot REASON: fails in CI, warns elsewhere.
cannot() {
  case "${CI:-}" in '' | false | 0) log "WARNING: $1; npm run report and its browser test need it" && exit 0 ;; esac
  die "$1"
}
[ "$CHROMIUM" = /usr/bin/chromium ] || cannot "CHROMIUM=$CHROMIUM does not exist"
command -v apt-get >/dev/null || cannot "no $CHROMIUM and no apt-get: install Chromium so that $CHROMIUM exists"
[ "$(id -u)" = 0 ] || cannot "no $CHROMIUM: run as root, or: sudo apt-get install -y --no-install-recommends chromium fonts-liberation"

T0=$EPOCHREALTIME
log "start  chromium (Debian package) with apt-get"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
[ -x "$CHROMIUM" ] || die "apt-get installed chromium but $CHROMIUM is missing"
log "done   chromium in $(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s: $("$CHROMIUM" --version 2>/dev/null || true)"
