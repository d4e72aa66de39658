"""A host lease from the user's first command to the host's next lease,
over real processes: alice's lease, her server on the reserved host, bob
kept off it, the end of the lease and what it leaves in Nova and
Placement."""

from tests.cloud import client
from tests.cloud import journey
from tools.cloud import layout


def test_host_lease_from_start_to_next_lease(clean_cloud, names):
    cloud = clean_cloud
    before = {host: cloud.provider_state(host) for host in layout.COMPUTES}

    lease, reservation, held = journey.host_lease(cloud, 'alice',
                                                  names('lease'))
    assert len(held) == 1 and held[0] in layout.RESERVABLE
    host = held[0]
    state = cloud.provider_state(host)
    assert 'CUSTOM_BLAZAR_RESERVED' in state['traits']
    assert state['traits'] - before[host]['traits'] - {
        'CUSTOM_BLAZAR_RESERVED'}, 'no access trait for alpha'

    mine = journey.boot(cloud, 'alice', names('alice'), hint=reservation)
    assert mine['status'] == 'ACTIVE'
    assert journey.host_of(mine) == host

    stolen = journey.boot(cloud, 'bob', names('bob-hint'), hint=reservation,
                          expect_error=True)
    assert stolen['status'] == 'ERROR'
    assert 'No valid host' in stolen['fault']['message']

    for index in range(2):
        ordinary = journey.boot(cloud, 'bob', names('bob-%d' % index))
        assert ordinary['status'] == 'ACTIVE'
        assert journey.host_of(ordinary) in journey.ORDINARY

    journey.end_lease_now(cloud, 'alice', lease['id'])
    assert cloud.wait_lease('alice', lease['id'], 'TERMINATED')
    cloud.wait_server_gone(mine['id'])
    after = cloud.provider_state(host)
    assert after['allocations'] == {}
    assert after['traits'] == before[host]['traits']
    assert after['inventory'] == before[host]['inventory']
    assert after['children'] == before[host]['children']
    assert cloud.server(ordinary['id'])['status'] == 'ACTIVE'

    # The host serves the next lease (bob's, of both reservable hosts).
    _, bobs, held = journey.host_lease(cloud, 'bob', names('next'), hosts=2)
    assert held == sorted(layout.RESERVABLE)
    server = journey.boot(cloud, 'bob', names('bob-reserved'), hint=bobs)
    assert server['status'] == 'ACTIVE'
    assert journey.host_of(server) in layout.RESERVABLE


def test_shelve_at_the_end(clean_cloud, names):
    """end_action shelve (a lease field of this API; Blazar's CLI has no
    option for it, so the lease is created through the API with alice's
    Keystone token)."""
    cloud = clean_cloud
    body = {'name': names('lease'), 'start_date': 'now',
            'end_date': '9999-12-30 00:00', 'end_action': 'shelve',
            'reservations': [{'resource_type': 'physical:host',
                              'min': 1, 'max': 1}],
            'events': []}
    lease = cloud.ok('alice', 'reservation', 'POST', '/leases',
                     body)['lease']
    lease = cloud.wait_lease('alice', lease['id'], 'ACTIVE')
    reservation = lease['reservations'][0]
    host = reservation['allocations'][0]['hypervisor_hostname']

    server = journey.boot(cloud, 'alice', names('server'),
                          hint=reservation['id'])
    assert journey.host_of(server) == host

    journey.end_lease_now(cloud, 'alice', lease['id'])
    cloud.wait_server(server['id'], ('SHELVED_OFFLOADED',))
    # Nova clears the host a moment after the status.
    client.wait_for(lambda: journey.host_of(cloud.server(server['id']))
                    is None, 30, 'the shelved server off its host')
    assert cloud.wait_lease('alice', lease['id'], 'TERMINATED')
    assert cloud.provider_state(host)['allocations'] == {}
