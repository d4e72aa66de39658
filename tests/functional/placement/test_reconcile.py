"""Reconcile a real store with a real Placement, both ways."""

import uuid

import pytest

from placement_ext import context as bn_context
from placement_ext.placement import encoding
from placement_ext import reservations
from placement_ext.reservations import virtual_instance
from blazar_nova import names
from placement_ext.placement import providers
from placement_ext.placement import reconcile
from placement_ext import timeconv
from placement_ext.testing import placement_service as ps
from placement_ext.testing.placement_service import carriers
from placement_ext.testing.placement_service import inventory_of
from placement_ext.testing.placement_service import traits_of

HOUR = 3600
ADMIN = bn_context.admin_context()

# The store on SQLite here; test_lease_lifecycle runs on every backend.
on_sqlite = pytest.mark.parametrize('db_url', ['sqlite'], indirect=True)


def ctx(project):
    return bn_context.RequestContext(project_id=project,
                                     user_id='u-' + project)


def date(clock, offset):
    return timeconv.to_text(timeconv.to_datetime(clock.now + offset))


def enrol(store, placement, hostname, reservable=True, in_placement=True):
    """A compute node in Placement (unless ``in_placement`` is False) and
    the same host enrolled in the store; returns its uuid."""
    node_uuid = str(uuid.uuid4())
    if in_placement:
        ps.add_compute_node(placement, hostname, uuid=node_uuid)
    store.create_host(ADMIN, {
        'hypervisor_hostname': hostname, 'uuid': node_uuid, 'vcpus': 8,
        'memory_mb': 16384, 'local_gb': 200, 'properties': {},
        'reservable': reservable})
    return node_uuid


def host_lease(store, clock, project='p1', count=1, name='hosts'):
    return store.create_lease(ctx(project), {
        'name': name, 'start_date': date(clock, HOUR),
        'end_date': date(clock, 2 * HOUR),
        'reservations': [{'resource_type': 'physical:host', 'min': count,
                          'max': count, 'hypervisor_properties': ''}]})


def slot_lease(store, clock, project='p1', amount=3, name='slots'):
    return store.create_lease(ctx(project), {
        'name': name, 'start_date': date(clock, HOUR),
        'end_date': date(clock, 2 * HOUR),
        'reservations': [{'resource_type': 'virtual:instance',
                          'amount': amount, 'vcpus': 2, 'memory_mb': 1024,
                          'disk_gb': 10, 'affinity': None}]})


def start(store, lease):
    store.set_lease_status(ADMIN, lease['id'], 'PENDING', 'STARTING')
    store.set_lease_status(ADMIN, lease['id'], 'STARTING', 'ACTIVE')


def end(store, lease):
    store.set_lease_status(ADMIN, lease['id'], 'ACTIVE', 'TERMINATING')
    store.set_lease_status(ADMIN, lease['id'], 'TERMINATING', 'TERMINATED')


def run(placement, store):
    return reconcile.reconcile(placement, store, ADMIN)


def assert_in_sync(placement, store):
    report = run(placement, store)
    assert report == reconcile.Report(), report


def reservation_of(lease):
    (reservation,) = lease['reservations']
    return reservation


def hosts_of(lease, uuids):
    """{uuid: slots} of the lease's one reservation."""
    return {uuids[a['hypervisor_hostname']]: a['slots']
            for a in reservation_of(lease)['allocations']}


def reservation_traces(placement, reservation_id):
    """Every trait and resource class Placement still has for the
    reservation."""
    return (ps.custom_traits(placement,
                             names.resource_class(reservation_id)),
            [rc for rc in ps.custom_resource_classes(placement)
             if rc == names.resource_class(reservation_id)])


@pytest.fixture
def hosts(store, placement):
    """Four enrolled hosts: {hostname: uuid}."""
    return {name: enrol(store, placement, name)
            for name in ('cn0', 'cn1', 'cn2', 'cn3')}


@on_sqlite
def test_reconcile_on_a_fresh_placement(store, placement):
    # Neither CUSTOM_BLAZAR_RESERVABLE nor CUSTOM_BLAZAR_RESERVED exists
    # yet: Placement answers queries for them with 400 "No such trait".
    assert run(placement, store) == reconcile.Report()
    host = enrol(store, placement, 'cn0')

    report = run(placement, store)

    assert report == reconcile.Report(
        changes=['marked host %s reservable' % host])
    assert_in_sync(placement, store)


@on_sqlite
def test_enrolled_hosts_and_only_they_are_reservable(store, placement):
    enrolled = enrol(store, placement, 'cn-enrolled')
    held_back = enrol(store, placement, 'cn-held-back', reservable=False)
    missing = enrol(store, placement, 'cn-missing', in_placement=False)
    stranger = ps.add_compute_node(placement, 'cn-stranger')
    providers.change_traits(placement, stranger,
                            add={names.RESERVABLE_TRAIT})

    report = run(placement, store)

    assert sorted(report.changes) == sorted([
        'marked host %s reservable' % enrolled,
        'unmarked host %s' % stranger])
    assert report.kept == []
    assert len(report.problems) == 1
    assert 'cn-missing' in report.problems[0]
    assert missing in report.problems[0]
    assert carriers(placement, names.RESERVABLE_TRAIT) == {enrolled}
    assert traits_of(placement, held_back) == {ps.NODE_TRAIT}
    assert traits_of(placement, stranger) == {ps.NODE_TRAIT}
    # The missing node is still a problem, and nothing else changes.
    again = run(placement, store)
    assert (again.changes, again.kept) == ([], [])
    assert again.problems == report.problems


@on_sqlite
def test_an_unreservable_host_stays_closed_while_held(store, placement,
                                                      clock):
    """A host made unreservable that a reservation still holds keeps the
    reservable mark (ordinary requests stay off it) until the reservation
    is gone."""
    held = enrol(store, placement, 'cn-held')
    lease = host_lease(store, clock)
    start(store, lease)
    run(placement, store)
    store.update_host(ADMIN, 'cn-held', {'reservable': False})

    assert run(placement, store) == reconcile.Report()
    assert names.RESERVABLE_TRAIT in traits_of(placement, held)
    end(store, lease)
    store.delete_lease(ADMIN, lease['id'])

    assert 'unmarked host %s' % held in run(placement, store).changes
    assert traits_of(placement, held) == {ps.NODE_TRAIT}


@on_sqlite
def test_active_leases_are_encoded_and_pending_ones_not(store, placement,
                                                        hosts, clock):
    active_hosts = host_lease(store, clock, 'p1', count=2, name='h1')
    active_slots = slot_lease(store, clock, 'p2', amount=3, name='s1')
    pending = host_lease(store, clock, 'p3', count=1, name='h2')
    pending_slots = slot_lease(store, clock, 'p3', amount=1, name='s2')
    start(store, active_hosts)
    start(store, active_slots)

    report = run(placement, store)

    assert report.kept == [] and report.problems == []
    r_hosts = reservation_of(active_hosts)['id']
    trait = names.access_trait(r_hosts, 'p1')
    reserved_hosts = set(hosts_of(active_hosts, hosts))
    assert len(reserved_hosts) == 2
    assert carriers(placement, trait) == reserved_hosts
    r_slots = reservation_of(active_slots)['id']
    rc = names.resource_class(r_slots)
    slots = hosts_of(active_slots, hosts)
    assert sum(slots.values()) == 3
    assert carriers(placement, names.access_trait(r_slots, 'p2')) == {
        names.child_provider_uuid(h) for h in slots}
    for host, count in slots.items():
        child = names.child_provider_uuid(host)
        assert inventory_of(placement, child)[rc]['total'] == count
        assert ps.provider(placement, child)['name'] == (
            'blazar_' + {u: n for n, u in hosts.items()}[host])
    assert carriers(placement, names.RESERVED_TRAIT) == (
        reserved_hosts | set(slots))
    assert carriers(placement, names.RESERVABLE_TRAIT) == set(
        hosts.values())
    # Nothing of the pending leases is in Placement.
    for lease in (pending, pending_slots):
        assert reservation_traces(
            placement, reservation_of(lease)['id']) == ([], [])
    assert_in_sync(placement, store)


@on_sqlite
def test_drift_is_repaired(store, placement, hosts, clock):
    by_hand = host_lease(store, clock, 'p1', count=1, name='h1')
    slots = slot_lease(store, clock, 'p2', amount=2, name='s1')
    start(store, by_hand)
    start(store, slots)
    run(placement, store)
    (host,) = hosts_of(by_hand, hosts)
    trait = names.access_trait(reservation_of(by_hand)['id'], 'p1')
    r_slots = reservation_of(slots)['id']
    rc = names.resource_class(r_slots)
    slot_host = sorted(hosts_of(slots, hosts))[0]
    child = names.child_provider_uuid(slot_host)
    wanted_traits = {u: traits_of(placement, u) for u in hosts.values()}
    wanted_inventory = inventory_of(placement, child)
    other = sorted(set(hosts.values()) - {host})[0]
    # An operator (or a bug) removes and adds things by hand.
    providers.change_traits(placement, host,
                            remove={trait, names.RESERVED_TRAIT})
    providers.change_traits(placement, other,
                            remove={names.RESERVABLE_TRAIT})
    providers.delete_inventory(placement, child, rc)
    providers.change_traits(placement, child,
                            remove={names.access_trait(r_slots, 'p2')})

    report = run(placement, store)

    assert 'granted %s on host %s' % (
        trait, {u: n for n, u in hosts.items()}[host]) in report.changes
    assert 'marked host %s reservable' % other in report.changes
    assert report.kept == [] and report.problems == []
    assert {u: traits_of(placement, u) for u in hosts.values()} == (
        wanted_traits)
    assert inventory_of(placement, child) == wanted_inventory
    assert carriers(placement, names.access_trait(r_slots, 'p2')) == {
        names.child_provider_uuid(h) for h in hosts_of(slots, hosts)}
    assert_in_sync(placement, store)


@on_sqlite
def test_stale_encodings_are_removed(store, placement, hosts, clock):
    pending = host_lease(store, clock, 'p1', count=1, name='h1')
    ua, ub = hosts['cn0'], hosts['cn1']
    # An access trait of a reservation the store never had, one of a
    # pending reservation, and a stray reserved mark.
    unknown = names.access_trait(str(uuid.uuid4()), 'p9')
    early = names.access_trait(reservation_of(pending)['id'], 'p1')
    providers.change_traits(placement, ua,
                            add={unknown, names.RESERVED_TRAIT})
    providers.change_traits(placement, ub, add={early})
    # Slots of a reservation the store never had, with their trait.
    gone = encoding.Plan(str(uuid.uuid4()), 'p9', virtual_instance.NAME,
                         (encoding.HostShare(hosts['cn2'], 'cn2', 2),))
    reservations.activate(placement, gone)

    report = run(placement, store)

    assert report.kept == [] and report.problems == []
    for trait in (unknown, early, gone.trait):
        assert 'deleted trait %s' % trait in report.changes
        assert not ps.trait_exists(placement, trait)
    assert not ps.resource_class_exists(placement, gone.resource_class)
    assert ps.provider(placement, names.child_provider_uuid(
        hosts['cn2'])) is None
    for host in hosts.values():
        assert traits_of(placement, host) == {ps.NODE_TRAIT,
                                              names.RESERVABLE_TRAIT}
    assert_in_sync(placement, store)


@on_sqlite
def test_stale_slots_without_their_trait_are_removed(store, placement,
                                                     hosts):
    stale = names.resource_class(str(uuid.uuid4()))
    child = names.child_provider_uuid(hosts['cn0'])
    providers.ensure_resource_class(placement, stale)
    providers.ensure_child(placement, child, 'blazar_cn0', hosts['cn0'])
    providers.set_inventory(placement, child, stale, 2)

    report = run(placement, store)

    assert report.kept == [] and report.problems == []
    assert 'deleted resource class %s' % stale in report.changes
    assert not ps.resource_class_exists(placement, stale)
    assert ps.provider(placement, child) is None
    assert_in_sync(placement, store)


@on_sqlite
def test_used_slots_of_an_ended_lease_are_kept_until_freed(store, placement,
                                                           hosts, clock):
    lease = slot_lease(store, clock, 'p1', amount=2)
    start(store, lease)
    run(placement, store)
    rid = reservation_of(lease)['id']
    rc = names.resource_class(rid)
    slots = hosts_of(lease, hosts)
    busy_host = sorted(slots)[0]
    busy_child = names.child_provider_uuid(busy_host)
    consumer = str(uuid.uuid4())
    assert ps.allocate(placement, consumer, busy_child, rc,
                       project_id='p1') == 204
    end(store, lease)

    report = run(placement, store)

    assert report.kept
    assert all(rid in line and busy_child in line for line in report.kept)
    assert report.problems == []
    # Nothing new may use the reservation, but the instance keeps its slot
    # and its host stays marked.
    assert carriers(placement, names.access_trait(rid, 'p1')) == set()
    assert inventory_of(placement, busy_child)[rc]['total'] == slots[
        busy_host]
    assert names.RESERVED_TRAIT in traits_of(placement, busy_host)
    # Still in use: kept again, and nothing else to change.
    again = run(placement, store)
    assert again.changes == [] and again.kept == report.kept

    placement.delete('/allocations/%s' % consumer)
    report = run(placement, store)

    assert report.kept == [] and report.problems == []
    assert 'deleted resource class %s' % rc in report.changes
    assert reservation_traces(placement, rid) == ([], [])
    assert ps.provider(placement, busy_child) is None
    assert carriers(placement, names.RESERVED_TRAIT) == set()
    assert_in_sync(placement, store)


@on_sqlite
def test_used_slots_of_a_deleted_lease_are_removed_once_freed(
        store, placement, hosts, clock):
    lease = slot_lease(store, clock, 'p1', amount=1)
    start(store, lease)
    run(placement, store)
    rid = reservation_of(lease)['id']
    rc = names.resource_class(rid)
    (host,) = hosts_of(lease, hosts)
    child = names.child_provider_uuid(host)
    consumer = str(uuid.uuid4())
    assert ps.allocate(placement, consumer, child, rc) == 204
    end(store, lease)
    assert run(placement, store).kept
    assert store.delete_lease(ctx('p1'), lease['id']) is True
    placement.delete('/allocations/%s' % consumer)

    run(placement, store)
    assert_in_sync(placement, store)

    assert reservation_traces(placement, rid) == ([], [])
    assert ps.provider(placement, child) is None


def test_lease_lifecycle(store, placement, clock):
    """On every store backend and both Placements: enrol, start, end."""
    uuids = {name: enrol(store, placement, name) for name in ('cn0', 'cn1')}
    hosts_lease = host_lease(store, clock, 'p1', count=1, name='h')
    slots_lease = slot_lease(store, clock, 'p2', amount=2, name='s')
    assert sorted(run(placement, store).changes) == sorted(
        'marked host %s reservable' % u for u in uuids.values())
    start(store, hosts_lease)
    start(store, slots_lease)

    report = run(placement, store)

    r_hosts = reservation_of(hosts_lease)['id']
    r_slots = reservation_of(slots_lease)['id']
    assert report.changes and report.kept == [] == report.problems
    assert carriers(placement, names.access_trait(r_hosts, 'p1')) == set(
        hosts_of(hosts_lease, uuids))
    slots = hosts_of(slots_lease, uuids)
    for host, count in slots.items():
        assert inventory_of(placement, names.child_provider_uuid(host))[
            names.resource_class(r_slots)]['total'] == count
    assert_in_sync(placement, store)

    end(store, hosts_lease)
    end(store, slots_lease)
    report = run(placement, store)

    assert report.kept == [] and report.problems == []
    for rid in (r_hosts, r_slots):
        assert reservation_traces(placement, rid) == ([], [])
    assert carriers(placement, names.RESERVED_TRAIT) == set()
    for host in uuids.values():
        assert ps.provider(placement, names.child_provider_uuid(host)) is None
        assert traits_of(placement, host) == {ps.NODE_TRAIT,
                                              names.RESERVABLE_TRAIT}
    assert_in_sync(placement, store)


@on_sqlite
def test_kept_slots_are_reported_once(store, placement, hosts, clock):
    lease = slot_lease(store, clock, 'p1', amount=1)
    start(store, lease)
    run(placement, store)
    rid = reservation_of(lease)['id']
    (host,) = hosts_of(lease, hosts)
    assert ps.allocate(placement, str(uuid.uuid4()),
                       names.child_provider_uuid(host),
                       names.resource_class(rid)) == 204
    end(store, lease)

    report = run(placement, store)

    assert len(report.kept) == 1, report.kept


def _stale_slots_in_use(placement, hosts):
    """Slots of a reservation the store never had, all of them in use."""
    stale = encoding.Plan(str(uuid.uuid4()), 'p9', virtual_instance.NAME,
                          (encoding.HostShare(hosts['cn0'], 'cn0', 1),))
    reservations.activate(placement, stale)
    consumer = str(uuid.uuid4())
    assert ps.allocate(placement, consumer,
                       names.child_provider_uuid(hosts['cn0']),
                       stale.resource_class) == 204
    return stale, consumer


@on_sqlite
def test_used_stale_slots_of_an_unknown_reservation_go_once_freed(
        store, placement, hosts):
    stale, consumer = _stale_slots_in_use(placement, hosts)
    child = names.child_provider_uuid(hosts['cn0'])

    report = run(placement, store)

    assert len(report.kept) == 1
    assert stale.reservation_id in report.kept[0]
    assert inventory_of(placement, child)[stale.resource_class][
        'total'] == 1
    assert carriers(placement, stale.trait) == set()
    assert names.RESERVED_TRAIT in traits_of(placement, hosts['cn0'])

    placement.delete('/allocations/%s' % consumer)
    report = run(placement, store)

    assert report.kept == [] and report.problems == []
    assert reservation_traces(placement, stale.reservation_id) == ([], [])
    assert ps.provider(placement, child) is None
    assert ps.custom_resource_classes(placement) == []
    assert carriers(placement, names.RESERVED_TRAIT) == set()
    assert_in_sync(placement, store)


@on_sqlite
def test_fully_used_stale_slots_stay_reported_while_used(store, placement,
                                                         hosts):
    stale, _consumer = _stale_slots_in_use(placement, hosts)

    reports = [run(placement, store) for _ in range(2)]

    for report in reports:
        assert len(report.kept) == 1, report
        assert stale.reservation_id in report.kept[0]
