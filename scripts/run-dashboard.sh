#!/usr/bin/env bash
# Set up the environment and open the dashboard (extra arguments go to `streamlit run`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh requirements.txt
exec .venv/bin/python -m streamlit run app.py "$@"
