#!/bin/sh
# Benchmark our BlazarFilter against blazar-nova 10.0.0's, in one command.
#
#   benchmarks/harness/run_filter_bench.sh [bench_filter options]
#
# Makes the peer virtualenv (.venv-peer: nova 34.0.0 + blazar-nova 10.0.0)
# when it is missing, runs both filters on the same data and prints the
# table; the figures go to benchmarks/results/filter-<date>.json.
#
# Environment:
#   OURS_PYTHON  python with this project, nova and openstack-placement
#                (default: the active virtualenv, else .venv, else a new
#                .venv-bench made from requirements.txt and
#                test-requirements.txt)
#   PEER_VENV    the peer virtualenv (default .venv-peer)
#   PYTHON       interpreter used to create virtualenvs (default python3)
set -eu

cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}
PEER_VENV=${PEER_VENV:-.venv-peer}

if ! "$PEER_VENV/bin/python" -c \
        'import blazarnova.scheduler.filters.blazar_filter' 2>/dev/null; then
    echo "Creating the peer virtualenv $PEER_VENV (blazar-nova 10.0.0)" >&2
    "$PYTHON" -m venv "$PEER_VENV"
    "$PEER_VENV/bin/pip" install -q 'SQLAlchemy<2.1' nova==34.0.0 \
        blazar-nova==10.0.0
fi

if [ -n "${OURS_PYTHON:-}" ]; then
    :
elif [ -n "${VIRTUAL_ENV:-}" ]; then
    OURS_PYTHON=$VIRTUAL_ENV/bin/python
elif [ -x .venv/bin/python ]; then
    OURS_PYTHON=.venv/bin/python
else
    OURS_PYTHON=.venv-bench/bin/python
    if ! [ -x "$OURS_PYTHON" ]; then
        echo "Creating .venv-bench for this project" >&2
        "$PYTHON" -m venv .venv-bench
        .venv-bench/bin/pip install -q -r requirements.txt \
            -r test-requirements.txt -e .
    fi
fi
if ! "$OURS_PYTHON" -c 'import nova, placement, blazar_nova' 2>/dev/null
then
    echo "$OURS_PYTHON cannot import nova, placement and blazar_nova;" \
         "set OURS_PYTHON" >&2
    exit 1
fi

mkdir -p benchmarks/results
PYTHONWARNINGS=ignore exec "$OURS_PYTHON" -m benchmarks.bench_filter \
    --peer-python "$PEER_VENV/bin/python" \
    --json "benchmarks/results/filter-$(date +%F).json" "$@"
