#!/usr/bin/env bash
# Set up the environment and open the dashboard (extra arguments go to `streamlit run`).
# With an empty database it first ingests the configured feeds and then their history (90 days of the
# Google News searches, a week per request, resumable: see [backfill] in data/config.toml); when no feed
# can be reached (offline), it writes the clearly labelled synthetic demo dataset so there is something to
# explore.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh requirements.txt
stats() { .venv/bin/python -m dashboard stats --json | .venv/bin/python -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
if [ "$(stats articles)" = 0 ] || [ "$(stats history)" = pending ]; then
  echo "Fetching the configured feeds and their history first (an unfinished history resumes)." >&2
  .venv/bin/python -m dashboard ingest --history || true
  if [ "$(stats articles)" = 0 ]; then
    echo "No feed could be reached: writing the synthetic demo dataset instead (python -m dashboard demo)." >&2
    .venv/bin/python -m dashboard demo
  fi
fi
exec .venv/bin/python -m dashboard.ui.serve "$@"
