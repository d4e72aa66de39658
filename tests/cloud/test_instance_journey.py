"""An instance reservation of two slots: two servers of its flavor boot,
the third is refused, and another project can neither see nor use the
flavor."""

from tests.cloud import journey
from tools.cloud import layout


def test_two_slots_two_servers(clean_cloud, names):
    cloud = clean_cloud
    spec = ('resource_type=virtual:instance,vcpus=1,memory_mb=512,'
            'disk_gb=1,amount=2,affinity=False')
    lease = journey.create_lease(cloud, 'alice', names('lease'), spec)
    lease = cloud.wait_lease('alice', lease['id'], 'ACTIVE')
    flavor = lease['reservations'][0]['id']

    # The agent made the reservation's flavor, visible to alpha only.
    shown = cloud.json('alice', 'flavor', 'show', flavor)
    assert shown['name'] == 'reservation:%s' % flavor
    assert (shown['vcpus'], shown['ram'], shown['disk']) == (1, 512, 1)
    hidden = cloud.run('bob', 'flavor', 'show', flavor, check=False)
    assert hidden.returncode != 0
    assert 'No Flavor found' in hidden.stderr or \
        'could not be found' in hidden.stderr, hidden.stderr
    assert flavor not in cloud.run('bob', 'flavor', 'list', '--all').stdout

    servers = [journey.boot(cloud, 'alice', names('slot-%d' % i),
                            flavor=flavor) for i in range(2)]
    assert [s['status'] for s in servers] == ['ACTIVE', 'ACTIVE']
    assert {journey.host_of(s) for s in servers} <= set(layout.RESERVABLE)

    third = journey.boot(cloud, 'alice', names('slot-3'), flavor=flavor,
                         expect_error=True)
    assert third['status'] == 'ERROR'
    assert 'No valid host' in third['fault']['message']

    refused = cloud.run('bob', 'server', 'create', '--image', journey.IMAGE,
                        '--flavor', flavor, '--nic', 'none',
                        names('bob'), check=False)
    assert refused.returncode != 0
    assert 'No Flavor found' in refused.stderr or \
        'could not be found' in refused.stderr, refused.stderr
