#!/usr/bin/env bash
# Installs the Redis server test/redis-sentinel-tls.test.ts runs (a TLS-only primary, two replicas and
# three Sentinels, as processes of its own on ports of its own): Debian's `redis-server` package, at
# /usr/bin/redis-server (`redis-server --sentinel` runs a Sentinel). The package may start a system
# service of its own; it is left as it is. Called by scripts/install-tools.sh, so `npm test` and CI
# have it; how it installs, and where it cannot: scripts/install-debian.sh.
#
# Env: REDIS_SERVER (default /usr/bin/redis-server).
set -euo pipefail
exec bash "$(dirname "$0")/install-debian.sh" redis-server "${REDIS_SERVER:-/usr/bin/redis-server}" /usr/bin/redis-server \
  test/redis-sentinel-tls.test.ts redis-server
