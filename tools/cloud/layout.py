"""Where the cloud lives and what it is called.

Every file the cloud writes is under one state directory,
``$BLAZAR_NOVA_CLOUD_DIR`` (default ``~/.local/state/blazar-nova/cloud``):
``etc/`` (configuration), ``logs/`` (one log per process and per setup
step; ``logs.previous/``: those of the run before), ``run/`` (pid files),
``data/`` (Glance's store, the computes' state paths), ``cloud.json``
(passwords, ids and timings of this build), ``clouds.yaml`` and ``lock``
(held by ``up`` and ``down``). Every service listens on 127.0.0.1 on a
fixed port (OpenStack's usual ones, Blazar's 1234, the dashboard's 8080).
Its databases are named
``bncloud_*`` on the local MariaDB and its RabbitMQ vhost ``bncloud``.

A second cloud runs beside the first with a state directory and a port
offset of its own: ``$BLAZAR_NOVA_CLOUD_PORT_OFFSET`` (an integer, default
0) is added to every port of ``PORTS``, and when it is not 0 the
databases are named ``bncloud<offset>_*`` and the vhost
``bncloud<offset>``, so the ``down`` of one cloud never drops the other's.
Every port must stay within 1..65535. For example::

    BLAZAR_NOVA_CLOUD_DIR=~/.local/state/blazar-nova/cloud-bench \
    BLAZAR_NOVA_CLOUD_PORT_OFFSET=10000 ./tools/cloud.sh up

MariaDB and RabbitMQ themselves are shared (``MYSQL``, ``RABBIT``).
"""

import os
import pathlib

REPO = pathlib.Path(__file__).resolve().parents[2]
HOST = '127.0.0.1'
REGION = 'RegionOne'
DOMAIN = 'Default'
SERVICE_PROJECT = 'service'

# The local servers, as these machines run them: MariaDB's root has no
# password on 127.0.0.1, RabbitMQ's guest may connect from 127.0.0.1.
MYSQL = {'host': HOST, 'port': 3306, 'user': 'root', 'password': ''}
RABBIT = {'host': HOST, 'port': 5672, 'user': 'guest', 'password': 'guest'}


def port_offset(environ=None):
    """``$BLAZAR_NOVA_CLOUD_PORT_OFFSET`` as an integer (0 when unset or
    empty); a ValueError naming the variable when it is not an integer or
    moves a port out of 1..65535."""
    environ = os.environ if environ is None else environ
    text = environ.get('BLAZAR_NOVA_CLOUD_PORT_OFFSET', '').strip()
    try:
        offset = int(text) if text else 0
    except ValueError:
        raise ValueError('BLAZAR_NOVA_CLOUD_PORT_OFFSET must be an integer, '
                         'not %r' % text) from None
    for port in BASE_PORTS.values():
        if not 0 < port + offset < 65536:
            raise ValueError('BLAZAR_NOVA_CLOUD_PORT_OFFSET=%d puts port %d '
                             'out of 1..65535' % (offset, port))
    return offset


# name -> port without the offset; each is an HTTP API on 127.0.0.1.
BASE_PORTS = {
    'keystone': 5000,
    'glance': 9292,
    'placement': 8778,
    'neutron': 9696,
    'nova-api': 8774,
    'blazar-nova-api': 1234,
    'horizon': 8080,
}
PORT_OFFSET = port_offset()
PORTS = {name: port + PORT_OFFSET for name, port in BASE_PORTS.items()}
# The names of this cloud's databases (a prefix) and vhost.
DB_PREFIX = 'bncloud%s_' % (PORT_OFFSET or '')
VHOST = 'bncloud%s' % (PORT_OFFSET or '')

# The compute hosts (one nova-compute each); the first two are enrolled as
# reservable hosts, the last stays ordinary.
COMPUTES = ('cloud-cn1', 'cloud-cn2', 'cloud-cn3')
RESERVABLE = COMPUTES[:2]

# Databases, without the prefix.
DATABASES = ('keystone', 'glance', 'placement', 'neutron', 'nova_api',
             'nova_cell0', 'nova_cell1', 'blazar_nova')

# Keystone: service users (project "service", roles admin and service) and
# the users of the two tenant projects (role member).
SERVICE_USERS = ('nova', 'placement', 'glance', 'neutron', 'blazar')
TENANTS = {'alice': 'alpha', 'bob': 'beta'}

IMAGE_NAME = 'cloud-image'
FLAVOR = {'name': 'm1.tiny', 'vcpus': 1, 'ram': 512, 'disk': 1}


def default_root():
    return pathlib.Path.home() / '.local' / 'state' / 'blazar-nova' / 'cloud'


def url(service, path=''):
    return 'http://%s:%d%s' % (HOST, PORTS[service], path)


# The catalog: service type -> (name, URL of its endpoints).
CATALOG = {
    'compute': ('nova', url('nova-api', '/v2.1')),
    'placement': ('placement', url('placement')),
    'image': ('glance', url('glance')),
    'network': ('neutron', url('neutron')),
    'reservation': ('blazar', url('blazar-nova-api', '/v1')),
}
KEYSTONE_URL = url('keystone', '/v3')


def database_name(name):
    return DB_PREFIX + name


def database_url(name, charset='utf8'):
    """SQLAlchemy URL of database ``name`` (without prefix) on MariaDB."""
    auth = MYSQL['user']
    if MYSQL['password']:
        auth += ':' + MYSQL['password']
    return 'mysql+pymysql://%s@%s:%d/%s?charset=%s' % (
        auth, MYSQL['host'], MYSQL['port'], database_name(name), charset)


def transport_url():
    return 'rabbit://%s:%s@%s:%d/%s' % (
        RABBIT['user'], RABBIT['password'], RABBIT['host'], RABBIT['port'],
        VHOST)


class Layout:
    """The paths of one cloud, under its state directory ``root``."""

    def __init__(self, root=None):
        root = root or os.environ.get('BLAZAR_NOVA_CLOUD_DIR')
        self.root = pathlib.Path(root).expanduser().resolve() if root \
            else default_root()
        self.etc = self.root / 'etc'
        self.logs = self.root / 'logs'
        self.previous_logs = self.root / 'logs.previous'
        self.lock = self.root / 'lock'
        self.run = self.root / 'run'
        self.data = self.root / 'data'
        self.manifest = self.root / 'cloud.json'
        self.clouds_yaml = self.root / 'clouds.yaml'

    def conf_dir(self, name):
        return self.etc / name

    def log(self, name):
        return self.logs / ('%s.log' % name)

    def pidfile(self, name):
        return self.run / ('%s.pid' % name)

    def make_dirs(self):
        for directory in (self.etc, self.logs, self.run, self.data):
            directory.mkdir(parents=True, exist_ok=True)
