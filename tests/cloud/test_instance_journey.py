"""An instance reservation of two slots with ``affinity=False``: its server
group (``server_group_id``, anti-affinity, in alice's project) and flavor
are made at the start; two servers booted as Blazar's users do (``--flavor
<reservation> --hint group=<server_group_id>``) land on different reserved
hosts, the third is refused, and another project can neither see nor use
the flavor; at the end the group is gone."""

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

    # The server group, in alpha (Nova finds a hint's group in the
    # caller's project only).
    group_id = lease['reservations'][0]['server_group_id']
    group = cloud.json('alice', 'server', 'group', 'show', group_id)
    assert group['name'] == 'reservation:%s' % flavor
    # ``policy`` from compute 2.64 on, ``policies`` before.
    assert 'anti-affinity' in str(group.get('policy') or group['policies'])

    servers = [journey.boot(cloud, 'alice', names('slot-%d' % i),
                            flavor=flavor, group=group_id)
               for i in range(2)]
    assert [s['status'] for s in servers] == ['ACTIVE', 'ACTIVE']
    hosts = {journey.host_of(s) for s in servers}
    assert len(hosts) == 2 and hosts <= set(layout.RESERVABLE)

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

    journey.end_lease_now(cloud, 'alice', lease['id'])
    cloud.wait_lease('alice', lease['id'], 'TERMINATED')
    gone = cloud.run('admin', 'server', 'group', 'show', group_id,
                     check=False)
    assert gone.returncode != 0, gone.stdout
