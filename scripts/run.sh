#!/usr/bin/env bash
# Run Bedside with synthetic demo data on the embedded default (SQLite in ./data, in-process pub/sub).
# Any argument is passed on, e.g. `bash scripts/run.sh --host 0.0.0.0 --port 8000`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/python -m server serve --demo "$@"
