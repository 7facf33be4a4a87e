#!/usr/bin/env bash
# Tools the benchmark uses when it can: Digital Bazaar's verifiers (npm, pinned by
# package-lock.json) and wrk (Debian) as the HTTP load generator. Each is optional: without
# them the Node section is skipped and the HTTP section uses its Python load generator.
set -uo pipefail
cd "$(dirname "$0")"
if command -v npm >/dev/null 2>&1 && [ ! -d node/node_modules ]; then
  (cd node && npm ci --silent --no-audit --no-fund) || echo "npm ci failed: Node section will be skipped" >&2
fi
if ! command -v wrk >/dev/null 2>&1; then
  as_root=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then as_root="sudo"; fi
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 ||
    echo "wrk not installed: the HTTP section uses its Python load generator" >&2
fi
exit 0
