"""What the cloud holds once its services run: a public image, a public
flavor, the compute hosts known to Nova, mapped to cell1 and in
Placement, and two of them enrolled as reservable hosts through the
reservation API (``POST /v1/os-hosts``, by hypervisor hostname)."""

import logging
import time

from tools.cloud import errors
from tools.cloud import layout
from tools.cloud import mariadb

LOG = logging.getLogger(__name__)

# A few KB that stand for a disk: Nova's fake driver never reads them.
IMAGE_BYTES = b'blazar-nova cloud image: never booted by a real hypervisor\n'
IMAGE_SIZE = 4096
COMPUTE_MICROVERSION = '2.53'
PLACEMENT_MICROVERSION = '1.20'


def wait(check, what, timeout, interval=0.5):
    """Poll ``check()`` until it returns something true; that value. A
    CloudError after ``timeout`` seconds, with the last failure; a
    ProcessExited from ``check()`` at once."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = check()
            if value:
                return value
        except errors.ProcessExited:
            raise
        except errors.CloudError as exc:
            last = exc
        if time.monotonic() >= deadline:
            raise errors.CloudError('%s: not within %d s (last: %s)' % (
                what, timeout, last))
        time.sleep(interval)


def image(admin):
    """The public image, uploaded to Glance; its id."""
    url = layout.url('glance', '/v2/images')
    created = admin.call('POST', url, {
        'name': layout.IMAGE_NAME, 'disk_format': 'raw',
        'container_format': 'bare', 'visibility': 'public'})
    data = (IMAGE_BYTES * (IMAGE_SIZE // len(IMAGE_BYTES) + 1))[:IMAGE_SIZE]
    admin.call('PUT', '%s/%s/file' % (url, created['id']), data=data,
               headers={'Content-Type': 'application/octet-stream'})
    wait(lambda: admin.call('GET', '%s/%s' % (url, created['id']))
         ['status'] == 'active', 'image %s active' % created['id'], 30)
    return created['id']


def flavor(admin):
    """The public flavor of ``layout.FLAVOR``; its id."""
    return admin.call('POST', layout.url('nova-api', '/v2.1/flavors'), {
        'flavor': dict(layout.FLAVOR)})['flavor']['id']


def _compute(admin, method, path, body=None):
    return admin.call(method, layout.url('nova-api', '/v2.1' + path), body,
                      headers={'OpenStack-API-Version':
                               'compute %s' % COMPUTE_MICROVERSION})


def _placement(admin, path):
    return admin.call('GET', layout.url('placement', path),
                      headers={'OpenStack-API-Version':
                               'placement %s' % PLACEMENT_MICROVERSION})


def hypervisors(admin):
    """{host: hypervisor} when every compute's hypervisor is up in Nova;
    the fake driver's hypervisor hostname must be its host's name."""
    found = {}
    for hypervisor in _compute(admin, 'GET', '/os-hypervisors/detail')[
            'hypervisors']:
        found[hypervisor['service']['host']] = hypervisor
    if set(found) != set(layout.COMPUTES) or any(
            h['state'] != 'up' for h in found.values()):
        return None
    for host, hypervisor in found.items():
        if hypervisor['hypervisor_hostname'] != host:
            raise errors.CloudError(
                'nova-compute %s reports hypervisor hostname %r, not its '
                'host name' % (host, hypervisor['hypervisor_hostname']))
    return found


def mapped_hosts():
    """The compute hosts nova-scheduler has mapped to a cell (its
    ``discover_hosts_in_cells_interval``), from Nova's API database."""
    rows = mariadb.sql('SELECT host FROM `%s`.host_mappings'
                       % layout.database_name('nova_api'))
    return set(rows.split())


def providers(admin):
    """{name: uuid} of Placement's resource providers when every compute
    host has one."""
    found = {p['name']: p['uuid'] for p in
             _placement(admin, '/resource_providers')['resource_providers']}
    return found if set(layout.COMPUTES) <= set(found) else None


def computes(admin, timeout=90, guard=lambda: True):
    """Wait until every compute host is up in Nova, mapped to cell1 and
    has its resource provider; {host: {hypervisor_id, provider}}.
    ``guard()`` is called at each look (it raises when a process died)."""
    found = wait(lambda: guard() and hypervisors(admin),
                 'compute hypervisors up', timeout)
    wait(lambda: guard() and set(layout.COMPUTES) <= mapped_hosts(),
         'compute hosts mapped to cell1', timeout)
    rps = wait(lambda: guard() and providers(admin), 'resource providers',
               timeout)
    return {host: {'hypervisor_id': found[host]['id'],
                   'hypervisor_hostname': found[host]['hypervisor_hostname'],
                   'provider': rps[host]} for host in layout.COMPUTES}


def enrol(admin):
    """``layout.RESERVABLE`` enrolled through the reservation API;
    {host: reservation API host id}."""
    url = layout.url('blazar-nova-api', '/v1/os-hosts')
    return {host: admin.call('POST', url, {'name': host})['host']['id']
            for host in layout.RESERVABLE}
