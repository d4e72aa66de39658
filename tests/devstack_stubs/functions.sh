# shellcheck shell=bash
#
# Stand-ins for the DevStack functions devstack/plugin.sh and
# devstack/settings call, for tests/unit/test_devstack_plugin.py.
#
# The INI functions behave as DevStack's do (iniset replaces an option's
# lines, iniadd appends values, iniget reads the first) and really edit the
# files, through our own ini_tool.py. tests/unit/test_devstack_plugin.py
# also runs the plugin against DevStack's own inc/ini-config and inc/async
# when a DevStack checkout is at hand ($DEVSTACK_DIR). Everything that would reach Keystone, a database
# server, pip or systemd is replaced by a stub that appends one line to
# $STUB_CALLS: the function's name and its arguments, separated by tabs.
# The test sets the variables DevStack defines (DEST, NOVA_CONF, ...) in the
# environment.

_INI_TOOL="$(dirname "${BASH_SOURCE[0]}")/ini_tool.py"

function _ini {
    "${PYTHON:-python3}" "$_INI_TOOL" "$@"
}

function iniget {
    _ini get "$1" "$2" "$3"
}

function iniget_multiline {
    _ini get_multiline "$1" "$2" "$3"
}

function ini_has_option {
    _ini has "$1" "$2" "$3"
}

function iniset {
    [[ "$1" == "-sudo" ]] && shift
    local file=$1 section=$2 option=$3
    shift 3
    _ini set "$file" "$section" "$option" "$*"
}

function iniset_multiline {
    [[ "$1" == "-sudo" ]] && shift
    _ini set_multiline "$@"
}

function iniadd {
    [[ "$1" == "-sudo" ]] && shift
    local file=$1 section=$2 option=$3
    shift 3
    local -a current=()
    read -r -a current < <(iniget_multiline "$file" "$section" "$option")
    iniset_multiline "$file" "$section" "$option" "${current[@]}" "$@"
}

function _stub_record {
    local IFS=$'\t'
    echo "$*" >> "$STUB_CALLS"
}

# functions-common: the same membership test as DevStack's (without its
# legacy "nova"/"glance"/... catch-alls, which the plugin does not use).
function is_service_enabled {
    local service
    for service in "$@"; do
        [[ ,${ENABLED_SERVICES}, =~ ,${service}, ]] && return 0
    done
    return 1
}

# As DevStack's, enable_service leaves alone what local.conf's
# disable_service disabled (sourced before the plugin's settings).
function enable_service {
    local service
    for service in "$@"; do
        [[ ,${DISABLED_SERVICES:-}, =~ ,${service}, ]] && continue
        is_service_enabled "$service" || ENABLED_SERVICES+=",$service"
    done
    ENABLED_SERVICES=${ENABLED_SERVICES#,}
}

function disable_service {
    local service
    local enabled=",$ENABLED_SERVICES,"
    for service in "$@"; do
        DISABLED_SERVICES="${DISABLED_SERVICES:+$DISABLED_SERVICES,}$service"
        enabled=${enabled//,$service,/,}
    done
    enabled=${enabled#,}
    ENABLED_SERVICES=${enabled%,}
}

function echo_summary {
    echo "$@"
}

# functions-common
function trueorfalse {
    local default=$1
    local testval=${!2:-}
    case "$testval" in
        1 | [yY]es | YES | [tT]rue | TRUE) echo True ;;
        0 | [nN]o | NO | [fF]alse | FALSE) echo False ;;
        *) echo "$default" ;;
    esac
}

# functions-common: like DevStack's, reports and exits (stack.sh stops).
function die {
    local line=$1
    shift
    echo "[ERROR] line $line: $*" >&2
    exit 1
}

function ipv6_unquote {
    echo "$1" | tr -d '[]'
}

function get_python_exec_prefix {
    echo /usr/local/bin
}

# sudo runs the command as the test's user (no sudo on test machines).
function sudo {
    _stub_record sudo "$@"
    "$@"
}

# inc/python. setup_develop also records the venv pip_install would use
# (DevStack's installs into $PIP_VIRTUAL_ENV when it is set).
function setup_develop {
    _stub_record setup_develop "$@" "venv=${PIP_VIRTUAL_ENV:-}"
}

function pip_install {
    _stub_record pip_install "$@"
}

# functions-common / lib/keystone: Keystone calls, recorded. Like DevStack's,
# the get_or_create_* functions print an id.
function get_or_create_service {
    _stub_record get_or_create_service "$@"
    echo "service-id-$2"
}

function get_or_create_user {
    _stub_record get_or_create_user "$@"
    echo "user-id-$1"
}

function get_or_add_user_project_role {
    _stub_record get_or_add_user_project_role "$@"
    echo "role-id-$1"
}

function create_service_user {
    _stub_record create_service_user "$@"
}

function openstack {
    _stub_record openstack "$@"
}

function get_or_create_endpoint {
    _stub_record get_or_create_endpoint "$@"
    echo "endpoint-id"
}

# lib/keystone's configure_keystone_authtoken_middleware, writing what
# DevStack's writes (configure_keystoneauth and the authtoken extras).
function configure_keystone_authtoken_middleware {
    _stub_record configure_keystone_authtoken_middleware "$@"
    local conf_file=$1
    local admin_user=$2
    local section=${3:-keystone_authtoken}
    iniset "$conf_file" "$section" auth_type password
    iniset "$conf_file" "$section" interface public
    iniset "$conf_file" "$section" auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$conf_file" "$section" username "$admin_user"
    iniset "$conf_file" "$section" password "$SERVICE_PASSWORD"
    iniset "$conf_file" "$section" user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$conf_file" "$section" project_name "$SERVICE_PROJECT_NAME"
    iniset "$conf_file" "$section" project_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$conf_file" "$section" www_authenticate_uri "$KEYSTONE_SERVICE_URI"
}

# lib/rpc_backend: like DevStack's, writes transport_url only when RabbitMQ
# is enabled.
function iniset_rpc_backend {
    _stub_record iniset_rpc_backend "$@"
    local file=$2
    local section=${3:-DEFAULT}
    if is_service_enabled rabbit; then
        iniset "$file" "$section" transport_url \
            "rabbit://stackrabbit:secret@127.0.0.1:5672/$4"
    fi
}

# lib/database
function database_connection_url {
    echo "sqlite:///$STUB_STATE/$1.sqlite"
}

function recreate_database {
    _stub_record recreate_database "$@"
}

# functions-common: processes under systemd, recorded. The test points
# $SYSTEMCTL at a fake systemctl.
function run_process {
    _stub_record run_process "$@"
}

# functions: DevStack's polls the URL until it answers (not 503, not
# refused) or the timeout passes; here the test chooses the outcome.
function wait_for_service {
    _stub_record wait_for_service "$@"
    return "${FAKE_WAIT_FOR_SERVICE_RC:-0}"
}

# lib/apache: the uwsgi configuration DevStack writes for an API behind
# Apache (module, unix socket; or an http address when asked), recorded;
# the Apache site is a file in $STUB_STATE.
function write_uwsgi_config {
    _stub_record write_uwsgi_config "$@"
    local conf=$1 wsgi=$2 url=$3 http=$4 name=$5
    rm -f "$conf"
    iniset "$conf" uwsgi module "$wsgi"
    iniset "$conf" uwsgi master true
    if [[ -n "$http" ]]; then
        iniset "$conf" uwsgi http "$http"
    else
        iniset "$conf" uwsgi socket "/var/run/uwsgi/$name.socket"
        echo "ProxyPass \"$url\" \"unix:/var/run/uwsgi/$name.socket|uwsgi://uwsgi-uds-$name\"" \
            >> "$(apache_site_config_for "$name")"
    fi
}

function remove_uwsgi_config {
    _stub_record remove_uwsgi_config "$@"
    rm -f "$1"
}

function apache_site_config_for {
    echo "$STUB_STATE/apache-site-$1.conf"
}

function stop_process {
    _stub_record stop_process "$@"
}
