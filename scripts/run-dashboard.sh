#!/usr/bin/env bash
# Set up the environment and open the dashboard (extra arguments go to `streamlit run`).
# With an empty database it first tries to ingest the configured feeds; when none can be reached
# (offline), it writes the clearly labelled synthetic demo dataset so there is something to explore.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh requirements.txt
articles=$(.venv/bin/python -m dashboard stats --json | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["articles"])')
if [ "$articles" = 0 ]; then
  echo "The database is empty: fetching the configured feeds first." >&2
  .venv/bin/python -m dashboard ingest || true
  articles=$(.venv/bin/python -m dashboard stats --json | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["articles"])')
  if [ "$articles" = 0 ]; then
    echo "No feed could be reached: writing the synthetic demo dataset instead (python -m dashboard demo)." >&2
    .venv/bin/python -m dashboard demo
  fi
fi
exec .venv/bin/python -m dashboard.ui.serve "$@"
