#!/usr/bin/env bash
# Install the front-end packages from the npm registry (package-lock.json) and copy what the pages load
# into static/vendor/ (ignored by git: third-party code is never committed). No package's install
# script runs: we only copy files out of them.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
mkdir -p static/vendor/swagger-ui
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
cp node_modules/htmx-ext-ws/dist/ws.js static/vendor/ws.js
cp node_modules/axe-core/axe.min.js static/vendor/axe.min.js
# The API schema page (/schema): Swagger UI's bundle and style sheet, started by static/js/schema.js.
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js static/vendor/swagger-ui/swagger-ui-bundle.js
cp node_modules/swagger-ui-dist/swagger-ui.css static/vendor/swagger-ui/swagger-ui.css
cp node_modules/idb/build/umd.js static/vendor/idb.umd.js
