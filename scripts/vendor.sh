#!/usr/bin/env bash
# Install the front-end packages from the npm registry (package-lock.json) and copy what the pages load
# into static/vendor/ (ignored by git: third-party code is never committed).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
mkdir -p static/vendor
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
cp node_modules/htmx-ext-ws/dist/ws.js static/vendor/ws.js
cp node_modules/axe-core/axe.min.js static/vendor/axe.min.js
