#!/bin/bash
# Set up a virtualenv, then run the whole reservation service locally with
# blazar-nova-aio: Placement, the reservation API and the lease agent on
# 127.0.0.1, state under ~/.local/state/blazar-nova, three demo hosts
# enrolled the first time. It prints the endpoints and the commands to try;
# Ctrl-C stops it. Extra arguments go to blazar-nova-aio (--help lists them).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${BLAZAR_NOVA_VENV:-.venv}
PYTHON=${PYTHON:-python3}
DEMO_HOSTS=${DEMO_HOSTS:-3}

# Placement itself and the clients the printed commands use come on top of
# requirements.txt (openstack-placement pinned as in test-requirements.txt).
NEEDED='import placement, blazarclient, osc_placement'
if [ ! -x "$VENV/bin/blazar-nova-aio" ] || [ ! -x "$VENV/bin/openstack" ] \
        || ! "$VENV/bin/python" -c "$NEEDED" 2>/dev/null; then
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet -r requirements.txt \
        openstack-placement==16.0.0 python-openstackclient \
        python-blazarclient osc-placement -e ".[service]"
fi

exec "$VENV/bin/blazar-nova-aio" --demo-hosts "$DEMO_HOSTS" "$@"
