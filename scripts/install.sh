#!/usr/bin/env bash
# Set-up shared by the run and test commands: Python packages from uv.lock into .venv, front-end
# packages from package-lock.json into static/vendor/. Safe to run again; fast when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never
python_bin="$(command -v python3.11 || command -v python3)"
# WeasyPrint (the comfort-care log's PDF) needs Pango and HarfBuzz's subsetter from Debian.
if ! ldconfig -p | grep -q libharfbuzz-subset || ! ldconfig -p | grep -q libpangoft2; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null
fi
if ! command -v uv >/dev/null 2>&1; then
  "$python_bin" -m pip install --quiet --disable-pip-version-check uv
fi
uv sync --locked --quiet --python "$python_bin"
bash scripts/vendor.sh
