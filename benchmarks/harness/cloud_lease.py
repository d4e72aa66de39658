"""From a host lease's start to its holder's server ACTIVE on the
reserved host, in a real cloud.

Each round, as alice (project alpha):

1. ``POST /v1/leases``: one host (``physical:host``, min = max = 1)
   starting ``"now"``, ending in an hour; the round's clock starts just
   before this request is sent, which is the lease's start (the store
   keeps it to the whole second, at or before that instant);
2. ``GET`` the lease every 50 ms until it is ACTIVE;
3. at once ``POST /servers`` with the hint ``reservation=<its
   reservation id>`` (flavor m1.tiny, image cloud-image, no network),
   then ``GET`` the server every 50 ms until it is ACTIVE;
4. the admin checks that the server's host (``OS-EXT-SRV-ATTR:host``) is
   the one the lease was given;
5. ``DELETE`` the lease (the agent ends it at once: the server is deleted,
   Placement forgets the reservation, the lease is removed); the round
   waits for the lease and the server to answer 404.

Figures per round: lease start to ACTIVE seen, lease ACTIVE seen to
server ACTIVE seen, and the total (lease start to server ACTIVE seen);
the polling adds up to 50 ms to each step.
"""

import datetime
import logging
import time

from benchmarks.harness import cloud_client

LOG = logging.getLogger(__name__)

POLL = 0.05


def lease_body(name, hours=1):
    end = datetime.datetime.now(datetime.timezone.utc) + \
        datetime.timedelta(hours=hours)
    return {'name': name, 'start_date': 'now',
            'end_date': end.strftime('%Y-%m-%d %H:%M:%S'),
            'reservations': [{'resource_type': 'physical:host', 'min': 1,
                              'max': 1, 'hypervisor_properties': '',
                              'resource_properties': ''}],
            'events': []}


def create_lease(client, name):
    """A one-host lease starting now; (lease, reservation id, host)."""
    lease = client.call('reservation', 'POST', '/leases',
                        lease_body(name))['lease']
    reservation = lease['reservations'][0]
    hosts = [a['hypervisor_hostname'] for a in reservation['allocations']]
    return lease, reservation['id'], hosts[0] if len(hosts) == 1 else None


def lease_status(client, lease_id):
    return client.call('reservation', 'GET', '/leases/%s' % lease_id)[
        'lease']['status']


def wait_lease_active(client, lease_id, timeout=60):
    def check():
        status = lease_status(client, lease_id)
        if status == 'ERROR':
            raise cloud_client.CallFailed('lease %s in ERROR' % lease_id)
        return status == 'ACTIVE'
    return cloud_client.wait_for(check, 'lease %s ACTIVE' % lease_id,
                                 timeout, POLL)[1]


def end_lease(client, lease_id, server_id, timeout=120):
    """DELETE the lease; wait until it and its holder's server are gone."""
    client.call('reservation', 'DELETE', '/leases/%s' % lease_id,
                expect=(204, 404))
    cloud_client.wait_for(
        lambda: client.status('reservation', '/leases/%s' % lease_id) == 404,
        'lease %s removed' % lease_id, timeout, 0.1)
    if server_id:
        cloud_client.wait_for(
            lambda: client.status('compute', '/servers/%s' % server_id)
            == 404, 'server %s deleted by the lease end' % server_id,
            timeout, 0.1)


def one_round(clients, ids, index):
    """One lease, one server; the round's figures (seconds)."""
    alice, admin = clients['alice'], clients['admin']
    began = time.monotonic()
    lease, reservation_id, host = create_lease(alice, 'bench-%d' % index)
    created = time.monotonic()
    server_id = None
    try:
        lease_active = wait_lease_active(alice, lease['id'])
        server_id = cloud_client.boot(alice, ids, 'bench-%d' % index,
                                      reservation=reservation_id)
        server_active = cloud_client.wait_active(alice, server_id)
        landed = cloud_client.host_of(admin, server_id)
    finally:
        ended = time.monotonic()
        end_lease(alice, lease['id'], server_id)
    if landed != host:
        raise cloud_client.CallFailed(
            'round %d: server %s landed on %s, the lease holds %s' % (
                index, server_id, landed, host))
    LOG.info('round %d: host %s, total %.2f s', index, host,
             server_active - began)
    return {'host': host,
            'create_request_s': round(created - began, 3),
            'lease_start_to_active_s': round(lease_active - began, 3),
            'lease_active_to_server_active_s': round(
                server_active - lease_active, 3),
            'total_s': round(server_active - began, 3),
            'end_s': round(time.monotonic() - ended, 3)}


def run(clients, rounds=20):
    """``rounds`` rounds, one after another; their figures."""
    ids = cloud_client.lookup(clients['admin'])
    return [one_round(clients, ids, index) for index in range(rounds)]
