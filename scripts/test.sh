#!/usr/bin/env bash
# Run every test and the linter, after installing what they need (Python and npm packages, Debian's
# Chromium) and starting PostgreSQL and Redis if they are down. The suite runs three times: on the
# embedded default (SQLite); on PostgreSQL (a fresh database per test, dropped after) together with the
# scale-out tests (several real instances with PostgreSQL or Redis pub/sub); and on SQLite again with
# the tests' clock moved more than a year ahead, to 23:55 in New York the evening before the clocks
# change (tests/clock.py), so no test can depend on today's date, the time zone or the hour. The API
# contract test (schemathesis, the longest) runs in the first two passes only.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's Chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
bash scripts/services.sh
.venv/bin/ruff check server tests migrations bench
.venv/bin/ruff format --check server tests migrations bench
pytest_args=(-q -p no:cacheprovider --output test-results --screenshot only-on-failure "$@")
echo "== Embedded default (SQLite, in-process pub/sub)"
.venv/bin/pytest -m "not scale_out" "${pytest_args[@]}"
echo "== PostgreSQL, and several instances with PostgreSQL or Redis pub/sub"
BEDSIDE_TEST_POSTGRES="${BEDSIDE_TEST_POSTGRES:-postgresql://postgres@127.0.0.1:5432/test}" \
  .venv/bin/pytest "${pytest_args[@]}"
echo "== Embedded default again, a year and more from now, 23:55 in America/New_York before a clock change"
BEDSIDE_TEST_NOW="${BEDSIDE_TEST_NOW_AHEAD:-2028-03-12T04:55:00+00:00}" BEDSIDE_TEST_TIMEZONE=America/New_York \
  .venv/bin/pytest -m "not scale_out and not contract" "${pytest_args[@]}"
