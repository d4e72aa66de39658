# shellcheck shell=bash
#
# DevStack plugin of blazar-nova-placement: installs the package (the Nova
# scheduler filter, the reservation API, the lease agent), puts BlazarFilter
# into nova.conf, writes blazar-nova.conf, creates the database, the
# Keystone user and the "reservation" endpoint, and runs blazar-nova-api and
# blazar-nova-agent. DevStack sources this file with the phase as arguments
# ("stack install", "stack post-config", "stack extra", "stack test-config",
# "unstack", "clean"), after devstack/settings. See devstack/README.md.

# Save trace setting
_XTRACE_BLAZAR_NOVA=$(set +o | grep xtrace)
set +o xtrace


# _blazar_nova_scheduler_venv - the virtualenv nova-scheduler runs from
# when DevStack installs Nova into a venv of its own (USE_VENV=True:
# lib/nova sets PROJECT_VENV[nova] and runs nova-scheduler from its bin);
# nothing when Nova is in DevStack's Python environment.
function _blazar_nova_scheduler_venv {
    if [[ "${USE_VENV:-False}" != "True" ]]; then
        return 0
    fi
    local venv=""
    if declare -p PROJECT_VENV 2>/dev/null | grep -q '^declare -A'; then
        venv=${PROJECT_VENV[nova]:-}
    fi
    if [[ -z "$venv" && -n "${NOVA_BIN_DIR:-}" ]]; then
        venv=${NOVA_BIN_DIR%/bin}
    fi
    echo "$venv"
}

# install_blazar_nova - the package into DevStack's Python environment,
# with the "service" extra (the reservation service's dependencies) where
# blazar-nova-api or blazar-nova-agent runs (blazar-nova-manage,
# blazar-nova-api and blazar-nova-agent land in $BLAZAR_NOVA_BIN_DIR), the
# filter's requirements alone elsewhere; on nova-scheduler's node also into
# Nova's venv when DevStack made one, so that the scheduler can import the
# filter (DevStack's own way of installing into a venv: PIP_VIRTUAL_ENV
# around setup_develop); and the client, for "openstack reservation ...".
function install_blazar_nova {
    if is_service_enabled blazar-nova-api blazar-nova-agent; then
        setup_develop "$BLAZAR_NOVA_DIR" service
    else
        setup_develop "$BLAZAR_NOVA_DIR"
    fi

    local nova_venv
    nova_venv=$(_blazar_nova_scheduler_venv)
    if is_service_enabled n-sch && [[ -n "$nova_venv" ]]; then
        if [[ ! -d "$nova_venv" ]]; then
            die $LINENO "USE_VENV=True but Nova's venv $nova_venv is missing"
        fi
        PIP_VIRTUAL_ENV=$nova_venv setup_develop "$BLAZAR_NOVA_DIR"
    fi

    # uwsgi and Apache's mod_proxy_uwsgi: stack.sh installs them itself
    # (install_apache_uwsgi) before the plugins' install phase.
    pip_install python-blazarclient
}

# _blazar_nova_append_filter LIST - LIST (comma separated, spaces dropped)
# with BlazarFilter at the end, once; DevStack's filter list if LIST is
# empty.
function _blazar_nova_append_filter {
    local filters=${1//[[:space:]]/}
    if [[ -z "$filters" ]]; then
        filters=${NOVA_FILTERS:-$BLAZAR_NOVA_NOVA_DEFAULT_FILTERS}
    fi
    if [[ ",$filters," != *",BlazarFilter,"* ]]; then
        filters="$filters,BlazarFilter"
    fi
    echo "$filters"
}

# configure_blazar_nova_filter - BlazarFilter in nova.conf, the lines of
# doc/filter.md. available_filters is a MultiStrOpt: our class is added as a
# second line next to nova.scheduler.filters.all_filters (which nova uses
# when the option is absent, so it is written first in that case).
# DevStack's iniadd appends even a value already present, hence the checks:
# running this twice changes nothing.
function configure_blazar_nova_filter {
    local available enabled

    available=$(iniget_multiline "$NOVA_CONF" filter_scheduler available_filters)
    if [[ -z "$available" ]]; then
        iniset "$NOVA_CONF" filter_scheduler available_filters \
            nova.scheduler.filters.all_filters
    fi
    if [[ " $available " != *" $BLAZAR_NOVA_FILTER "* ]]; then
        iniadd "$NOVA_CONF" filter_scheduler available_filters \
            "$BLAZAR_NOVA_FILTER"
    fi

    enabled=$(iniget "$NOVA_CONF" filter_scheduler enabled_filters)
    enabled=$(_blazar_nova_append_filter "$enabled")
    iniset "$NOVA_CONF" filter_scheduler enabled_filters "$enabled"
}

# _blazar_nova_wait_for_nova_conf - stack.sh runs configure_neutron_nova in
# the background (async_runfunc) while the post-config phase runs, and it
# rewrites nova.conf; DevStack itself waits for it (async_wait
# configure_neutron_nova) before its own nova.conf settings. Waiting here
# first leaves stack.sh's later wait a no-op. DevStacks older than inc/async
# have no background jobs and no async_wait.
function _blazar_nova_wait_for_nova_conf {
    if declare -F async_wait >/dev/null; then
        async_wait configure_neutron_nova
    fi
}

# configure_blazar_nova_tempest - Tempest is told BlazarFilter is enabled:
# lib/tempest writes DevStack's NOVA_FILTERS into [compute-feature-enabled]
# scheduler_enabled_filters (scheduler_available_filters is that option's
# deprecated name, read when the new one is absent).
function configure_blazar_nova_tempest {
    local filters
    filters=$(iniget "$TEMPEST_CONFIG" compute-feature-enabled \
        scheduler_enabled_filters)
    if [[ -z "$filters" ]]; then
        filters=$(iniget "$TEMPEST_CONFIG" compute-feature-enabled \
            scheduler_available_filters)
    fi
    filters=$(_blazar_nova_append_filter "$filters")
    iniset "$TEMPEST_CONFIG" compute-feature-enabled \
        scheduler_enabled_filters "$filters"
}

# _blazar_nova_keystoneauth conf section - keystoneauth1 options of the
# service user, for [placement], [nova] and [glance].
function _blazar_nova_keystoneauth {
    local conf=$1
    local section=$2

    iniset "$conf" "$section" auth_type password
    iniset "$conf" "$section" auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$conf" "$section" username "$BLAZAR_NOVA_USER"
    iniset "$conf" "$section" password "$SERVICE_PASSWORD"
    iniset "$conf" "$section" project_name "$SERVICE_PROJECT_NAME"
    iniset "$conf" "$section" user_domain_name "${SERVICE_DOMAIN_NAME:-Default}"
    iniset "$conf" "$section" project_domain_name "${SERVICE_DOMAIN_NAME:-Default}"
    iniset "$conf" "$section" region_name "$REGION_NAME"
}

# configure_blazar_nova - blazar-nova.conf, written afresh (local.conf's
# [[post-config|$BLAZAR_NOVA_CONF]] is merged into it afterwards).
function configure_blazar_nova {
    local conf=$BLAZAR_NOVA_CONF

    sudo install -d -o "$STACK_USER" -m 755 "$BLAZAR_NOVA_CONF_DIR"
    rm -f "$conf"

    iniset "$conf" DEFAULT debug "$BLAZAR_NOVA_DEBUG"
    iniset "$conf" database connection \
        "$(database_connection_url "$BLAZAR_NOVA_DB_NAME")"

    iniset "$conf" api bind_host "$BLAZAR_NOVA_LISTEN_ADDRESS"
    iniset "$conf" api bind_port "$BLAZAR_NOVA_API_PORT"
    iniset "$conf" api auth_strategy keystone
    configure_keystone_authtoken_middleware "$conf" "$BLAZAR_NOVA_USER"

    _blazar_nova_keystoneauth "$conf" placement
    _blazar_nova_keystoneauth "$conf" nova
    _blazar_nova_keystoneauth "$conf" glance

    iniset "$conf" agent host "$(hostname)"

    if [[ "$BLAZAR_NOVA_USE_UWSGI" == "True" ]] && \
            is_service_enabled blazar-nova-api; then
        _blazar_nova_write_uwsgi_config
    fi

    # Blazar's notifications, when DevStack runs a message broker.
    iniset_rpc_backend blazar-nova "$conf" oslo_messaging_notifications
    if [[ -n "$(iniget "$conf" oslo_messaging_notifications transport_url)" ]]; then
        iniset "$conf" oslo_messaging_notifications driver messagingv2
    fi
}

# _blazar_nova_write_uwsgi_config - DevStack's uwsgi configuration of an
# API behind Apache (a unix socket, ProxyPass of $BLAZAR_NOVA_API_PATH),
# plus the configuration file the WSGI module reads.
# BLAZAR_NOVA_CONFIG_FILE is its name; BLAZAR_NOVA_CONFIG is set too for
# the module's earlier versions.
function _blazar_nova_write_uwsgi_config {
    local conf=$BLAZAR_NOVA_UWSGI_CONF
    write_uwsgi_config "$conf" "$BLAZAR_NOVA_UWSGI" "$BLAZAR_NOVA_API_PATH" \
        "" blazar-nova-api
    iniset "$conf" uwsgi env "BLAZAR_NOVA_CONFIG_FILE=$BLAZAR_NOVA_CONF"
    iniadd "$conf" uwsgi env "BLAZAR_NOVA_CONFIG=$BLAZAR_NOVA_CONF"
}

# _blazar_nova_api_url - where the API answers: under Apache at
# $BLAZAR_NOVA_API_PATH with uwsgi, on its own port otherwise. DevStack's
# SERVICE_HOST is already bracketed for IPv6 (SERVICE_IP_VERSION=6).
function _blazar_nova_api_url {
    local base="$BLAZAR_NOVA_SERVICE_PROTOCOL://$BLAZAR_NOVA_SERVICE_HOST"
    if [[ "$BLAZAR_NOVA_USE_UWSGI" == "True" ]]; then
        echo "$base$BLAZAR_NOVA_API_PATH"
    else
        echo "$base:$BLAZAR_NOVA_API_PORT"
    fi
}

# init_blazar_nova - an empty database and its schema.
function init_blazar_nova {
    recreate_database "$BLAZAR_NOVA_DB_NAME"
    "$BLAZAR_NOVA_BIN_DIR/blazar-nova-manage" --config-file "$BLAZAR_NOVA_CONF" \
        db sync
}

# create_blazar_nova_accounts - the service user (admin in the service
# project: the agent writes Placement and manages other projects' servers
# and flavors; member of every project of the default domain, inherited,
# so that it makes an instance reservation's server group in the lease's
# project) and Blazar's catalog entry.
function create_blazar_nova_accounts {
    create_service_user "$BLAZAR_NOVA_USER" admin
    openstack role add --user "$BLAZAR_NOVA_USER" \
        --user-domain "${SERVICE_DOMAIN_NAME:-Default}" \
        --domain default --inherited member
    get_or_create_service blazar reservation "Reservation service" >/dev/null
    get_or_create_endpoint reservation "$REGION_NAME" \
        "$(_blazar_nova_api_url)/v1" >/dev/null
}

# _blazar_nova_check_running service - dies unless systemd's unit of
# service (devstack@service, written by run_process) stays active for
# $BLAZAR_NOVA_AGENT_START_CHECK seconds: a process that exits at start
# (bad configuration, missing module) fails stack.sh here.
function _blazar_nova_check_running {
    local service=$1
    local unit="devstack@$service.service"
    local systemctl=${SYSTEMCTL:-sudo systemctl}
    local i
    for ((i = 0; i <= BLAZAR_NOVA_AGENT_START_CHECK; i++)); do
        if ((i > 0)); then
            sleep 1
        fi
        if ! $systemctl is-active --quiet "$unit"; then
            die $LINENO "$service is not running (see journalctl -u $unit)"
        fi
    done
}

# start_blazar_nova - run_process starts only the enabled ones; stack.sh
# fails when the API does not answer within $SERVICE_TIMEOUT (DevStack's
# wait_for_service, as for its own APIs) or the agent dies at start.
function start_blazar_nova {
    if [[ "$BLAZAR_NOVA_USE_UWSGI" == "True" ]]; then
        run_process blazar-nova-api \
            "$(which uwsgi) --procname-prefix blazar-nova-api --ini $BLAZAR_NOVA_UWSGI_CONF"
    else
        run_process blazar-nova-api \
            "$BLAZAR_NOVA_BIN_DIR/blazar-nova-api --config-file $BLAZAR_NOVA_CONF"
    fi
    run_process blazar-nova-agent \
        "$BLAZAR_NOVA_BIN_DIR/blazar-nova-agent --config-file $BLAZAR_NOVA_CONF"

    if is_service_enabled blazar-nova-api; then
        local url status
        url="$(_blazar_nova_api_url)/"
        echo "Waiting for blazar-nova-api to start..."
        if ! wait_for_service "${SERVICE_TIMEOUT:-60}" "$url"; then
            die $LINENO "blazar-nova-api did not start"
        fi
        # wait_for_service accepts any answer but 503; the WSGI module
        # builds the application at the first request, whose failure is a
        # 500: the version document must come back.
        status=$(${CURL_GET:-curl -g} -k --noproxy '*' -s -o /dev/null \
            -w '%{http_code}' "$url") || true
        if [[ "$status" != 2* && "$status" != 3* ]]; then
            die $LINENO "blazar-nova-api answers $url with HTTP $status"
        fi
    fi
    if is_service_enabled blazar-nova-agent; then
        _blazar_nova_check_running blazar-nova-agent
    fi
}

function stop_blazar_nova {
    stop_process blazar-nova-api
    stop_process blazar-nova-agent
}

# _blazar_nova_drop_database - DevStack has recreate_database but no drop.
function _blazar_nova_drop_database {
    case "$DATABASE_TYPE" in
        mysql)
            mysql -u"$DATABASE_USER" -p"$DATABASE_PASSWORD" -h"$MYSQL_HOST" \
                -e "DROP DATABASE IF EXISTS $BLAZAR_NOVA_DB_NAME;"
            ;;
        postgresql)
            psql -h"$DATABASE_HOST" -U"$DATABASE_USER" -dtemplate1 \
                -c "DROP DATABASE IF EXISTS $BLAZAR_NOVA_DB_NAME"
            ;;
    esac
}

# cleanup_blazar_nova - clean.sh runs "unstack.sh --all" first, which stops
# the database server; the drop then fails and clean.sh's own database
# cleanup removes the data, so a failed drop is only reported.
function cleanup_blazar_nova {
    if declare -F remove_uwsgi_config >/dev/null; then
        sudo rm -f "$(apache_site_config_for blazar-nova-api)"
        remove_uwsgi_config "$BLAZAR_NOVA_UWSGI_CONF" blazar-nova-api
    fi
    sudo rm -rf "$BLAZAR_NOVA_CONF_DIR"
    if ! _blazar_nova_drop_database; then
        echo "blazar-nova-placement: could not drop database" \
            "$BLAZAR_NOVA_DB_NAME (is the database server stopped?)" >&2
    fi
}


# Dispatch. nova-scheduler's node needs the package and the nova.conf lines;
# the service nodes need everything else.
if is_service_enabled blazar-nova-api blazar-nova-agent n-sch; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing blazar-nova-placement"
        install_blazar_nova

    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        # stack.sh starts nova-scheduler after this phase, so it loads the
        # filter at its first start: no restart needed.
        if is_service_enabled n-sch; then
            echo_summary "Enabling BlazarFilter in nova-scheduler"
            _blazar_nova_wait_for_nova_conf
            configure_blazar_nova_filter
        fi
        if is_service_enabled blazar-nova-api blazar-nova-agent; then
            echo_summary "Configuring blazar-nova-placement"
            configure_blazar_nova
            # The database only where DevStack runs the database server
            # (as lib/nova's init_nova): not on a compute-only node.
            # shellcheck disable=SC2086
            if is_service_enabled ${DATABASE_BACKENDS:-mysql postgresql}; then
                init_blazar_nova
            fi
            create_blazar_nova_accounts
        fi

    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting blazar-nova-placement"
        start_blazar_nova

    elif [[ "$1" == "stack" && "$2" == "test-config" ]]; then
        if is_service_enabled tempest && [[ -f "${TEMPEST_CONFIG:-}" ]]; then
            echo_summary "Telling Tempest BlazarFilter is enabled"
            configure_blazar_nova_tempest
        fi
    fi

    if [[ "$1" == "unstack" ]]; then
        stop_blazar_nova
    fi

    if [[ "$1" == "clean" ]]; then
        cleanup_blazar_nova
    fi
fi

# Restore xtrace
$_XTRACE_BLAZAR_NOVA
