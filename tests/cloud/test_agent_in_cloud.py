"""The lease agent against real Nova, Glance and Placement: the
before-end snapshot lands in Glance, and a failed host of a lease is
replaced within a minute."""

import datetime
import os
import signal
import time

from tests.cloud import client
from tests.cloud import journey
from tools.cloud import layout
from tools.cloud import processes

REPLACED_WITHIN = 60  # seconds, from the failure to the new host in use


def test_before_end_snapshot_lands_in_glance(clean_cloud, names):
    cloud = clean_cloud
    lease, reservation, held = journey.host_lease(
        cloud, 'alice', names('lease'), extra=',before_end=snapshot')
    server = journey.boot(cloud, 'alice', names('server'), hint=reservation)
    assert journey.host_of(server) == held[0]

    # Blazar's CLI cannot move the before-end date; the API can.
    soon = client.utc_now() + datetime.timedelta(seconds=2)
    cloud.ok('alice', 'reservation', 'PUT', '/leases/%s' % lease['id'],
             {'before_end_date': soon.strftime('%Y-%m-%d %H:%M:%S')})

    def snapshot():
        images = cloud.json('alice', 'image', 'list', '--long')
        return [image for image in images
                if image['Project'] == cloud.project_id('alice')]
    images = client.wait_for(snapshot, 60, 'a snapshot image of alpha')
    assert len(images) == 1, images
    image = cloud.json('alice', 'image', 'show', images[0]['ID'])
    assert image['properties']['instance_uuid'] == server['id']
    assert image['properties']['blazar_lease_id'] == lease['id']
    assert image['properties']['image_type'] == 'snapshot'
    # Nova's fake driver uploads no data: the image stays queued.
    assert image['status'] in ('queued', 'saving', 'active')
    assert images[0]['ID'] not in cloud.run('bob', 'image', 'list').stdout
    # The lease goes on: the snapshot does not end it.
    assert cloud.lease('alice', lease['id'])['status'] == 'ACTIVE'
    assert cloud.server(server['id'])['status'] == 'ACTIVE'


def _wait_replaced(cloud, lease_id, failed, began):
    def replaced():
        lease = cloud.lease('alice', lease_id)
        hosts = [a['hypervisor_hostname']
                 for a in lease['reservations'][0]['allocations']]
        return hosts if hosts and failed not in hosts else None
    hosts = client.wait_for(replaced, REPLACED_WITHIN + 5,
                            'a replacement for %s' % failed, interval=1)
    took = time.monotonic() - began
    assert took <= REPLACED_WITHIN, took
    return hosts


def _serves(cloud, reservation, host, names):
    server = journey.boot(cloud, 'alice', names('after'), hint=reservation)
    assert journey.host_of(server) == host
    state = cloud.provider_state(host)
    assert 'CUSTOM_BLAZAR_RESERVED' in state['traits']


def test_a_disabled_compute_is_replaced(clean_cloud, names):
    cloud = clean_cloud
    lease, reservation, held = journey.host_lease(cloud, 'alice',
                                                  names('lease'))
    failed = held[0]
    began = time.monotonic()
    cloud.run('admin', 'compute', 'service', 'set', '--disable',
              '--disable-reason', 'disk failure', failed, 'nova-compute')
    hosts = _wait_replaced(cloud, lease['id'], failed, began)
    assert hosts[0] in layout.RESERVABLE
    assert 'CUSTOM_BLAZAR_RESERVED' not in \
        cloud.provider_state(failed)['traits']
    _serves(cloud, reservation, hosts[0], names)


def _compute_pids(host):
    """The processes of the nova-compute of ``host``."""
    record = processes.read(layout.Layout().pidfile('nova-compute-' + host))
    return record.members(processes.sessions())


def test_a_stopped_compute_is_replaced(clean_cloud, names):
    """SIGSTOP freezes one nova-compute: it stops reporting, Nova calls
    its service down after ``service_down_time``, the agent replaces it."""
    cloud = clean_cloud
    lease, reservation, held = journey.host_lease(cloud, 'alice',
                                                  names('lease'))
    failed = held[0]
    pids = _compute_pids(failed)
    assert pids
    began = time.monotonic()
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        hosts = _wait_replaced(cloud, lease['id'], failed, began)
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    assert hosts[0] in layout.RESERVABLE
    _serves(cloud, reservation, hosts[0], names)
    client.wait_for(lambda: all(
        s['state'] == 'up' for s in cloud.ok(
            'admin', 'compute', 'GET',
            '/os-services?binary=nova-compute')['services']),
        60, 'every compute up again')
