#!/usr/bin/env bash
# Run every test (unit, integration, WebSocket, browser) and the linter, after installing what they need:
# Python and npm packages, and Debian's Chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's Chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
.venv/bin/ruff check server tests migrations bench
.venv/bin/ruff format --check server tests migrations bench
exec .venv/bin/pytest -q -p no:cacheprovider --output test-results --screenshot only-on-failure "$@"
