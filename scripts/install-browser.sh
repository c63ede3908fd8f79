#!/usr/bin/env bash
# Installs the headless browser `npm run report` draws the topology with and its browser test loads
# the page in: Debian's `chromium` package, at /usr/bin/chromium (driven by playwright-core, pinned in
# package.json, which downloads no browser of its own), with fonts-liberation (Arial's metrics, for the
# drawings' text). Called by scripts/install-tools.sh, so `npm test` and CI have it; how it installs,
# and where it cannot: scripts/install-debian.sh.
#
# Env: CHROMIUM (default /usr/bin/chromium).
set -euo pipefail
exec bash "$(dirname "$0")/install-debian.sh" chromium "${CHROMIUM:-/usr/bin/chromium}" /usr/bin/chromium \
  'npm run report and its browser test' chromium fonts-liberation
