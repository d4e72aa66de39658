# shellcheck shell=bash
#
# A stand-in for DevStack's inc/async (our own implementation), for
# tests/unit/test_devstack_plugin.py: async_runfunc runs a shell function in
# the background under its own name, async_wait waits for the jobs named
# and returns the last failure's status. Not sourced by functions.sh: a
# DevStack without inc/async has no async_wait, which the plugin tolerates.
# The tests use DevStack's own inc/async instead when $DEVSTACK_DIR is set.

declare -A -g _STUB_ASYNC_PIDS

function async_runfunc {
    local name=$1
    "$@" &
    _STUB_ASYNC_PIDS[$name]=$!
}

function async_wait {
    local name rc=0
    for name in "$@"; do
        if [[ -n "${_STUB_ASYNC_PIDS[$name]:-}" ]]; then
            wait "${_STUB_ASYNC_PIDS[$name]}" || rc=$?
            unset "_STUB_ASYNC_PIDS[$name]"
        fi
    done
    return $rc
}
