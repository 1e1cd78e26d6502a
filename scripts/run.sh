#!/usr/bin/env bash
# Set up the pinned environment and serve the planning map on the shipped data.
# Fact-sheet PDFs are printed by headless Chromium with the Noto CJK fonts: install them when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! [ -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
fi
bash scripts/setup.sh requirements.txt
exec .venv/bin/python -m streamlit run server.py "$@"
