"""flavor:instance through the store on SQLite, MariaDB and PostgreSQL,
with hosts in a real (in-process) Placement and Nova's flavor reads
stood in for (``flavor_support.NovaFlavors``)."""

import pytest

from placement_ext import exception
from placement_ext.placement import inventories
from placement_ext.testing import placement_service
from tests.functional import flavor_support as fs
from tests.functional import test_store as helpers

HOUR = 3600
GPU = 'CUSTOM_FPGA'
TRAIT = 'CUSTOM_FAST_NIC'
FLAVOR = fs.nova_flavor('f-gpu', vcpus=4, ram=2048, disk=10, extra_specs={
    'resources:%s' % GPU: '1', 'trait:%s' % TRAIT: 'required',
    'hw:cpu_policy': 'shared'})


@pytest.fixture
def placement(tmp_path):
    with placement_service.in_process(tmp_path) as client:
        yield client


@pytest.fixture
def cloud(store, placement):
    """Three enrolled compute nodes: ``a`` has the trait and the GPUs
    (VCPU 10 - 2 reserved at ratio 1.5: 12), ``b`` the trait but no GPU,
    ``c`` GPUs and plenty of VCPU but not the trait."""
    big = {'VCPU': fs.inventory(64), 'MEMORY_MB': fs.inventory(65536),
           'DISK_GB': fs.inventory(1000)}
    nodes = {
        'a': fs.add_node(placement, store, 'cn-a', dict(
            big, VCPU=fs.inventory(10, reserved=2, ratio=1.5),
            **{GPU: fs.inventory(4, max_unit=1)}), [TRAIT]),
        'b': fs.add_node(placement, store, 'cn-b', big, [TRAIT]),
        'c': fs.add_node(placement, store, 'cn-c', dict(
            big, **{GPU: fs.inventory(4, max_unit=1)})),
    }
    nova = fs.NovaFlavors({'f-gpu': FLAVOR, 'f-big': fs.nova_flavor(
        'f-big', extra_specs={'resources:%s' % GPU: '2'}),
        'f-private': fs.nova_flavor('f-private', public=False)},
        access={'f-private': ['p2']})
    return nodes, fs.Clients(nova, placement)


def flavor_lease(clock, name='f1', amount=1, flavor_id='f-gpu',
                 affinity=None, start=HOUR, end=2 * HOUR):
    return {'name': name, 'start_date': helpers.date(clock, start),
            'end_date': helpers.date(clock, end),
            'reservations': [{'resource_type': 'flavor:instance',
                              'flavor_id': flavor_id, 'amount': amount,
                              'affinity': affinity}]}


def hosts_of(lease):
    return {a['hypervisor_hostname']: a['slots']
            for a in lease['reservations'][0]['allocations']}


def test_slots_come_from_placement_read_fresh_and_traits_select(
        store, clock, placement, cloud):
    nodes, clients = cloud
    ctx = helpers.ctx()
    # Only cn-a has the trait and the GPUs: floor((10 - 2) x 1.5) = 12
    # VCPU gives 3 slots of 4, before the 4 GPUs run out.
    with pytest.raises(exception.NotEnoughResources) as exc:
        store.create_lease(ctx, flavor_lease(clock, amount=4), clients)
    assert 'can give 3 slots' in str(exc.value)
    lease = store.create_lease(ctx, flavor_lease(clock, amount=3), clients)
    assert hosts_of(lease) == {'cn-a': 3}
    [res] = lease['reservations']
    assert res['flavor_id'] == 'f-gpu' and res['amount'] == 3
    assert (res['vcpus'], res['memory_mb'], res['disk_gb']) == (4, 2048, 10)
    assert res['resources'] == {'DISK_GB': 10, 'MEMORY_MB': 2048,
                                'VCPU': 4, GPU: 1}
    assert res['traits'] == {TRAIT: 'required'}

    before = helpers.counts(store)
    with pytest.raises(exception.NotEnoughResources):
        store.create_lease(ctx, flavor_lease(clock, 'f2'), clients)
    assert helpers.counts(store) == before

    # The operator raises cn-a's allocation ratio in Placement after
    # enrolment: floor(8 x 3) = 24 VCPU, and the fourth GPU now counts.
    fs.set_inventory(placement, nodes['a'], 'VCPU', allocation_ratio=3.0)
    lease2 = store.create_lease(ctx, flavor_lease(clock, 'f2'), clients)
    assert hosts_of(lease2) == {'cn-a': 1}
    # And fewer GPUs: two free later, none beside the four booked.
    fs.set_inventory(placement, nodes['a'], GPU, total=2)
    with pytest.raises(exception.NotEnoughResources):
        store.create_lease(ctx, flavor_lease(clock, 'f3'), clients)
    later = store.create_lease(ctx, flavor_lease(
        clock, 'f3', amount=2, start=3 * HOUR, end=4 * HOUR), clients)
    assert hosts_of(later) == {'cn-a': 2}

    # Availability asks the same: cn-a's 2 GPUs are free after the
    # window, and the flavor is read like at creation.
    free = store.availability(ctx, {
        'resource_type': 'flavor:instance', 'flavor_id': 'f-gpu',
        'amount': 1}, helpers.date(clock, HOUR), helpers.date(clock, HOUR * 3),
        clients=clients)
    assert [p['free'] for p in free['timeline']] == [0, 2]

    # The check reads a node again only when its generation moved.
    assert inventories.refresh(placement, store, ctx) == 0
    fs.set_inventory(placement, nodes['b'], 'VCPU', total=32)
    assert inventories.refresh(placement, store, ctx) == 1


def test_max_unit_and_affinity(store, clock, cloud):
    _nodes, clients = cloud
    ctx = helpers.ctx()
    # Two GPUs per instance, but each node gives at most one at a time.
    with pytest.raises(exception.NotEnoughResources) as exc:
        store.create_lease(ctx, flavor_lease(clock, flavor_id='f-big'),
                           clients)
    assert '0 slots' in str(exc.value)
    # One host only has the trait: two instances on distinct hosts fail,
    # on one host they fit.
    with pytest.raises(exception.NotEnoughResources) as exc:
        store.create_lease(ctx, flavor_lease(clock, amount=2,
                                             affinity=False), clients)
    assert 'distinct hosts' in str(exc.value)
    lease = store.create_lease(ctx, flavor_lease(clock, amount=2,
                                                 affinity=True), clients)
    assert hosts_of(lease) == {'cn-a': 2}
    assert lease['reservations'][0]['affinity'] is True

    # A virtual:instance lease over the same window sees the flavor's
    # bookings on cn-a: 2 of its 4 GPUs are taken.
    body = {'name': 'v', 'start_date': helpers.date(clock, HOUR),
            'end_date': helpers.date(clock, 2 * HOUR),
            'reservations': [{
                'resource_type': 'virtual:instance', 'amount': 1,
                'vcpus': 1, 'memory_mb': 1, 'disk_gb': 0,
                'extra_resources': {GPU: 3},
                'resource_properties': '["==", "$hypervisor_hostname", '
                                       '"cn-a"]'}]}
    with pytest.raises(exception.NotEnoughResources):
        store.create_lease(ctx, body)
    body['reservations'][0]['extra_resources'] = {GPU: 2}
    assert hosts_of(store.create_lease(ctx, body)) == {'cn-a': 1}


def test_update_refuses_flavor_and_amount_and_moves_dates(store, clock,
                                                          cloud):
    _nodes, clients = cloud
    ctx = helpers.ctx()
    lease = store.create_lease(ctx, flavor_lease(clock, amount=2), clients)
    rid = lease['reservations'][0]['id']
    before = store.get_lease(ctx, lease['id'])
    for change in ({'amount': 3}, {'flavor_id': 'f-big'}):
        with pytest.raises(exception.Conflict) as exc:
            store.update_lease(ctx, lease['id'], {'reservations': [
                dict(change, id=rid)]}, clients)
        assert 'Flavor-based reservation update not yet supported' in str(
            exc.value)
    assert store.get_lease(ctx, lease['id']) == before
    # Another type's field is not this type's.
    with pytest.raises(exception.InvalidInput) as exc:
        store.update_lease(ctx, lease['id'], {'reservations': [
            {'id': rid, 'vcpus': 8}]}, clients)
    assert exc.value.field == 'reservations[0].vcpus'
    # Dates move, with the size the flavor had at creation.
    moved = store.update_lease(ctx, lease['id'], {
        'end_date': helpers.date(clock, 3 * HOUR),
        'reservations': [{'id': rid, 'amount': 2}]}, clients)
    assert hosts_of(moved) == {'cn-a': 2}
    assert moved['reservations'][0]['resources'][GPU] == 1


def test_refusals_name_the_flavor_or_nova(store, clock, placement, cloud):
    _nodes, clients = cloud
    ctx = helpers.ctx()
    before = helpers.counts(store)
    with pytest.raises(exception.InvalidInput) as exc:
        store.create_lease(ctx, flavor_lease(clock, flavor_id='nope'),
                           clients)
    assert exc.value.field == 'reservations[0].flavor_id'
    # A private flavor: only the projects on its access list (and admins)
    # see it.
    with pytest.raises(exception.InvalidInput):
        store.create_lease(ctx, flavor_lease(clock, flavor_id='f-private'),
                           clients)
    store.create_lease(helpers.ctx('p2'), flavor_lease(
        clock, flavor_id='f-private'), clients)
    with pytest.raises(exception.Conflict) as exc:
        store.create_lease(ctx, flavor_lease(clock), fs.Clients(
            placement=placement))
    assert 'no Nova configured' in str(exc.value)
    with pytest.raises(exception.Conflict) as exc:
        store.create_lease(ctx, flavor_lease(clock), fs.Clients(
            clients.compute))
    assert 'no Placement configured' in str(exc.value)
    with pytest.raises(exception.InvalidInput) as exc:
        store.create_lease(ctx, dict(flavor_lease(clock), reservations=[{
            'resource_type': 'flavor:instance', 'amount': 1}]), clients)
    assert exc.value.field == 'reservations[0].flavor_id'
    assert helpers.counts(store) == dict(before, leases=1, reservations=1,
                                         allocations=1, events=3)
