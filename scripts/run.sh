#!/usr/bin/env bash
# Set up the pinned environment and serve the planning map on the shipped data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
exec .venv/bin/python -m streamlit run app.py "$@"
