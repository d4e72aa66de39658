"""The configuration files of every service, written under ``etc/``.

Each service reads its own folder: ``etc/<service>/``. The controller's
nova.conf (nova-api, nova-conductor, nova-scheduler, as DevStack shares
it) gets BlazarFilter from the DevStack plugin's own function
(``filter_lines``); each nova-compute has a folder of its own because
Nova keeps the node's identity file (``compute_id``) beside its
configuration. Services authenticate as their Keystone service user
(``secrets`` holds the passwords) and log to stderr, which goes to their
log file.
"""

import shutil

from tools.cloud import inifile
from tools.cloud import layout

# Where Nova's, Glance's and Neutron's packages install their paste files,
# relative to the venv.
PASTE_FILES = {
    'nova': 'etc/nova/api-paste.ini',
    'glance': 'etc/glance/glance-api-paste.ini',
    'neutron': 'etc/neutron/api-paste.ini',
}
KEYSTONE_ROOT = layout.url('keystone')
CONTROLLER_HOST = 'cloud-control'
AGENT_HOST = 'cloud-agent'
SERVICE_DOWN_TIME = 20
# Seconds between the scheduler's looks for unmapped compute hosts.
DISCOVER_HOSTS_INTERVAL = 2


def keystoneauth(user, password):
    """keystoneauth1 password options of a service user (project
    ``service``), as DevStack writes them."""
    return {
        'auth_type': 'password',
        'auth_url': KEYSTONE_ROOT,
        'username': user,
        'password': password,
        'project_name': layout.SERVICE_PROJECT,
        'user_domain_name': layout.DOMAIN,
        'project_domain_name': layout.DOMAIN,
        'region_name': layout.REGION,
    }


def authtoken(user, password):
    """keystonemiddleware's ``[keystone_authtoken]`` for a service user."""
    section = keystoneauth(user, password)
    section.update({'www_authenticate_uri': KEYSTONE_ROOT,
                    'interface': 'public'})
    return section


def _folder(lay, name):
    folder = lay.conf_dir(name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def logging_defaults():
    return {'use_stderr': True, 'debug': False}


def keystone(lay):
    folder = _folder(lay, 'keystone')
    return inifile.write(folder / 'keystone.conf', {
        'DEFAULT': logging_defaults(),
        'database': {'connection': layout.database_url('keystone')},
        'token': {'provider': 'fernet'},
        'fernet_tokens': {'key_repository': folder / 'fernet-keys'},
        'credential': {'key_repository': folder / 'credential-keys'},
        # bcrypt's cheapest cost: a token costs milliseconds, not 0.3 s of
        # CPU, for a cloud that tests authenticate against all the time.
        'identity': {'password_hash_rounds': 4},
    })


def glance(lay, venv, secrets):
    folder = _folder(lay, 'glance')
    store = lay.data / 'glance'
    for part in ('images', 'staging', 'tasks'):
        (store / part).mkdir(parents=True, exist_ok=True)
    shutil.copy(venv / PASTE_FILES['glance'], folder / 'glance-api-paste.ini')
    return inifile.write(folder / 'glance-api.conf', {
        'DEFAULT': dict(logging_defaults(), **{
            'enabled_backends': 'fs:file',
            'worker_self_reference_url': layout.url('glance'),
        }),
        'database': {'connection': layout.database_url('glance')},
        'glance_store': {'default_backend': 'fs'},
        'fs': {'filesystem_store_datadir': store / 'images'},
        'os_glance_staging_store': {
            'filesystem_store_datadir': store / 'staging'},
        'os_glance_tasks_store': {
            'filesystem_store_datadir': store / 'tasks'},
        'oslo_concurrency': {'lock_path': store / 'locks'},
        'paste_deploy': {'flavor': 'keystone'},
        'keystone_authtoken': authtoken('glance', secrets['glance']),
    })


def placement(lay, secrets):
    return inifile.write(lay.conf_dir('placement') / 'placement.conf', {
        'DEFAULT': logging_defaults(),
        'api': {'auth_strategy': 'keystone'},
        'placement_database': {
            'connection': layout.database_url('placement')},
        'keystone_authtoken': authtoken('placement', secrets['placement']),
    })


def neutron(lay, venv, secrets):
    """neutron-server's API with ML2 and no mechanism driver, no agents:
    enough to answer Nova about ports and security groups. The ``router``
    service plugin is there because the port listing refers to the port
    forwarding model, which only the L3 code imports."""
    folder = _folder(lay, 'neutron')
    (lay.data / 'neutron').mkdir(parents=True, exist_ok=True)
    shutil.copy(venv / PASTE_FILES['neutron'], folder / 'api-paste.ini')
    return inifile.write(folder / 'neutron.conf', {
        'DEFAULT': dict(logging_defaults(), **{
            'core_plugin': 'ml2',
            'service_plugins': 'router',
            'auth_strategy': 'keystone',
            'transport_url': layout.transport_url(),
            'state_path': lay.data / 'neutron',
            'notify_nova_on_port_status_changes': False,
            'notify_nova_on_port_data_changes': False,
        }),
        'database': {'connection': layout.database_url('neutron')},
        'ml2': {'type_drivers': 'flat', 'project_network_types': '',
                'mechanism_drivers': '', 'extension_drivers': ''},
        'oslo_concurrency': {'lock_path': lay.data / 'neutron' / 'locks'},
        'keystone_authtoken': authtoken('neutron', secrets['neutron']),
    })


def _nova_common(host, state_path, secrets):
    # Nova writes the node identity (compute_id) there: it must exist.
    state_path.mkdir(parents=True, exist_ok=True)
    return {
        'DEFAULT': dict(logging_defaults(), **{
            'host': host,
            'state_path': state_path,
            'my_ip': layout.HOST,
            'transport_url': layout.transport_url(),
        }),
        'oslo_concurrency': {'lock_path': state_path / 'locks'},
        'placement': keystoneauth('nova', secrets['nova']),
        'neutron': keystoneauth('nova', secrets['nova']),
        'vnc': {'enabled': False},
    }


def nova_controller(lay, venv, secrets):
    """nova.conf of nova-api, nova-conductor and nova-scheduler (without
    the filter lines, which ``filter_lines`` adds)."""
    folder = _folder(lay, 'nova')
    shutil.copy(venv / PASTE_FILES['nova'], folder / 'api-paste.ini')
    sections = _nova_common(CONTROLLER_HOST, lay.data / 'nova', secrets)
    # The scheduler's periodic tasks (host discovery among them) start at
    # once, not after a random delay of up to 60 s.
    sections['DEFAULT']['periodic_fuzzy_delay'] = 0
    # A compute that stopped reporting (every 10 s) is down after 20 s, not
    # Nova's 60: with the agent's heal_interval of 20 s a stopped host's
    # lease gets a replacement within a minute (tests/cloud).
    sections['DEFAULT']['service_down_time'] = SERVICE_DOWN_TIME
    sections.update({
        'api_database': {'connection': layout.database_url('nova_api')},
        'database': {'connection': layout.database_url('nova_cell1')},
        'conductor': {'workers': 1},
        'scheduler': {
            'workers': 1,
            'discover_hosts_in_cells_interval': DISCOVER_HOSTS_INTERVAL,
        },
        'keystone_authtoken': authtoken('nova', secrets['nova']),
    })
    return inifile.write(folder / 'nova.conf', sections)


def nova_compute(lay, host, secrets):
    """nova.conf of the nova-compute of ``host``: Nova's fake driver,
    which reports one node named after the host; no database."""
    sections = _nova_common(host, lay.data / host, secrets)
    sections['DEFAULT']['compute_driver'] = 'fake.FakeDriverWithoutFakeNodes'
    return inifile.write(lay.conf_dir('nova-compute-' + host) / 'nova.conf',
                         sections)


def blazar_nova(lay, secrets):
    """blazar-nova.conf of the reservation API and the lease agent: the
    sections devstack/plugin.sh's configure_blazar_nova writes."""
    service = keystoneauth('blazar', secrets['blazar'])
    return inifile.write(lay.conf_dir('blazar-nova') / 'blazar-nova.conf', {
        'DEFAULT': logging_defaults(),
        'database': {
            'connection': layout.database_url('blazar_nova', 'utf8mb4')},
        'api': {'bind_host': layout.HOST,
                'bind_port': layout.PORTS['blazar-nova-api'],
                'auth_strategy': 'keystone'},
        'keystone_authtoken': authtoken('blazar', secrets['blazar']),
        'placement': service,
        'nova': service,
        'glance': service,
        'agent': {'host': AGENT_HOST},
        'oslo_messaging_notifications': {
            'driver': 'messagingv2',
            'transport_url': layout.transport_url()},
    })
