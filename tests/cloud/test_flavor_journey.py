"""A ``flavor:instance`` reservation in the real cloud, as a Blazar 18 user
makes one: an operator's flavor asks for a trait only ``cloud-cn1`` has;
alice reserves two instances of it with ``affinity=True`` through the
``openstack reservation`` CLI; both slots are on cloud-cn1; at the start
the reservation's flavor (the source flavor plus its slot) and server
group exist; two servers booted with them land on cloud-cn1, a third is
refused; at the end the group and the flavor are gone."""

from tests.cloud import journey
from tools.cloud import layout

TRAIT = 'CUSTOM_BLAZAR_NOVA_JOURNEY_FAST'
TRAITED = layout.RESERVABLE[0]


def _provider(cloud, name):
    found = cloud.ok('admin', 'placement', 'GET',
                     '/resource_providers?name=%s' % name)
    return found['resource_providers'][0]['uuid']


def _set_trait(cloud, name, present):
    """Add or remove ``TRAIT`` on the compute node ``name``, keeping its
    other traits (as ``openstack resource provider trait set`` with the
    whole list would)."""
    uuid = _provider(cloud, name)
    headers = {'OpenStack-API-Version': 'placement 1.6'}
    current = cloud.ok('admin', 'placement', 'GET',
                       '/resource_providers/%s/traits' % uuid,
                       headers=headers)
    traits = set(current['traits'])
    traits = traits | {TRAIT} if present else traits - {TRAIT}
    cloud.ok('admin', 'placement', 'PUT',
             '/resource_providers/%s/traits' % uuid,
             {'traits': sorted(traits),
              'resource_provider_generation':
                  current['resource_provider_generation']},
             headers=headers)


def _flavor(cloud, name):
    """An operator's public flavor that requires ``TRAIT``; its id."""
    flavor = cloud.json('admin', 'flavor', 'create', '--vcpus', '2',
                        '--ram', '1024', '--disk', '1',
                        '--property', 'trait:%s=required' % TRAIT, name)
    return flavor['id']


def test_flavor_reservation_on_the_hosts_with_its_trait(clean_cloud, names):
    cloud = clean_cloud
    cloud.ok('admin', 'placement', 'PUT', '/traits/%s' % TRAIT,
             headers={'OpenStack-API-Version': 'placement 1.6'})
    _set_trait(cloud, TRAITED, True)
    flavor_id = _flavor(cloud, names('flavor'))
    try:
        _journey(cloud, names, flavor_id)
    finally:
        cloud.run('admin', 'flavor', 'delete', flavor_id, check=False)
        _set_trait(cloud, TRAITED, False)


def _journey(cloud, names, flavor_id):
    spec = ('resource_type=flavor:instance,flavor_id=%s,amount=2,'
            'affinity=True' % flavor_id)
    lease = journey.create_lease(cloud, 'alice', names('lease'), spec)
    reservation = lease['reservations'][0]
    assert (reservation['resource_type'], reservation['flavor_id'],
            reservation['amount']) == ('flavor:instance', flavor_id, 2)
    assert [(a['hypervisor_hostname'], a['slots'])
            for a in reservation['allocations']] == [(TRAITED, 2)]

    lease = cloud.wait_lease('alice', lease['id'], 'ACTIVE')
    reservation = lease['reservations'][0]
    private = reservation['id']
    shown = cloud.json('alice', 'flavor', 'show', private)
    assert shown['name'] == 'reservation:%s' % private
    assert (shown['vcpus'], shown['ram'], shown['disk']) == (2, 1024, 1)
    assert 'trait:%s' % TRAIT in str(shown['properties'])
    group_id = reservation['server_group_id']
    group = cloud.json('alice', 'server', 'group', 'show', group_id)
    assert 'affinity' in str(group.get('policy') or group['policies'])
    assert 'anti-affinity' not in str(group.get('policy')
                                      or group['policies'])

    servers = [journey.boot(cloud, 'alice', names('slot-%d' % i),
                            flavor=private, group=group_id)
               for i in range(2)]
    assert [s['status'] for s in servers] == ['ACTIVE', 'ACTIVE']
    assert {journey.host_of(s) for s in servers} == {TRAITED}
    third = journey.boot(cloud, 'alice', names('slot-3'), flavor=private,
                         expect_error=True)
    assert third['status'] == 'ERROR'
    assert 'No valid host' in third['fault']['message']

    journey.end_lease_now(cloud, 'alice', lease['id'])
    cloud.wait_lease('alice', lease['id'], 'TERMINATED')
    for what in ('server group', 'flavor'):
        gone = cloud.run('admin', *what.split(), 'show',
                         group_id if what == 'server group' else private,
                         check=False)
        assert gone.returncode != 0, (what, gone.stdout)
