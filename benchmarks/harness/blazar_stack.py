"""OpenStack Blazar 18.0.0 stood up for real: Keystone, blazar-api and
blazar-manager, each its own process, on configuration generated here.

* **Keystone** (the ``keystone`` package from PyPI, in ``.venv-keystone``):
  SQLite, fernet tokens, set up with ``keystone-manage db_sync``,
  ``fernet_setup``, ``credential_setup`` and ``bootstrap``; its WSGI
  application (``keystone.wsgi.api``) served by ``--keystone-processes``
  stdlib threaded HTTP servers sharing one loopback port. Keystone's
  defaults otherwise (bcrypt password hashes, fernet tokens). The
  ``blazar`` service user has the admin role on project ``service``.
* **blazar-manager** (``.venv-blazar``, ``blazar==18.0.0``): the real
  command, on a MariaDB scratch database migrated with
  ``blazar-db-manage upgrade head``, listening on RabbitMQ in a vhost of
  its own (created here with ``rabbitmqctl`` and deleted afterwards), with
  a topic and exchange of its own. Resource plugin: ``dummy.vm.plugin``
  (``virtual:instance``, the only one that needs no Nova) by default, or
  the host plugin ``physical.host.plugin`` (``physical:host``) with
  ``Stack(plugins=HOST_PLUGIN, hosts=N)``: then a real nova-api and
  Placement run too (``nova_stack``), with N compute hosts in Nova's
  ``freepool`` aggregate, enrolled in Blazar's database before the manager
  starts as ``POST /v1/os-hosts`` would have left them (``host_rows``,
  ``inventory_rows``; each host with a Keystone trust of its own), and
  Blazar's leases create, fill, empty and delete Nova aggregates.
* **blazar-api**: Blazar's WSGI application
  (``blazar.api.wsgi_app.init_app``, keystonemiddleware in front, as
  always) in a stdlib threaded HTTP server. Blazar 18.0.0's
  ``blazar-api`` command starts its server in a daemon thread and returns,
  so the process exits at once; the WSGI application is what a deployment
  runs (uwsgi, mod_wsgi).

Nothing of Blazar or Keystone is patched: configuration only. With
``BLAZAR_STACK_KEEP=1`` in the environment the generated files and logs
are kept.

Usage (a smoke test: start, one authenticated request, stop; with
``--hosts N``, the host plugin with Nova and N hosts)::

    python -m benchmarks run blazar_stack [--hosts N]
"""

import argparse
import collections
import datetime
import json
import logging
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import requests
import sqlalchemy as sa

from placement_ext.testing import db_backends

LOG = logging.getLogger(__name__)

# The repository root (this file is benchmarks/harness/blazar_stack.py).
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

BLAZAR_VENV = os.path.join(ROOT, '.venv-blazar')
KEYSTONE_VENV = os.path.join(ROOT, '.venv-keystone')
BLAZAR_PACKAGES = ['blazar==18.0.0', 'PyMySQL', 'psycopg2-binary']
KEYSTONE_PACKAGES = ['keystone', 'PyMySQL']
RABBIT_URL = 'rabbit://guest:guest@127.0.0.1:5672/%s'
PLUGIN = 'dummy.vm.plugin'
RESOURCE_TYPE = 'virtual:instance'
HOST_PLUGIN = 'physical.host.plugin'
HOST_RESOURCE_TYPE = 'physical:host'
SERVICE_PASSWORD = 'blazar-bench-service'
HEX_ID = re.compile(r'[0-9a-f]{32}')
UUID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                  r'[0-9a-f]{12}')
NUMBER = re.compile(r'(?<=/)[0-9]+(?=/|$)')

# A stdlib threaded WSGI server (one thread per connection, HTTP/1.0, as
# blazar-nova-api's) for the application named by BENCH_WSGI_APP
# (``keystone``, ``blazar`` or ``module:attribute``), on BENCH_WSGI_PORT;
# several processes may share the port (SO_REUSEPORT).
# Keystone reads sys.argv, so nothing is passed there. Each request is
# logged as ``REQUEST <method> <path> <protocol> <status>``.
WSGI_SERVER = '''
import os
import socketserver
import sys
from wsgiref import simple_server


class Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_port = True
    request_queue_size = 128


class Handler(simple_server.WSGIRequestHandler):
    def log_request(self, code='-', size='-'):
        sys.stderr.write('REQUEST %s %s\\n' % (self.requestline, code))


def application():
    name = os.environ['BENCH_WSGI_APP']
    if name == 'keystone':
        from keystone.wsgi import api
        return api.application
    if ':' in name:
        import importlib
        module, attribute = name.split(':')
        return getattr(importlib.import_module(module), attribute)
    from blazar.api import wsgi_app
    return wsgi_app.init_app()


httpd = simple_server.make_server(
    '127.0.0.1', int(os.environ['BENCH_WSGI_PORT']), application(),
    server_class=Server, handler_class=Handler)
sys.stderr.write('SERVING\\n')
sys.stderr.flush()
httpd.serve_forever()
'''


class StackError(Exception):
    """Blazar could not be stood up; the message says exactly why."""


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def venv_python(venv):
    return os.path.join(venv, 'bin', 'python')


def ensure_venv(venv, module, packages):
    """The virtualenv's interpreter; the venv is created (``pip install
    packages``) when ``module`` does not import in it."""
    python = venv_python(venv)
    check = [python, '-c', 'import %s' % module]
    if os.path.exists(python) and subprocess.run(
            check, capture_output=True).returncode == 0:
        return python
    LOG.info('creating %s (%s)', venv, ' '.join(packages))
    run_checked([sys.executable, '-m', 'venv', venv])
    run_checked([python, '-m', 'pip', 'install', '-q'] + packages,
                timeout=1800)
    return python


def run_checked(command, env=None, timeout=600):
    """Run a command to completion; a failure is a StackError naming the
    command and the end of its output."""
    LOG.debug('$ %s', ' '.join(command))
    try:
        result = subprocess.run(command, env=env, capture_output=True,
                                text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise StackError('%s: %s' % (' '.join(command), exc))
    if result.returncode:
        raise StackError('%s exited %d: %s' % (
            ' '.join(command), result.returncode,
            (result.stderr or result.stdout)[-2000:]))
    return result.stdout


def package_version(python, name):
    return run_checked([python, '-c', 'import importlib.metadata as m; '
                        'print(m.version(%r))' % name]).strip()


def wait_until(ready, what, timeout, processes=()):
    """Poll ``ready()`` until it is true; a StackError after ``timeout``
    seconds or as soon as one of ``processes`` has exited."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        for process in processes:
            if not process.alive():
                raise StackError('%s exited (%s) while waiting for %s: %s'
                                 % (process.name, process.popen.returncode,
                                    what, process.log_tail()))
        try:
            if ready():
                return
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(0.3)
    raise StackError('%s not ready within %d s (last: %s)' % (
        what, timeout, last))


def with_descendants(pids):
    """``pids`` and every live descendant of theirs (blazar-manager forks
    its service into a child process)."""
    parents = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as stat:
                    parents[int(entry)] = int(
                        stat.read().rsplit(')', 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found = list(pids)
    for pid in found:
        found.extend(child for child, parent in parents.items()
                     if parent == pid and child not in found)
    return found


def path_shape(path):
    """A request path without its query, ids (hex, UUID, number) as
    ``{id}``."""
    path = path.split('?')[0]
    for pattern in (HEX_ID, UUID, NUMBER):
        path = pattern.sub('{id}', path)
    return path


def requests_served(processes):
    """The requests ``processes`` (WSGI_SERVER's) have served so far, by
    method and path shape, from their logs."""
    counts = collections.Counter()
    for process in processes:
        for line in process.log_tail(None).splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[0] == 'REQUEST':
                counts['%s %s' % (parts[1], path_shape(parts[2]))] += 1
    return counts


class Process:
    """A child process whose output goes to its own log file."""

    def __init__(self, name, command, log_path, env=None):
        self.name = name
        self.log_path = pathlib.Path(log_path)
        with open(self.log_path, 'ab') as log:
            self.popen = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        self.pid = self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def log_tail(self, chars=2000):
        """The last ``chars`` characters of the log (None: all of it)."""
        try:
            text = self.log_path.read_text(errors='replace')
            return text if chars is None else text[-chars:]
        except OSError:
            return ''

    def stop(self, timeout=15):
        """SIGTERM, then SIGKILL after ``timeout`` seconds."""
        if self.alive():
            self.popen.terminate()
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


class Keystone:
    """A real Keystone on SQLite, served by ``processes`` processes."""

    def __init__(self, workdir, processes=2, hash_rounds=None):
        self.dir = pathlib.Path(workdir) / 'keystone'
        self.processes_wanted = processes
        self.hash_rounds = hash_rounds
        self.processes = []
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.admin_password = uuid.uuid4().hex
        self.admin_token = None
        self.python = venv_python(KEYSTONE_VENV)

    def start(self):
        self.dir.mkdir(parents=True)
        self.conf = self.dir / 'keystone.conf'
        self.conf.write_text(
            '[DEFAULT]\nuse_stderr = true\n'
            '[database]\nconnection = sqlite:///%s\n'
            '[token]\nprovider = fernet\n'
            '[fernet_tokens]\nkey_repository = %s\n'
            '[credential]\nkey_repository = %s\n%s' % (
                self.dir / 'keystone.sqlite', self.dir / 'fernet-keys',
                self.dir / 'credential-keys',
                '[identity]\npassword_hash_rounds = %d\n' % self.hash_rounds
                if self.hash_rounds else ''))
        owner = ['--keystone-user', str(os.getuid()),
                 '--keystone-group', str(os.getgid())]
        self.manage('db_sync')
        self.manage('fernet_setup', *owner)
        self.manage('credential_setup', *owner)
        endpoint = self.url + '/v3'
        self.manage('bootstrap', '--bootstrap-password', self.admin_password,
                    '--bootstrap-region-id', 'RegionOne',
                    '--bootstrap-public-url', endpoint,
                    '--bootstrap-internal-url', endpoint,
                    '--bootstrap-admin-url', endpoint)
        env = dict(os.environ, OS_KEYSTONE_CONFIG_DIR=str(self.dir),
                   BENCH_WSGI_APP='keystone', BENCH_WSGI_PORT=str(self.port))
        for index in range(self.processes_wanted):
            self.processes.append(Process(
                'keystone-%d' % index, [self.python, '-c', WSGI_SERVER],
                self.dir / ('keystone-%d.log' % index), env=env))
        wait_until(lambda: all('SERVING' in p.log_tail(10 ** 6)
                               for p in self.processes),
                   'Keystone', 90, self.processes)
        self.admin_token = self.token('admin', self.admin_password,
                                      'admin')

    def manage(self, *args):
        return run_checked([os.path.join(KEYSTONE_VENV, 'bin',
                                         'keystone-manage'),
                            '--config-file', str(self.conf)] + list(args))

    def token(self, user, password, project):
        """A project-scoped token for a user of the Default domain."""
        resp = requests.post(self.url + '/v3/auth/tokens', json={'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': user, 'domain': {'id': 'default'},
                'password': password}}},
            'scope': {'project': {'name': project,
                                  'domain': {'id': 'default'}}}}},
            timeout=60)
        if resp.status_code != 201:
            raise StackError('Keystone refused a token for %s: %d %s' % (
                user, resp.status_code, resp.text[:300]))
        return resp.headers['X-Subject-Token']

    def call(self, method, path, body=None, expect=(200, 201, 204)):
        """An admin request to Keystone's v3 API; its JSON body."""
        resp = requests.request(
            method, self.url + '/v3' + path, timeout=60,
            headers={'X-Auth-Token': self.admin_token,
                     'Content-Type': 'application/json'},
            data=json.dumps(body) if body is not None else None)
        if resp.status_code not in expect:
            raise StackError('Keystone %s %s: %d %s' % (
                method, path, resp.status_code, resp.text[:300]))
        return resp.json() if resp.content else None

    def role_id(self, name):
        roles = self.call('GET', '/roles?name=%s' % name)['roles']
        if not roles:
            raise StackError('Keystone has no role %r' % name)
        return roles[0]['id']

    def project_id(self, name):
        """The id of project ``name``, created when missing."""
        found = self.call('GET', '/projects?name=%s' % name)['projects']
        if found:
            return found[0]['id']
        return self.call('POST', '/projects', {'project': {
            'name': name, 'domain_id': 'default'}})['project']['id']

    def user_id(self, name):
        users = self.call('GET', '/users?name=%s' % name)['users']
        if not users:
            raise StackError('Keystone has no user %r' % name)
        return users[0]['id']

    def trust(self, trustor_id, trustee_id, project_id, role):
        """A trust (impersonation) from user ``trustor_id`` to user
        ``trustee_id`` on project ``project_id`` with ``role``, made with
        the admin's token, so the trustor must be the admin; its id."""
        return self.call('POST', '/OS-TRUST/trusts', {'trust': {
            'trustor_user_id': trustor_id, 'trustee_user_id': trustee_id,
            'project_id': project_id, 'roles': [{'name': role}],
            'impersonation': True}})['trust']['id']

    def add_user(self, name, password, project, role):
        """A user named ``name`` with ``role`` on project ``project``
        (created when missing); ``(user id, project id)``."""
        project_id = self.project_id(project)
        user_id = self.call('POST', '/users', {'user': {
            'name': name, 'password': password, 'domain_id': 'default',
            'default_project_id': project_id}})['user']['id']
        self.call('PUT', '/projects/%s/users/%s/roles/%s' % (
            project_id, user_id, self.role_id(role)))
        return user_id, project_id

    def authtoken_section(self, username, password):
        """A ``[keystone_authtoken]`` section for keystonemiddleware that
        validates tokens as ``username`` (a user of project ``service``)."""
        return '\n'.join([
            '[keystone_authtoken]',
            'www_authenticate_uri = %s/v3' % self.url,
            'auth_url = %s/v3' % self.url,
            'auth_type = password',
            'username = %s' % username,
            'password = %s' % password,
            'user_domain_name = Default',
            'project_name = service',
            'project_domain_name = Default',
            '']) + '\n'

    def pids(self):
        return [p.pid for p in self.processes]

    def requests_served(self):
        """Keystone's requests so far, by method and path shape (ids as
        ``{id}``), from its processes' logs."""
        return requests_served(self.processes)

    def stop(self):
        for process in self.processes:
            process.stop()


class RabbitVhost:
    """A RabbitMQ virtual host of its own for one run (``rabbitmqctl``),
    deleted by ``delete()``; ``name`` is None when rabbitmqctl is not
    usable, and then the default vhost is used with a topic and exchange
    of the run's own."""

    def __init__(self, name):
        self.name = None
        try:
            run_checked(['rabbitmqctl', 'add_vhost', name], timeout=60)
            run_checked(['rabbitmqctl', 'set_permissions', '-p', name,
                         'guest', '.*', '.*', '.*'], timeout=60)
            self.name = name
        except StackError as exc:
            LOG.warning('no vhost of our own (%s); using "/"', exc)

    def url(self):
        return RABBIT_URL % (self.name or '')

    def queues(self):
        if not self.name:
            return []
        out = run_checked(['rabbitmqctl', '-q', 'list_queues', '-p',
                           self.name, 'name'], timeout=60)
        return out.split()

    def delete(self):
        if self.name:
            try:
                run_checked(['rabbitmqctl', 'delete_vhost', self.name],
                            timeout=60)
            except StackError as exc:
                LOG.warning('could not delete vhost %s: %s', self.name, exc)


def host_rows(hosts, created):
    """``computehosts`` rows as Blazar 18's ``create_computehost`` stores
    what Nova tells it at compute microversion 2.0 (``nova_client_version
    = 2``): id = the hypervisor's integer id, as a string; service name =
    the compute service's host; the host's availability zone (``nova``:
    the freepool has none); reservable; ``hosts`` are nova_stack's host
    descriptions with a ``trust_id`` each."""
    return [{'id': str(host['id']), 'vcpus': host['vcpus'],
             'cpu_info': str(host['cpu_info']),
             'hypervisor_type': host['hypervisor_type'],
             'hypervisor_version': host['hypervisor_version'],
             'hypervisor_hostname': host['hypervisor_hostname'],
             'service_name': host['service_name'],
             'memory_mb': host['memory_mb'], 'local_gb': host['local_gb'],
             'availability_zone': 'nova', 'trust_id': host['trust_id'],
             'reservable': True, 'created_at': created}
            for host in hosts]


def inventory_rows(hosts, created):
    """``computehost_resource_inventory`` rows: each host's Placement
    inventory (``host['inventories']``), as Blazar 18 copies it at
    enrolment."""
    return [dict(inventory, id=str(uuid.uuid4()),
                 computehost_id=str(host['id']), resource_class=name,
                 created_at=created)
            for host in hosts
            for name, inventory in sorted(host['inventories'].items())]


def seed_hosts(connection, hosts):
    """Write ``hosts`` into Blazar's migrated database as enrolled hosts
    (one transaction)."""
    engine = sa.create_engine(connection)
    meta = sa.MetaData()
    meta.reflect(engine, only=['computehosts',
                               'computehost_resource_inventory'])
    created = datetime.datetime.utcnow().replace(microsecond=0)
    try:
        with engine.begin() as conn:
            conn.execute(meta.tables['computehosts'].insert(),
                         host_rows(hosts, created))
            conn.execute(meta.tables['computehost_resource_inventory']
                         .insert(), inventory_rows(hosts, created))
    finally:
        engine.dispose()


class Blazar:
    """blazar-manager and blazar-api on a MariaDB scratch database, with
    ``hosts`` (nova_stack's host descriptions, each with a ``trust_id``)
    enrolled in its database before the manager starts."""

    def __init__(self, workdir, keystone, vhost, name, plugins=PLUGIN,
                 hosts=()):
        self.dir = pathlib.Path(workdir) / 'blazar'
        self.keystone = keystone
        self.vhost = vhost
        self.name = name
        self.plugins = plugins
        self.hosts = list(hosts)
        self.topic = 'blazar.manager.%s' % name
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.python = venv_python(BLAZAR_VENV)
        self.scratch = None
        self.manager = None
        self.api = None

    def start(self):
        self.dir.mkdir(parents=True)
        self.scratch = db_backends.ScratchDatabase('mysql', self.dir)
        self.connection = self.scratch.url + '?charset=utf8mb4'
        self.conf = self.dir / 'blazar.conf'
        self.conf.write_text(self.config_text())
        run_checked([os.path.join(BLAZAR_VENV, 'bin', 'blazar-db-manage'),
                     '--config-file', str(self.conf), 'upgrade', 'head'])
        if self.hosts:
            seed_hosts(self.connection, self.hosts)
        self.manager = Process(
            'blazar-manager', [os.path.join(BLAZAR_VENV, 'bin',
                                            'blazar-manager'),
                               '--config-file', str(self.conf)],
            self.dir / 'blazar-manager.log')
        env = dict(os.environ, OS_BLAZAR_CONFIG_DIR=str(self.dir),
                   BENCH_WSGI_APP='blazar', BENCH_WSGI_PORT=str(self.port))
        self.api = Process('blazar-api', [self.python, '-c', WSGI_SERVER],
                           self.dir / 'blazar-api.log', env=env)
        wait_until(lambda: requests.get(self.url + '/', timeout=5)
                   .status_code == 401, 'blazar-api', 90,
                   [self.api, self.manager])
        if self.vhost.name:
            wait_until(lambda: self.topic in self.vhost.queues(),
                       'blazar-manager listening on %s' % self.topic, 90,
                       [self.manager])

    def config_text(self):
        return '\n'.join([
            '[DEFAULT]',
            'use_stderr = true',
            'host = %s' % self.name,
            'transport_url = %s' % self.vhost.url(),
            'control_exchange = %s' % self.name,
            'os_auth_protocol = http',
            'os_auth_host = 127.0.0.1',
            'os_auth_port = %d' % self.keystone.port,
            'os_auth_prefix =',
            'os_admin_username = blazar',
            'os_admin_password = %s' % SERVICE_PASSWORD,
            'os_admin_project_name = service',
            '[manager]',
            'plugins = %s' % self.plugins,
            'rpc_topic = %s' % self.topic,
            '[database]',
            'connection = %s' % self.connection,
            '']) + self.keystone.authtoken_section('blazar', SERVICE_PASSWORD)

    def pids(self):
        """The processes of blazar-api and blazar-manager (its children
        included)."""
        return {'blazar-api': [self.api.pid] if self.api else [],
                'blazar-manager': with_descendants([self.manager.pid])
                if self.manager else []}

    def stop(self):
        for process in (self.api, self.manager):
            if process is not None:
                process.stop()
        if self.scratch is not None:
            self.scratch.drop()
            self.scratch = None


class Stack:
    """Keystone, blazar-manager and blazar-api, started by ``start()``
    (a StackError when any part cannot be) and all stopped, with the
    scratch databases, the vhost and the files, by ``stop()``.

    With ``plugins`` naming HOST_PLUGIN, Placement and nova-api
    (``nova_stack.NovaStack``) run too, with ``hosts`` compute hosts in
    Nova's freepool, enrolled in Blazar's database; ``nova`` is then the
    NovaStack, and ``aggregates()`` reads Nova's aggregates."""

    def __init__(self, keystone_processes=2, plugins=PLUGIN,
                 hash_rounds=None, hosts=4):
        self.name = 'bench-%s' % uuid.uuid4().hex[:10]
        self.keystone_processes = keystone_processes
        self.hash_rounds = hash_rounds
        self.plugins = plugins
        self.host_count = hosts
        self.tmp = None
        self.keystone = None
        self.vhost = None
        self.nova = None
        self.blazar = None

    @property
    def uses_nova(self):
        return HOST_PLUGIN in self.plugins.split(',')

    @property
    def hosts(self):
        """The compute hosts (nova_stack's descriptions: ``name``, ``id``,
        ``uuid``...; empty without the host plugin)."""
        return self.nova.hosts if self.nova is not None else []

    def start(self):
        ensure_venv(BLAZAR_VENV, 'blazar.api.wsgi_app', BLAZAR_PACKAGES)
        ensure_venv(KEYSTONE_VENV, 'keystone.wsgi', KEYSTONE_PACKAGES)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self):
        self.tmp = tempfile.mkdtemp(prefix='blazar-stack-')
        LOG.info('Keystone (%d processes)', self.keystone_processes)
        self.keystone = Keystone(self.tmp, self.keystone_processes,
                                 self.hash_rounds)
        self.keystone.start()
        self.keystone.add_user('blazar', SERVICE_PASSWORD, 'service',
                               'admin')
        self.vhost = RabbitVhost(self.name)
        if self.uses_nova:
            self._start_nova()
        LOG.info('blazar-manager and blazar-api (%s)', self.plugins)
        self.blazar = Blazar(self.tmp, self.keystone, self.vhost, self.name,
                             self.plugins, self._enrolled_hosts())
        self.blazar.start()
        probe = self.users(1, 'probe')[0]
        wait_until(lambda: requests.get(
            self.blazar.url + '/v1/leases', timeout=90,
            headers={'X-Auth-Token': probe['token']}).status_code == 200,
            'blazar-api answering GET /v1/leases (through the manager)',
            120, [self.blazar.api, self.blazar.manager])

    def _start_nova(self):
        # Imported here: nova_stack builds on this module.
        from benchmarks.harness import nova_stack
        LOG.info('Placement and nova-api (%d hosts)', self.host_count)
        self.nova = nova_stack.NovaStack(self.tmp, self.keystone,
                                         self.vhost, self.name,
                                         self.host_count)
        self.nova.start()

    def _enrolled_hosts(self):
        """The compute hosts to enrol in Blazar, each with a trust of its
        own from Keystone's admin to the ``blazar`` user (Blazar makes one
        per host from the enrolling admin's token)."""
        ids = (self.keystone.user_id('admin'),
               self.keystone.user_id('blazar'),
               self.keystone.project_id('admin'), 'admin')
        return [dict(host, trust_id=self.keystone.trust(*ids))
                for host in self.hosts]

    def aggregates(self):
        """Nova's aggregates (see ``nova_stack.NovaStack.aggregates``)."""
        return self.nova.aggregates()

    def reservation_aggregates(self):
        """Nova's aggregates but the freepool."""
        return self.nova.reservation_aggregates()

    def requests_served(self):
        """``{'keystone': Counter, 'nova': ..., 'placement': ...}``: the
        requests each served so far, by method and path shape."""
        served = {'keystone': self.keystone.requests_served()}
        if self.nova is not None:
            served.update(self.nova.requests_served())
        return served

    def users(self, count, prefix='bench'):
        """``count`` projects, each with one user holding the member role;
        a dict per user: ``user_id``, ``project_id``, ``token``."""
        made = []
        for index in range(count):
            name = '%s-%s-%d' % (prefix, self.name[-6:], index)
            password = uuid.uuid4().hex
            user_id, project_id = self.keystone.add_user(
                name, password, name, 'member')
            made.append({'user_id': user_id, 'project_id': project_id,
                         'token': self.keystone.token(name, password,
                                                      name)})
        return made

    @property
    def url(self):
        """Blazar's endpoint, ``.../v1`` included."""
        return self.blazar.url + '/v1'

    @property
    def database_url(self):
        return self.blazar.connection

    def pids(self):
        pids = {'keystone': self.keystone.pids() if self.keystone else []}
        if self.nova:
            pids.update(self.nova.pids())
        if self.blazar:
            pids.update(self.blazar.pids())
        return pids

    def versions(self):
        versions = self._versions()
        if self.nova is not None:
            versions.update(self.nova.versions())
        return versions

    def _versions(self):
        return {'blazar': package_version(venv_python(BLAZAR_VENV),
                                          'blazar'),
                'keystone': package_version(venv_python(KEYSTONE_VENV),
                                            'keystone'),
                'keystonemiddleware': package_version(
                    venv_python(BLAZAR_VENV), 'keystonemiddleware'),
                'oslo.messaging': package_version(
                    venv_python(BLAZAR_VENV), 'oslo.messaging'),
                'plugins': self.plugins,
                'keystone_processes': self.keystone_processes,
                'keystone_password_hash_rounds': self.hash_rounds or
                'default (bcrypt, 12)',
                'database': 'MariaDB (scratch database, PyMySQL)',
                'message_bus': 'RabbitMQ vhost %s' % (
                    self.vhost.name if self.vhost and self.vhost.name
                    else '/')}

    def logs(self):
        """The tails of every process's log (for error reports)."""
        tails = {process.name: process.log_tail()
                 for process in (self.nova.processes() if self.nova else [])}
        for part in (self.keystone, self.blazar):
            for process in getattr(part, 'processes', None) or [
                    getattr(part, 'api', None),
                    getattr(part, 'manager', None)]:
                if process is not None:
                    tails[process.name] = process.log_tail()
        return tails

    def stop(self):
        if self.blazar is not None:
            self.blazar.stop()
            self.blazar = None
        if self.nova is not None:
            self.nova.stop()
            self.nova = None
        if self.keystone is not None:
            self.keystone.stop()
            self.keystone = None
        if self.vhost is not None:
            self.vhost.delete()
            self.vhost = None
        if self.tmp is not None:
            if os.environ.get('BLAZAR_STACK_KEEP'):
                LOG.info('files kept in %s', self.tmp)
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--hosts', type=int, default=0,
                        help='run the host plugin with Nova and this many '
                             'compute hosts (default: the dummy plugin)')
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(message)s')
    began = time.monotonic()
    plugins = HOST_PLUGIN if args.hosts else PLUGIN
    try:
        with Stack(plugins=plugins, hosts=args.hosts) as stack:
            print('Blazar up in %.1f s at %s: %s' % (
                time.monotonic() - began, stack.url,
                json.dumps(stack.versions())))
            if stack.nova is not None:
                print('Nova aggregates: %s' % json.dumps(
                    [(a['name'], a['hosts']) for a in stack.aggregates()]))
    except StackError as exc:
        print('Blazar could not be stood up: %s' % exc)
        return 1
    return 0


if __name__ == '__main__':
    # Run as the importable module, so that nova_stack (which imports
    # benchmarks.harness.blazar_stack) shares its classes (StackError...).
    from benchmarks.harness import blazar_stack
    sys.exit(blazar_stack.main())
