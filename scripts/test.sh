#!/usr/bin/env bash
# Set up everything the tests need on a fresh Debian machine, then run the whole suite.
# Browser tests use Debian's Chromium (/usr/bin/chromium) driven by Playwright; they fail,
# not skip, when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! [ -x /usr/bin/chromium ] || ! command -v pdftoppm >/dev/null || ! command -v ogrinfo >/dev/null || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    chromium fonts-noto-cjk fonts-liberation gdal-bin poppler-utils >/dev/null
fi
# The PostGIS store's tests (marker `postgis`) start a throwaway cluster of Debian's PostgreSQL with PostGIS
# (tests/postgis_cluster.py: initdb and pg_ctl as the postgres user, a unix socket in a temp folder, stopped at
# the end of the session); they fail, not skip, when it is missing.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    postgresql postgresql-15-postgis-3 >/dev/null
fi
bash scripts/setup.sh requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
