#!/bin/bash
# A real OpenStack cloud on this machine (Keystone, Glance, Placement,
# Neutron's API, Nova with BlazarFilter and three fake computes, the
# reservation API and the lease agent), each service its own process on
# 127.0.0.1:
#
#   ./tools/cloud.sh up       # build .venv-cloud if needed, start, print
#                             # OS_CLIENT_CONFIG_FILE=... as the last line
#   ./tools/cloud.sh status   # what runs, its memory
#   ./tools/cloud.sh down     # stop everything, drop databases and vhost
#
# The work is done by the Python package tools/cloud (standard library
# only); see doc/cloud.md.
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-python3}" -m tools.cloud "$@"
