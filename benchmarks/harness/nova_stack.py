"""Nova 34's compute API and Placement 16 stood up for real, for Blazar's
host plugin to talk to, beside a ``blazar_stack`` Keystone and RabbitMQ
vhost.

* **Placement** (``openstack-placement`` in the project's venv): its WSGI
  application (``placement.wsgi.api``) in blazar_stack's stdlib threaded
  server, ``[api] auth_strategy = keystone`` (keystonemiddleware as the
  ``placement`` service user), on a MariaDB scratch database migrated by
  ``placement-manage db sync``.
* **nova-api** (``nova`` 34.0.0 in the project's venv): Nova's compute API
  WSGI application (``nova.wsgi.osapi_compute``, Nova's own
  ``api-paste.ini`` pipeline with keystonemiddleware, as the ``nova``
  service user) in the same server; Nova 34 ships no ``nova-api`` command.
  Three MariaDB scratch databases (API, cell0, cell1) set up with
  ``nova-manage api_db sync``, ``cell_v2 map_cell0``, ``cell_v2
  create_cell``, ``db sync``; ``transport_url`` on the stack's vhost.
* **Compute hosts**: no nova-compute runs. Each host is what a
  nova-compute would have left in the databases: a ``nova-compute``
  service and its compute node, written with Nova's own objects
  (``objects.Service.create``, ``objects.ComputeNode.create``) in cell1,
  mapped by ``nova-manage cell_v2 discover_hosts``, and a resource provider
  (the node's uuid and hypervisor hostname, VCPU/MEMORY_MB/DISK_GB
  inventory) created through Placement's API.
* The ``freepool`` aggregate is created through Nova's API with every host
  added (``os-aggregates`` ``add_host``, which also mirrors the aggregate
  into Placement); ``start()`` checks that Placement has it on every host's
  provider, since Nova only logs a warning when that mirroring fails.
* Keystone's catalog gets ``compute`` (``.../v2.1``) and ``placement``
  endpoints (public, internal, admin, RegionOne) before any user token is
  issued, so tokens carry them.

Nothing of Nova or Placement is patched: configuration, their commands,
objects and APIs only.

Usage (a smoke test: Keystone, Placement, nova-api, 3 hosts in the
freepool, then stop)::

    python -m benchmarks run nova_stack [--hosts 3]
"""

import argparse
import json
import logging
import os
import pathlib
import shutil
import sys
import tempfile
import time
import uuid

import requests

from benchmarks.harness import blazar_stack
from placement_ext.testing import db_backends

LOG = logging.getLogger(__name__)

# The repository root (this file is benchmarks/harness/nova_stack.py).
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

NOVA_VENV = os.path.join(ROOT, '.venv')
NOVA_PASSWORD = 'nova-bench-service'
PLACEMENT_PASSWORD = 'placement-bench-service'
FREEPOOL = 'freepool'
COMPUTE_MICROVERSION = '2.53'
PLACEMENT_MICROVERSION = '1.20'
TOKEN_LIFETIME = 1800  # seconds a service token is reused (Keystone: 3600)
# One compute node as a libvirt/QEMU nova-compute reports it.
NODE = {'vcpus': 16, 'memory_mb': 65536, 'local_gb': 500,
        'hypervisor_type': 'QEMU', 'hypervisor_version': 8002002,
        'cpu_info': json.dumps({'arch': 'x86_64',
                                'model': 'Cascadelake-Server',
                                'vendor': 'Intel', 'features': [],
                                'topology': {'sockets': 2, 'cores': 4,
                                             'threads': 2}})}
# Placement inventory nova-compute reports: (class, node field, reserved,
# allocation ratio), Nova 34's defaults (initial_*_allocation_ratio,
# reserved_host_memory_mb).
INVENTORY = (('VCPU', 'vcpus', 0, 4.0), ('MEMORY_MB', 'memory_mb', 512, 1.0),
             ('DISK_GB', 'local_gb', 0, 1.0))

# Run by the project's interpreter with nova.conf and a JSON list of host
# names: one nova-compute service and its compute node per host, in the
# cell of ``[database] connection``, by Nova's objects; prints them.
SEED_COMPUTES = '''
import json
import sys

from nova import config
from nova import context
from nova import objects

objects.register_all()
config.parse_args(['nova-bench-seed', '--config-file', sys.argv[1]])
node = json.loads(sys.argv[3])
ctxt = context.get_admin_context()
made = []
for name in json.loads(sys.argv[2]):
    service = objects.Service(ctxt, host=name, binary='nova-compute',
                              topic='compute', report_count=0)
    service.create()
    compute = objects.ComputeNode(
        ctxt, host=name, hypervisor_hostname=name, service_id=service.id,
        vcpus=node['vcpus'], memory_mb=node['memory_mb'],
        local_gb=node['local_gb'], vcpus_used=0, memory_mb_used=512,
        local_gb_used=0, free_ram_mb=node['memory_mb'] - 512,
        free_disk_gb=node['local_gb'], disk_available_least=node['local_gb'],
        current_workload=0, running_vms=0,
        hypervisor_type=node['hypervisor_type'],
        hypervisor_version=node['hypervisor_version'],
        cpu_info=node['cpu_info'], host_ip='127.0.0.1', stats={},
        metrics='[]', numa_topology=None, supported_hv_specs=[],
        pci_device_pools=objects.PciDevicePoolList(objects=[]),
        cpu_allocation_ratio=4.0, ram_allocation_ratio=1.0,
        disk_allocation_ratio=1.0)
    compute.create()
    made.append({'name': name, 'id': compute.id, 'uuid': compute.uuid})
print(json.dumps(made))
'''


def python():
    return blazar_stack.venv_python(NOVA_VENV)


def host_names(count, prefix='compute'):
    return ['%s-%03d' % (prefix, index) for index in range(count)]


def add_service(keystone, service_type, name, url):
    """A service of ``service_type`` in Keystone's catalog with a public,
    internal and admin endpoint at ``url`` in RegionOne."""
    service = keystone.call('POST', '/services', {'service': {
        'type': service_type, 'name': name, 'enabled': True}})['service']
    for interface in ('public', 'internal', 'admin'):
        keystone.call('POST', '/endpoints', {'endpoint': {
            'service_id': service['id'], 'interface': interface,
            'url': url, 'region_id': 'RegionOne'}})


def mysql_url(scratch, charset='utf8'):
    return '%s?charset=%s' % (scratch.url, charset)


class ServiceToken:
    """A project-scoped token of a service user, issued again once it is
    TOKEN_LIFETIME seconds old."""

    def __init__(self, keystone, user, password):
        self.keystone = keystone
        self.user = user
        self.password = password
        self.value = None
        self.issued = 0.0

    def __call__(self):
        if self.value is None or \
                time.monotonic() - self.issued > TOKEN_LIFETIME:
            self.value = self.keystone.token(self.user, self.password,
                                             'service')
            self.issued = time.monotonic()
        return self.value


def api_call(url, token, method, path, body=None, headers=None,
             expect=(200, 201, 202, 204)):
    """One request to an OpenStack API; its JSON body (None when empty),
    a StackError for any other status."""
    resp = requests.request(
        method, url + path, timeout=120,
        headers=dict(headers or {}, **{'X-Auth-Token': token(),
                                       'Content-Type': 'application/json'}),
        data=json.dumps(body) if body is not None else None)
    if resp.status_code not in expect:
        raise blazar_stack.StackError('%s %s%s: %d %s' % (
            method, url, path, resp.status_code, resp.text[:500]))
    return resp.json() if resp.content else None


class Placement:
    """Placement's WSGI application on a MariaDB scratch database,
    keystonemiddleware in front."""

    def __init__(self, workdir, keystone):
        self.dir = pathlib.Path(workdir) / 'placement'
        self.keystone = keystone
        self.port = blazar_stack.free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.token = ServiceToken(keystone, 'placement', PLACEMENT_PASSWORD)
        self.scratch = None
        self.process = None

    def start(self):
        self.dir.mkdir(parents=True)
        self.scratch = db_backends.ScratchDatabase('mysql', self.dir)
        self.conf = self.dir / 'placement.conf'
        self.conf.write_text(
            '[DEFAULT]\nuse_stderr = true\n'
            '[api]\nauth_strategy = keystone\n'
            '[placement_database]\nconnection = %s\n%s' % (
                mysql_url(self.scratch),
                self.keystone.authtoken_section('placement',
                                                PLACEMENT_PASSWORD)))
        blazar_stack.run_checked([
            os.path.join(NOVA_VENV, 'bin', 'placement-manage'),
            '--config-file', str(self.conf), 'db', 'sync'])
        env = dict(os.environ, OS_PLACEMENT_CONFIG_DIR=str(self.dir),
                   BENCH_WSGI_APP='placement.wsgi.api:application',
                   BENCH_WSGI_PORT=str(self.port))
        self.process = blazar_stack.Process(
            'placement-api', [python(), '-c', blazar_stack.WSGI_SERVER],
            self.dir / 'placement-api.log', env=env)
        blazar_stack.wait_until(
            lambda: requests.get(self.url + '/', timeout=5).status_code
            == 200, 'placement-api', 90, [self.process])

    def call(self, method, path, body=None, expect=(200, 201, 204)):
        return api_call(self.url, self.token, method, path, body,
                        {'OpenStack-API-Version': 'placement %s'
                         % PLACEMENT_MICROVERSION}, expect)

    def add_compute_node(self, host, node):
        """The resource provider nova-compute creates for a compute node:
        its uuid, named after its hypervisor hostname, with VCPU,
        MEMORY_MB and DISK_GB inventory."""
        provider = self.call('POST', '/resource_providers', {
            'name': host['name'], 'uuid': host['uuid']})
        self.call('PUT', '/resource_providers/%s/inventories' % host['uuid'],
                  {'resource_provider_generation': provider['generation'],
                   'inventories': inventories(node)})

    def aggregates_of(self, provider_uuid):
        return self.call('GET', '/resource_providers/%s/aggregates'
                         % provider_uuid)['aggregates']

    def stop(self):
        if self.process is not None:
            self.process.stop()
        if self.scratch is not None:
            self.scratch.drop()
            self.scratch = None


def inventories(node):
    """Placement inventory of a compute node ``node`` (NODE's shape)."""
    return {name: {'total': node[field], 'reserved': reserved,
                   'min_unit': 1, 'max_unit': node[field], 'step_size': 1,
                   'allocation_ratio': ratio}
            for name, field, reserved, ratio in INVENTORY}


class Nova:
    """nova-api on MariaDB scratch databases (API, cell0, cell1), with
    compute hosts seeded into cell1."""

    def __init__(self, workdir, keystone, vhost, name):
        self.dir = pathlib.Path(workdir) / 'nova'
        self.keystone = keystone
        self.vhost = vhost
        self.name = name
        self.port = blazar_stack.free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.token = ServiceToken(keystone, 'nova', NOVA_PASSWORD)
        self.scratch = {}
        self.process = None

    def prepare(self):
        """Configuration and the migrated, mapped databases."""
        self.dir.mkdir(parents=True)
        for database in ('api', 'cell0', 'cell1'):
            self.scratch[database] = db_backends.ScratchDatabase(
                'mysql', self.dir)
        shutil.copy(os.path.join(NOVA_VENV, 'etc', 'nova', 'api-paste.ini'),
                    self.dir / 'api-paste.ini')
        self.conf = self.dir / 'nova.conf'
        self.conf.write_text(self.config_text())
        self.manage('api_db', 'sync')
        self.manage('cell_v2', 'map_cell0', '--database_connection',
                    mysql_url(self.scratch['cell0']))
        self.manage('cell_v2', 'create_cell', '--name', 'cell1')
        self.manage('db', 'sync')

    def config_text(self):
        keystone = self.keystone
        return '\n'.join([
            '[DEFAULT]',
            'use_stderr = true',
            'host = %s-nova-api' % self.name,
            'state_path = %s' % self.dir,
            'transport_url = %s' % self.vhost.url(),
            '[api_database]',
            'connection = %s' % mysql_url(self.scratch['api']),
            '[database]',
            'connection = %s' % mysql_url(self.scratch['cell1']),
            '[oslo_concurrency]',
            'lock_path = %s' % (self.dir / 'locks'),
            '[oslo_messaging_notifications]',
            'driver = noop',
            '[placement]',
            'auth_type = password',
            'auth_url = %s/v3' % keystone.url,
            'username = nova',
            'password = %s' % NOVA_PASSWORD,
            'user_domain_name = Default',
            'project_name = service',
            'project_domain_name = Default',
            'region_name = RegionOne',
            '']) + keystone.authtoken_section('nova', NOVA_PASSWORD)

    def manage(self, *args):
        return blazar_stack.run_checked(
            [os.path.join(NOVA_VENV, 'bin', 'nova-manage'),
             '--config-file', str(self.conf)] + list(args))

    def seed_computes(self, names, node):
        """A nova-compute service and compute node per name in cell1, then
        mapped (``discover_hosts``); ``[{name, id, uuid}]``."""
        out = blazar_stack.run_checked([
            python(), '-c', SEED_COMPUTES, str(self.conf), json.dumps(names),
            json.dumps(node)])
        made = json.loads(out.strip().splitlines()[-1])
        self.manage('cell_v2', 'discover_hosts')
        return made

    def start(self):
        env = dict(os.environ, OS_NOVA_CONFIG_DIR=str(self.dir),
                   BENCH_WSGI_APP='nova.wsgi.osapi_compute:application',
                   BENCH_WSGI_PORT=str(self.port))
        self.process = blazar_stack.Process(
            'nova-api', [python(), '-c', blazar_stack.WSGI_SERVER],
            self.dir / 'nova-api.log', env=env)
        blazar_stack.wait_until(
            lambda: requests.get(self.url + '/', timeout=5).status_code
            == 200, 'nova-api', 120, [self.process])

    def call(self, method, path, body=None, expect=(200, 201, 202, 204)):
        """A request to the compute API (``/v2.1`` + ``path``) as the
        ``nova`` service user (admin)."""
        return api_call(self.url + '/v2.1', self.token, method, path, body,
                        {'OpenStack-API-Version': 'compute %s'
                         % COMPUTE_MICROVERSION}, expect)

    def stop(self):
        if self.process is not None:
            self.process.stop()
        for scratch in self.scratch.values():
            scratch.drop()
        self.scratch = {}


class NovaStack:
    """Placement and nova-api with ``hosts`` compute hosts in the
    ``freepool`` aggregate, on a blazar_stack Keystone and RabbitMQ vhost;
    ``start()`` raises a StackError when any part cannot be stood up,
    ``stop()`` stops both and drops their databases."""

    def __init__(self, workdir, keystone, vhost, name, hosts=4,
                 node=None):
        self.workdir = workdir
        self.keystone = keystone
        self.vhost = vhost
        self.name = name
        self.host_count = hosts
        self.node = dict(node or NODE)
        self.placement = None
        self.nova = None
        self.hosts = []

    def start(self):
        self.keystone.add_user('nova', NOVA_PASSWORD, 'service', 'admin')
        self.keystone.add_user('placement', PLACEMENT_PASSWORD, 'service',
                               'admin')
        self.placement = Placement(self.workdir, self.keystone)
        self.nova = Nova(self.workdir, self.keystone, self.vhost, self.name)
        add_service(self.keystone, 'placement', 'placement',
                    self.placement.url)
        add_service(self.keystone, 'compute', 'nova', self.nova.url + '/v2.1')
        LOG.info('Placement')
        self.placement.start()
        LOG.info('Nova databases')
        self.nova.prepare()
        LOG.info('nova-api')
        self.nova.start()
        self.add_hosts(host_names(self.host_count))
        return self

    def add_hosts(self, names, freepool=True):
        """Compute hosts ``names`` in Nova and Placement, added to the
        freepool (created when missing) unless ``freepool`` is false;
        their descriptions (also appended to ``hosts``)."""
        LOG.info('%d compute hosts', len(names))
        made = self.nova.seed_computes(names, self.node)
        for host in made:
            host.update(self.node, hypervisor_hostname=host['name'],
                        service_name=host['name'],
                        inventories=inventories(self.node))
            self.placement.add_compute_node(host, self.node)
        if freepool:
            self.fill_freepool(made)
        self.hosts.extend(made)
        return made

    def fill_freepool(self, hosts):
        """Add ``hosts`` to the freepool aggregate (created when missing)
        through Nova's API, then check Placement mirrors the aggregate on
        each host's provider (Nova only logs a warning when it cannot)."""
        pool = self.aggregate(FREEPOOL) or self.nova.call(
            'POST', '/os-aggregates',
            {'aggregate': {'name': FREEPOOL}})['aggregate']
        for host in hosts:
            self.nova.call('POST', '/os-aggregates/%s/action' % pool['id'],
                           {'add_host': {'host': host['name']}})
        missing = [host['name'] for host in hosts if pool['uuid'] not in
                   self.placement.aggregates_of(host['uuid'])]
        if missing:
            raise blazar_stack.StackError(
                'Nova added %s to the freepool but Placement does not have '
                'the aggregate on their providers (see nova-api.log)'
                % missing)

    def aggregates(self):
        """Nova's aggregates, as its API lists them (dicts: ``id``,
        ``uuid``, ``name``, ``availability_zone``, ``hosts``,
        ``metadata``...)."""
        return self.nova.call('GET', '/os-aggregates')['aggregates']

    def aggregate(self, name):
        """The aggregate named ``name``, or None."""
        for aggregate in self.aggregates():
            if aggregate['name'] == name:
                return aggregate
        return None

    def reservation_aggregates(self):
        """Every aggregate but the freepool (Blazar names the others after
        its reservations)."""
        return [a for a in self.aggregates() if a['name'] != FREEPOOL]

    def requests_served(self):
        """``{'nova': Counter, 'placement': Counter}`` of the requests
        served so far, by method and path shape."""
        return {name: blazar_stack.requests_served([part.process])
                for name, part in (('nova', self.nova),
                                   ('placement', self.placement))
                if part is not None and part.process is not None}

    def pids(self):
        return {name: [part.process.pid]
                for name, part in (('nova-api', self.nova),
                                   ('placement-api', self.placement))
                if part is not None and part.process is not None}

    def processes(self):
        return [part.process for part in (self.nova, self.placement)
                if part is not None and part.process is not None]

    def versions(self):
        return {'nova': blazar_stack.package_version(python(), 'nova'),
                'openstack-placement': blazar_stack.package_version(
                    python(), 'openstack-placement'),
                'compute_hosts': len(self.hosts),
                'nova_databases': 'MariaDB scratch databases (API, cell0, '
                                  'cell1), PyMySQL',
                'compute_hosts_seeded_by': 'nova.objects Service and '
                'ComputeNode, nova-manage cell_v2 discover_hosts, '
                'Placement API; freepool through the compute API'}

    def stop(self):
        for part in (self.nova, self.placement):
            if part is not None:
                part.stop()
        self.nova = self.placement = None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--hosts', type=int, default=3)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(message)s')
    began = time.monotonic()
    tmp = tempfile.mkdtemp(prefix='nova-stack-')
    keystone = blazar_stack.Keystone(tmp, 1)
    vhost = stack = None
    try:
        keystone.start()
        vhost = blazar_stack.RabbitVhost('nova-%s' % uuid.uuid4().hex[:10])
        stack = NovaStack(tmp, keystone, vhost, 'nova-smoke', args.hosts)
        stack.start()
        print('Nova up in %.1f s at %s: %s' % (
            time.monotonic() - began, stack.nova.url,
            json.dumps(stack.aggregates())))
        print(json.dumps(stack.requests_served()['nova']))
    except blazar_stack.StackError as exc:
        print('Nova could not be stood up: %s' % exc)
        return 1
    finally:
        if stack is not None:
            stack.stop()
        keystone.stop()
        if vhost is not None:
            vhost.delete()
        if not os.environ.get('BLAZAR_STACK_KEEP'):
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
