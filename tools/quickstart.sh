#!/bin/bash
# Set up a virtualenv, create the reservation store on the embedded default
# (SQLite under ~/.local/state/blazar-nova), enrol demo hosts the first
# time, and show the free calendar of the next two days.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${BLAZAR_NOVA_VENV:-.venv}
PYTHON=${PYTHON:-python3}
DEMO_HOSTS=${DEMO_HOSTS:-4}

if [ ! -x "$VENV/bin/blazar-nova-manage" ]; then
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet -r requirements.txt -e .
fi
MANAGE="$VENV/bin/blazar-nova-manage"

echo "Schema revision: $("$MANAGE" db sync)"
if [ "$("$MANAGE" host list | wc -l)" -le 1 ]; then
    for i in $(seq 1 "$DEMO_HOSTS"); do
        "$MANAGE" host add "$(printf 'demo-cn%02d' "$i")" --vcpus 32 \
            --memory-mb 131072 --local-gb 1000 \
            --property "rack=r$(( i % 2 + 1 ))" >/dev/null
    done
fi
"$MANAGE" host list
echo
"$MANAGE" calendar --days 2
