# shellcheck shell=bash
#
# DevStack plugin of blazar-nova-placement: installs the package (the Nova
# scheduler filter, the reservation API, the lease agent), puts BlazarFilter
# into nova.conf, writes blazar-nova.conf, creates the database, the
# Keystone user and the "reservation" endpoint, and runs blazar-nova-api and
# blazar-nova-agent. DevStack sources this file with the phase as arguments
# ("stack install", "stack post-config", "stack extra", "unstack", "clean"),
# after devstack/settings. See devstack/README.md.

# Save trace setting
_XTRACE_BLAZAR_NOVA=$(set +o | grep xtrace)
set +o xtrace


# install_blazar_nova - the package, into the Python environment of
# nova-scheduler (DevStack's), so that the scheduler can import the filter;
# and the client, for "openstack reservation ...".
function install_blazar_nova {
    setup_develop "$BLAZAR_NOVA_DIR"
    pip_install python-blazarclient
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
    enabled=${enabled//[[:space:]]/}
    if [[ -z "$enabled" ]]; then
        enabled=$BLAZAR_NOVA_NOVA_DEFAULT_FILTERS
    fi
    if [[ ",$enabled," != *",BlazarFilter,"* ]]; then
        enabled="$enabled,BlazarFilter"
    fi
    iniset "$NOVA_CONF" filter_scheduler enabled_filters "$enabled"
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

    # Blazar's notifications, when DevStack runs a message broker.
    iniset_rpc_backend blazar-nova "$conf" oslo_messaging_notifications
    if [[ -n "$(iniget "$conf" oslo_messaging_notifications transport_url)" ]]; then
        iniset "$conf" oslo_messaging_notifications driver messagingv2
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
# and flavors) and Blazar's catalog entry.
function create_blazar_nova_accounts {
    create_service_user "$BLAZAR_NOVA_USER" admin
    get_or_create_service blazar reservation "Reservation service" >/dev/null
    get_or_create_endpoint reservation "$REGION_NAME" \
        "$BLAZAR_NOVA_SERVICE_PROTOCOL://$BLAZAR_NOVA_SERVICE_HOST:$BLAZAR_NOVA_API_PORT/v1" \
        >/dev/null
}

# start_blazar_nova - run_process starts only the enabled ones.
function start_blazar_nova {
    run_process blazar-nova-api \
        "$BLAZAR_NOVA_BIN_DIR/blazar-nova-api --config-file $BLAZAR_NOVA_CONF"
    run_process blazar-nova-agent \
        "$BLAZAR_NOVA_BIN_DIR/blazar-nova-agent --config-file $BLAZAR_NOVA_CONF"
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
            configure_blazar_nova_filter
        fi
        if is_service_enabled blazar-nova-api blazar-nova-agent; then
            echo_summary "Configuring blazar-nova-placement"
            configure_blazar_nova
            init_blazar_nova
            create_blazar_nova_accounts
        fi

    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting blazar-nova-placement"
        start_blazar_nova
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
