#!/usr/bin/env bash
# Set up everything the tests need, then run every test (extra arguments go to pytest).
# The PostgreSQL tests start a throwaway server of their own (tests/postgres.py); this script only makes
# sure the server binaries and Chromium are installed. Screenshots from the browser tests land in
# test-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh requirements-dev.txt

if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing PostgreSQL for the database tests" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL server binaries not found: install the postgresql package (the PostgreSQL tests will fail)" >&2
  fi
fi

# The browser tests drive Debian's Chromium through Playwright (Playwright's own browser download is not used).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Chromium for the browser tests" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium not found: install Debian's chromium package (the browser tests will fail)" >&2
  fi
fi

mkdir -p test-artifacts
exec .venv/bin/python -m pytest "$@"
