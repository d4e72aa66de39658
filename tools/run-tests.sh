#!/bin/bash
# Run the whole test suite in a fresh virtualenv: style, unit tests, and the
# functional tests on SQLite, MariaDB and PostgreSQL.
#
# Server-backed tests skip only when nothing listens on the server's port
# (127.0.0.1:3306 and :5432 by default, see
# placement_ext/testing/db_backends.py); when a server is up they run, and
# any failure to use it is an error.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${BLAZAR_NOVA_TEST_VENV:-.venv-test}
PYTHON=${PYTHON:-python3}

# The dashboard's browser tests (tests/cloud/test_dashboard.py) need
# Debian's chromium and chromium-driver: installed here when missing (as
# root, with apt-get), so that they run wherever the cloud can run. Without
# them those tests fail, never skip, when the cloud's servers are up.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "== apt-get install chromium chromium-driver"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            chromium chromium-driver >/dev/null
    else
        echo "WARNING: /usr/bin/chromium or /usr/bin/chromedriver missing;" \
             "the dashboard tests will fail (apt-get install chromium" \
             "chromium-driver)" >&2
    fi
fi

rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet -r requirements.txt -r test-requirements.txt \
    flake8 -e ".[service]"

echo "== flake8"
"$VENV/bin/flake8" placement_ext blazar_nova tests benchmarks

echo "== pytest"
exec "$VENV/bin/python" -m pytest -p no:cacheprovider -q -rs \
    --timeout=300 --timeout-method=signal --durations=20 tests "$@"
