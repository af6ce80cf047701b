#!/usr/bin/env bash
# Lighthouse benchmark, one command from a fresh clone: installs the app (scripts/install.sh), Debian's
# Chromium if missing, and Lighthouse 12.2.3 from bench/package-lock.json into the ignored
# bench/node_modules (kept apart: it is big and never part of the app), then runs bench/lighthouse.py.
# Usage: bash bench/lighthouse.sh [RUNS] [--reports DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's Chromium..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
# npm ci only when the lock file changed since the last install (npm writes node_modules/.package-lock.json).
if [ ! -f bench/node_modules/.package-lock.json ] || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
  (cd bench && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi
exec .venv/bin/python bench/lighthouse.py "$@"
