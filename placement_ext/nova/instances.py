"""The Nova instance operations of the lease agent.

Everything goes through a ``compute.ComputeClient`` (microversion 2.61)
whose credentials must be admin: listings ask for all projects and for the
``OS-EXT-SRV-ATTR`` fields and flavor extra specs, which only admins see
by default; a listing without them raises ``ComputeRefused`` rather than
guess. Lists follow Nova's ``*_links`` ``next`` markers to the last page.
Deleted servers are never listed; a 404 on a server means it is gone.
Connection failures and 5xx raise ``ComputeUnavailable`` (retry later).
"""

import dataclasses
from urllib import parse

from oslo_log import log as logging
from oslo_utils import strutils

from placement_ext.nova import compute as compute_api
from blazar_nova.scheduler import request
from placement_ext import exception

LOG = logging.getLogger(__name__)

HOST = 'OS-EXT-SRV-ATTR:host'
NODE = 'OS-EXT-SRV-ATTR:hypervisor_hostname'
SHELVED = 'SHELVED'
SHELVED_OFFLOADED = 'SHELVED_OFFLOADED'
SOFT_DELETED = 'SOFT_DELETED'


@dataclasses.dataclass(frozen=True)
class Server:
    """A server as the agent sees it."""

    id: str
    name: str
    project_id: str
    host: str | None
    hypervisor_hostname: str | None
    status: str
    flavor_name: str | None
    preemptible: bool

    @property
    def occupies_host(self):
        """Whether the server holds its hypervisor: it has one and is not
        shelved offloaded."""
        return (self.hypervisor_hostname is not None
                and self.status != SHELVED_OFFLOADED)


@dataclasses.dataclass(frozen=True)
class HypervisorState:
    """A hypervisor's compute service: up, enabled, and why disabled."""

    up: bool
    enabled: bool
    service_host: str
    reason: str | None


def _refused(compute, url, detail):
    return compute.refused_error(compute.service_name, 'GET', url, 200,
                                 detail)


def _server(compute, body, url):
    """A ``Server`` from Nova's server body; refuse one without the admin
    fields (host, flavor extra specs) rather than guess them."""
    flavor = body.get('flavor') or {}
    if NODE not in body or (flavor and 'extra_specs' not in flavor):
        raise _refused(compute, url, 'server %s shows no %s or flavor extra '
                       'specs: the Nova credentials need the admin role'
                       % (body.get('id'), NODE))
    specs = flavor.get('extra_specs') or {}
    return Server(
        id=body['id'], name=body.get('name'), project_id=body['tenant_id'],
        host=body.get(HOST), hypervisor_hostname=body.get(NODE),
        status=body['status'], flavor_name=flavor.get('original_name'),
        preemptible=strutils.bool_from_string(
            specs.get(request.PREEMPTIBLE_KEY, False)))


def _servers(compute, params):
    return [_server(compute, item, url) for url, item in compute_api.paginated(
        compute, '/servers/detail', dict(params, all_tenants=1), 'servers')]


def servers_on_hosts(compute, hostnames):
    """The servers of all projects whose hypervisor is one of
    ``hostnames``. Nova's ``node`` filter is a regular expression (``h1``
    also matches ``h10``), so the answer is checked for exact names."""
    found = []
    for hostname in sorted(set(hostnames)):
        found.extend(s for s in _servers(compute, {'node': hostname})
                     if s.hypervisor_hostname == hostname)
    return found


def servers_of_flavor(compute, flavor_id):
    """The servers of all projects booted with flavor ``flavor_id``.
    Nova filters by the flavor's row, so the flavor must still exist (Nova
    would answer an empty list): its absence raises ``NotFound``."""
    url = '/flavors/%s' % parse.quote(flavor_id, safe='')
    if compute.get(url, expect=(200, 404)).status == 404:
        raise exception.NotFound(
            'flavor %s does not exist in Nova: its servers cannot be '
            'listed by flavor' % flavor_id)
    return _servers(compute, {'flavor': flavor_id})


def _get(compute, server_id):
    """The server, or None if it is gone."""
    url = '/servers/%s' % parse.quote(server_id, safe='')
    resp = compute.get(url, expect=(200, 404))
    return None if resp.status == 404 else _server(
        compute, resp.body['server'], url)


def delete_server(compute, server_id):
    """Ask Nova to delete the server; False if it is already gone. Where
    Nova defers deletes (``reclaim_instance_interval``), a delete only
    soft-deletes: the server stays, SOFT_DELETED, on its host; deleting a
    SOFT_DELETED server forces the delete."""
    server = _get(compute, server_id)
    if server is None:
        return False
    url = '/servers/%s' % parse.quote(server_id, safe='')
    if server.status == SOFT_DELETED:
        LOG.info('Server %s is SOFT_DELETED: forcing its delete', server_id)
        resp = compute.post(url + '/action', {'forceDelete': None},
                            expect=(202, 404))
        return resp.status == 202
    return compute.delete(url, expect=(204, 404)).status == 204


def shelve_server(compute, server_id):
    """Ask Nova to shelve the server; False if it is already shelved
    (SHELVED, SHELVED_OFFLOADED) or gone. Nova's 409 (a task under way,
    or a state that cannot be shelved, such as ERROR) raises
    ``ComputeRefused`` with status 409."""
    server = _get(compute, server_id)
    if server is None or server.status in (SHELVED, SHELVED_OFFLOADED):
        return False
    url = '/servers/%s/action' % parse.quote(server_id, safe='')
    try:
        resp = compute.post(url, {'shelve': None}, expect=(202, 404))
    except compute.refused_error as exc:
        if exc.status != 409:
            raise
        # Shelved by someone else meanwhile is no refusal.
        server = _get(compute, server_id)
        if server is None or server.status in (SHELVED, SHELVED_OFFLOADED):
            return False
        LOG.info('Nova cannot shelve server %s (%s) now: %s', server_id,
                 server.status, exc)
        raise
    return resp.status == 202


def snapshot_server(compute, server_id, image_name, metadata=None):
    """Ask Nova for a snapshot image of the server; its image id, or None
    if the server is gone. The image is made asynchronously."""
    body = {'name': image_name}
    if metadata:
        body['metadata'] = metadata
    url = '/servers/%s/action' % parse.quote(server_id, safe='')
    resp = compute.post(url, {'createImage': body}, expect=(202, 404))
    return None if resp.status == 404 else resp.body['image_id']


def remaining(compute, server_ids, on_hosts=None):
    """The servers among ``server_ids`` that still exist and, given
    ``on_hosts``, still occupy one of those hypervisors (a
    SHELVED_OFFLOADED server occupies none). One request per server."""
    hosts = None if on_hosts is None else set(on_hosts)
    found = []
    for server_id in server_ids:
        server = _get(compute, server_id)
        if server is not None and (
                hosts is None or (server.occupies_host
                                  and server.hypervisor_hostname in hosts)):
            found.append(server)
    return found


def hypervisor_states(compute):
    """``{hypervisor_hostname: HypervisorState}`` of every hypervisor with
    a compute service. ``up`` is false when the service stopped reporting
    or was forced down."""
    states = {}
    for _url, hyp in compute_api.paginated(
            compute, '/os-hypervisors/detail', {}, 'hypervisors'):
        service = hyp.get('service') or {}
        states[hyp['hypervisor_hostname']] = HypervisorState(
            up=hyp.get('state') == 'up',
            enabled=hyp.get('status') == 'enabled',
            service_host=service.get('host'),
            reason=service.get('disabled_reason'))
    return states
