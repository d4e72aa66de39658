"""The reservation encoding written into, and read back from, a real
Placement (in-process and standalone)."""

import threading
import uuid

import pytest

from placement_ext import exception
from placement_ext.placement import client as pclient
from placement_ext.placement import encoding
from placement_ext import reservations
from placement_ext.reservations import physical_host
from placement_ext.reservations import virtual_instance
from placement_ext.placement import generations
from blazar_nova import names
from placement_ext.placement import providers
from placement_ext.testing import placement_service as ps
from placement_ext.testing.placement_service import carriers
from placement_ext.testing.placement_service import inventory_of
from placement_ext.testing.placement_service import traits_of

HOST = physical_host.NAME
INSTANCE = virtual_instance.NAME


def rid():
    return str(uuid.uuid4())


def share(node_uuid, hostname, slots=1):
    return encoding.HostShare(node_uuid, hostname, slots)


def reservation_traits(client, reservation_id):
    """Every trait Placement knows for the reservation, on any provider or
    none."""
    prefix = names.resource_class(reservation_id)
    return ps.custom_traits(client, prefix)


@pytest.fixture
def nodes(placement, node):
    """Three enrolled compute nodes: {hostname: uuid}."""
    found = {}
    for i in range(3):
        hostname = 'cn%d-%s' % (i, uuid.uuid4().hex[:6])
        found[hostname] = node(hostname)
        assert encoding.enrol_host(placement, found[hostname]) == [
            'marked host %s reservable' % found[hostname]]
    return found


def test_enrol_and_withdraw_keep_other_traits(placement, node):
    host = node()
    assert encoding.enrol_host(placement, host)
    assert encoding.enrol_host(placement, host) == []
    assert traits_of(placement, host) == {ps.NODE_TRAIT,
                                          names.RESERVABLE_TRAIT}
    assert encoding.withdraw_host(placement, host) == [
        'unmarked host %s' % host]
    assert encoding.withdraw_host(placement, host) == []
    assert traits_of(placement, host) == {ps.NODE_TRAIT}
    with pytest.raises(exception.NotFound):
        encoding.enrol_host(placement, str(uuid.uuid4()))


def test_host_reservation_is_found_by_the_operators_one_query(
        placement, nodes):
    (a, ua), (b, ub), (c, uc) = sorted(nodes.items())
    r1 = rid()
    plan = encoding.Plan(r1, 'p1', HOST, (share(ua, a), share(ub, b)))

    changes = reservations.activate(placement, plan)

    trait = names.access_trait(r1, 'p1')
    assert sorted(changes) == sorted([
        'granted %s on host %s' % (trait, a),
        'granted %s on host %s' % (trait, b),
        'marked host %s reserved' % ua, 'marked host %s reserved' % ub])
    for host in (ua, ub):
        assert traits_of(placement, host) == {
            ps.NODE_TRAIT, names.RESERVABLE_TRAIT, names.RESERVED_TRAIT,
            trait}
    assert traits_of(placement, uc) == {ps.NODE_TRAIT,
                                        names.RESERVABLE_TRAIT}
    # The operator's one query, straight to Placement.
    assert carriers(placement, trait) == {ua, ub}
    assert carriers(placement, names.access_trait(r1, 'p2')) == set()
    assert carriers(placement, names.RESERVED_TRAIT) == {ua, ub}
    assert carriers(placement, names.RESERVABLE_TRAIT) == {ua, ub, uc}
    # A reservation of another project on the third host is its own.
    r2 = rid()
    reservations.activate(placement, encoding.Plan(
        r2, 'p2', HOST, (share(uc, c),)))
    assert carriers(placement, names.access_trait(r2, 'p2')) == {uc}
    assert carriers(placement, names.access_trait(r2, 'p1')) == set()
    assert carriers(placement, trait) == {ua, ub}
    # Nothing of either reservation holds slots.
    assert inventory_of(placement, ua) == inventory_of(placement, uc)
    assert ps.custom_resource_classes(placement) == []


def test_instance_reservation_slots_are_enforced_by_placement(placement,
                                                              nodes):
    (a, ua), (b, ub) = sorted(nodes.items())[:2]
    r1 = rid()
    plan = encoding.Plan(r1, 'p1', INSTANCE, (share(ua, a, 3),
                                              share(ub, b, 1)))

    assert reservations.activate(placement, plan)

    rc = names.resource_class(r1)
    trait = names.access_trait(r1, 'p1')
    assert ps.resource_class_exists(placement, rc)
    child = names.child_provider_uuid(ua)
    rp = ps.provider(placement, child)
    assert rp['name'] == 'blazar_' + a
    assert rp['parent_provider_uuid'] == ua
    assert rp['root_provider_uuid'] == ua
    inventory = inventory_of(placement, child)
    assert set(inventory) == {rc}
    assert inventory[rc]['total'] == 3
    assert (inventory[rc]['min_unit'], inventory[rc]['max_unit'],
            inventory[rc]['step_size'], inventory[rc]['reserved']) == (
                1, 1, 1, 0)
    assert inventory_of(placement, names.child_provider_uuid(ub))[rc][
        'total'] == 1
    # The access trait sits on the children; the nodes are marked reserved.
    assert carriers(placement, trait) == {child,
                                          names.child_provider_uuid(ub)}
    assert trait not in traits_of(placement, ua)
    assert names.RESERVED_TRAIT in traits_of(placement, ua)
    assert names.RESERVED_TRAIT in traits_of(placement, ub)
    # The compute node's own inventory is untouched.
    assert set(inventory_of(placement, ua)) == set(ps.NODE_INVENTORY)

    # Placement itself refuses the fourth slot on the first host.
    consumers = [str(uuid.uuid4()) for _ in range(4)]
    for consumer in consumers[:3]:
        assert ps.allocate(placement, consumer, child, rc) == 204
    assert ps.allocate(placement, consumers[3], child, rc) == 409
    # One instance cannot take two slots at once either (max_unit 1).
    other_child = names.child_provider_uuid(ub)
    assert ps.allocate(placement, consumers[3], other_child, rc, 2) == 409
    assert ps.allocate(placement, consumers[3], other_child, rc) == 204
    usages = placement.get('/resource_providers/%s/usages'
                           % child).body['usages']
    assert usages == {rc: 3}


def test_activate_is_idempotent(placement, nodes):
    (a, ua), (b, ub) = sorted(nodes.items())[:2]
    host_plan = encoding.Plan(rid(), 'p1', HOST, (share(ua, a),))
    slot_plan = encoding.Plan(rid(), 'p2', INSTANCE, (share(ub, b, 2),))
    for plan in (host_plan, slot_plan):
        assert reservations.activate(placement, plan)
        before = {u: (traits_of(placement, u), inventory_of(placement, u))
                  for u in (ua, ub, names.child_provider_uuid(ub))}

        assert reservations.activate(placement, plan) == []

        after = {u: (traits_of(placement, u), inventory_of(placement, u))
                 for u in before}
        assert after == before


def test_activate_with_other_hosts_moves_the_host_encoding(placement,
                                                           nodes):
    (a, ua), (b, ub), (c, uc) = sorted(nodes.items())
    r1 = rid()
    trait = names.access_trait(r1, 'p1')
    reservations.activate(placement, encoding.Plan(
        r1, 'p1', HOST, (share(ua, a), share(ub, b))))

    changes = reservations.activate(placement, encoding.Plan(
        r1, 'p1', HOST, (share(ub, b), share(uc, c))))

    assert 'granted %s on host %s' % (trait, c) in changes
    assert 'revoked %s on provider %s' % (trait, a) in changes
    assert 'unmarked host %s reserved' % ua in changes
    assert carriers(placement, trait) == {ub, uc}
    assert carriers(placement, names.RESERVED_TRAIT) == {ub, uc}
    assert traits_of(placement, ua) == {ps.NODE_TRAIT,
                                        names.RESERVABLE_TRAIT}


def test_activate_with_other_hosts_moves_the_slots(placement, nodes):
    (a, ua), (b, ub), (c, uc) = sorted(nodes.items())
    r1 = rid()
    rc = names.resource_class(r1)
    trait = names.access_trait(r1, 'p1')
    reservations.activate(placement, encoding.Plan(
        r1, 'p1', INSTANCE, (share(ua, a, 2), share(ub, b, 1))))

    reservations.activate(placement, encoding.Plan(
        r1, 'p1', INSTANCE, (share(ub, b, 2), share(uc, c, 1))))

    child = names.child_provider_uuid
    assert ps.provider(placement, child(ua)) is None
    assert inventory_of(placement, child(ub))[rc]['total'] == 2
    assert inventory_of(placement, child(uc))[rc]['total'] == 1
    assert carriers(placement, trait) == {child(ub), child(uc)}
    assert carriers(placement, names.RESERVED_TRAIT) == {ub, uc}


def test_moving_slots_off_a_host_in_use_keeps_them(placement, nodes):
    (a, ua), (b, ub) = sorted(nodes.items())[:2]
    r1 = rid()
    rc = names.resource_class(r1)
    trait = names.access_trait(r1, 'p1')
    child = names.child_provider_uuid(ua)
    reservations.activate(placement, encoding.Plan(
        r1, 'p1', INSTANCE, (share(ua, a, 2),)))
    assert ps.allocate(placement, str(uuid.uuid4()), child, rc) == 204

    with pytest.raises(exception.InventoryInUse):
        reservations.activate(placement, encoding.Plan(
            r1, 'p1', INSTANCE, (share(ub, b, 2),)))

    # Nothing new lands on the old host, but its instance keeps its slot.
    assert carriers(placement, trait) == {names.child_provider_uuid(ub)}
    assert inventory_of(placement, child)[rc]['total'] == 2
    assert names.RESERVED_TRAIT in traits_of(placement, ua)
    assert inventory_of(placement, names.child_provider_uuid(ub))[rc][
        'total'] == 2


def test_moving_slots_off_a_busy_host_still_marks_the_new_host(placement,
                                                               nodes):
    (a, ua), (b, ub) = sorted(nodes.items())[:2]
    r1 = rid()
    rc = names.resource_class(r1)
    reservations.activate(placement, encoding.Plan(
        r1, 'p1', INSTANCE, (share(ua, a, 2),)))
    assert ps.allocate(placement, str(uuid.uuid4()),
                       names.child_provider_uuid(ua), rc) == 204

    with pytest.raises(exception.InventoryInUse):
        reservations.activate(placement, encoding.Plan(
            r1, 'p1', INSTANCE, (share(ub, b, 2),)))

    assert names.RESERVED_TRAIT in traits_of(placement, ub)


def test_deactivate_waits_for_instances_then_leaves_nothing(placement,
                                                            nodes):
    (a, ua), (b, ub) = sorted(nodes.items())[:2]
    r1 = rid()
    rc = names.resource_class(r1)
    trait = names.access_trait(r1, 'p1')
    plan = encoding.Plan(r1, 'p1', INSTANCE, (share(ua, a, 2),
                                              share(ub, b, 1)))
    reservations.activate(placement, plan)
    child_a = names.child_provider_uuid(ua)
    child_b = names.child_provider_uuid(ub)
    consumer = str(uuid.uuid4())
    assert ps.allocate(placement, consumer, child_a, rc) == 204

    with pytest.raises(exception.InventoryInUse) as exc:
        reservations.deactivate(placement, plan)

    assert child_a in str(exc.value)
    # Nothing new can be scheduled: the trait is off every provider...
    assert carriers(placement, trait) == set()
    # ... but the used slots stay where the instance holds them, and the
    # host stays marked while they do.
    assert inventory_of(placement, child_a)[rc]['total'] == 2
    assert names.RESERVED_TRAIT in traits_of(placement, ua)
    assert ps.resource_class_exists(placement, rc)
    # The idle host was cleaned up already.
    assert ps.provider(placement, child_b) is None
    assert names.RESERVED_TRAIT not in traits_of(placement, ub)
    # Repeating changes nothing while the instance lives.
    with pytest.raises(exception.InventoryInUse):
        reservations.deactivate(placement, plan)
    assert inventory_of(placement, child_a)[rc]['total'] == 2

    placement.delete('/allocations/%s' % consumer)
    changes = reservations.deactivate(placement, plan)

    assert 'deleted resource class %s' % rc in changes
    assert 'deleted trait %s' % trait in changes
    assert reservation_traits(placement, r1) == []
    assert not ps.trait_exists(placement, trait)
    assert not ps.resource_class_exists(placement, rc)
    assert ps.provider(placement, child_a) is None
    assert ps.provider(placement, child_b) is None
    for host in (ua, ub):
        assert traits_of(placement, host) == {ps.NODE_TRAIT,
                                              names.RESERVABLE_TRAIT}
        assert set(inventory_of(placement, host)) == set(ps.NODE_INVENTORY)
    rps = placement.get('/resource_providers').body['resource_providers']
    assert sorted(rp['uuid'] for rp in rps) == sorted(nodes.values())


def test_deactivate_host_reservation_leaves_nothing(placement, nodes):
    (a, ua), (b, ub), (c, uc) = sorted(nodes.items())
    r1, r2 = rid(), rid()
    plan = encoding.Plan(r1, 'p1', HOST, (share(ua, a), share(ub, b)))
    reservations.activate(placement, plan)
    # Another reservation on b keeps b reserved.
    reservations.activate(placement, encoding.Plan(
        r2, 'p2', HOST, (share(ub, b),)))

    changes = reservations.deactivate(placement, plan)

    trait = names.access_trait(r1, 'p1')
    assert 'deleted trait %s' % trait in changes
    assert reservation_traits(placement, r1) == []
    assert traits_of(placement, ua) == {ps.NODE_TRAIT,
                                        names.RESERVABLE_TRAIT}
    assert traits_of(placement, ub) == {
        ps.NODE_TRAIT, names.RESERVABLE_TRAIT, names.RESERVED_TRAIT,
        names.access_trait(r2, 'p2')}
    assert carriers(placement, names.RESERVED_TRAIT) == {ub}


@pytest.mark.parametrize('rtype', [HOST, INSTANCE])
def test_deactivate_twice_changes_nothing(placement, nodes, rtype):
    (a, ua), = sorted(nodes.items())[:1]
    plan = encoding.Plan(rid(), 'p1', rtype, (share(ua, a),))
    reservations.activate(placement, plan)
    assert reservations.deactivate(placement, plan)

    assert reservations.deactivate(placement, plan) == []


@pytest.mark.parametrize('rtype', [HOST, INSTANCE])
def test_activate_with_no_hosts(placement, nodes, rtype):
    (a, ua), = sorted(nodes.items())[:1]
    before = traits_of(placement, ua)
    # Never written: its trait does not exist, nothing to do.
    assert reservations.activate(placement, encoding.Plan(
        rid(), 'p1', rtype, ())) == []
    # Written, then left with no host: it leaves every host.
    plan = encoding.Plan(rid(), 'p1', rtype, (share(ua, a),))
    reservations.activate(placement, plan)

    assert reservations.activate(placement, encoding.Plan(
        plan.reservation_id, 'p1', rtype, ()))

    assert carriers(placement, plan.trait) == set()
    assert traits_of(placement, ua) == before
    assert ps.provider(placement, names.child_provider_uuid(ua)) is None


def test_refresh_reserved_mark_follows_the_reservations(placement, nodes):
    (a, ua), = sorted(nodes.items())[:1]
    assert encoding.refresh_reserved_mark(placement, ua) == []
    # A stale mark goes; a missing one comes back.
    providers.change_traits(placement, ua, add={names.RESERVED_TRAIT})
    assert encoding.refresh_reserved_mark(placement, ua) == [
        'unmarked host %s reserved' % ua]
    reservations.activate(placement, encoding.Plan(
        rid(), 'p1', INSTANCE, (share(ua, a),)))
    providers.change_traits(placement, ua, remove={names.RESERVED_TRAIT})
    assert encoding.refresh_reserved_mark(placement, ua) == [
        'marked host %s reserved' % ua]
    assert encoding.refresh_reserved_mark(placement, str(uuid.uuid4())) == []


def test_child_name_taken_by_another_provider_is_refused(placement, node):
    # A provider named like our child (Blazar upstream made these, with a
    # random uuid) is not silently adopted or duplicated.
    host = node('cn-taken')
    placement.post('/resource_providers', {'name': 'blazar_cn-taken',
                                           'parent_provider_uuid': host})
    plan = encoding.Plan(rid(), 'p1', INSTANCE, (share(host, 'cn-taken'),))

    with pytest.raises(exception.ReservationError):
        reservations.activate(placement, plan)

    assert ps.provider(placement, names.child_provider_uuid(host)) is None


# Keystone ids are 32 hex digits; Nova passes on whatever the token names.
# The long ones (200 ASCII characters, 64 non-ASCII ones) would make
# traits longer than Placement's 255 characters: they take a digest.
ODD_PROJECTS = ['abc', 'ABC', 'a_b', 'Projet-\u00e9t\u00e9', 'Y' * 64,
                'domain:proj/1 2', '', 'y' * 200, 'Y' * 200,
                '\u00e9' * 64, '\U0001F600' * 64]


def test_odd_project_ids_make_distinct_traits_placement_accepts(placement,
                                                                nodes):
    (a, ua), (b, ub) = sorted(nodes.items())[:2]
    r1 = rid()
    plans = [encoding.Plan(r1, project, HOST, (share(ua, a),))
             for project in ODD_PROJECTS]
    for plan in plans:
        reservations.activate(placement, plan)

    traits = {plan.trait for plan in plans}
    assert len(traits) == len(ODD_PROJECTS)
    assert traits_of(placement, ua) == traits | {
        ps.NODE_TRAIT, names.RESERVABLE_TRAIT, names.RESERVED_TRAIT}
    for plan in plans:
        assert carriers(placement, plan.trait) == {ua}
        assert names.reservation_of_trait(plan.trait) == r1
    # Slots for such a project work the same way, on a child provider.
    slots = encoding.Plan(rid(), ODD_PROJECTS[3], INSTANCE, (share(ub, b),))
    reservations.activate(placement, slots)
    assert carriers(placement, slots.trait) == {names.child_provider_uuid(ub)}
    for plan in plans + [slots]:
        reservations.deactivate(placement, plan)
    assert ps.custom_traits(placement, names.RESERVATION_PREFIX) == []
    assert traits_of(placement, ua) == {ps.NODE_TRAIT,
                                        names.RESERVABLE_TRAIT}


def test_projects_differing_in_case_or_punctuation_get_distinct_traits(
        placement, nodes):
    (a, ua), (b, ub), (c, uc) = sorted(nodes.items())
    r1 = rid()
    for project, (host, name) in zip(['abc', 'ABC', 'a_b'],
                                     [(ua, a), (ub, b), (uc, c)]):
        reservations.activate(placement, encoding.Plan(
            r1, project, HOST, (share(host, name),)))
    assert carriers(placement, names.access_trait(r1, 'abc')) == {ua}
    assert carriers(placement, names.access_trait(r1, 'ABC')) == {ub}
    assert carriers(placement, names.access_trait(r1, 'a_b')) == {uc}
    assert carriers(placement, names.access_trait(r1, 'ab')) == set()


# Generation conflicts ---------------------------------------------------


class RacingClient(pclient.PlacementClient):
    """A client behind which another writer changes the provider just
    before each of its first ``times`` generation-carrying PUTs, so every
    one of them meets a real generation conflict in Placement."""

    def __init__(self, adapter, race, times):
        super().__init__(adapter)
        self.race = race
        self.times = times
        self.raced = 0

    def put(self, url, body=None, expect=(200,)):
        if (self.raced < self.times and body
                and 'resource_provider_generation' in body):
            self.raced += 1
            self.race(self.raced)
        return super().put(url, body, expect)


def _other_writer(client, uuid):
    def race(n):
        assert providers.change_traits(client, uuid,
                                       add={'CUSTOM_OTHER_%d' % n})[0]
    return race


def test_trait_changes_retry_after_generation_conflicts(
        placement_under_test, node):
    client = placement_under_test.client
    host = node()
    racing = RacingClient(placement_under_test.adapter,
                          _other_writer(client, host), 3)

    added, removed = providers.change_traits(
        racing, host, add={'CUSTOM_MINE'}, remove={ps.NODE_TRAIT})

    assert racing.raced == 3
    assert (added, removed) == ({'CUSTOM_MINE'}, {ps.NODE_TRAIT})
    assert traits_of(client, host) == {'CUSTOM_MINE', 'CUSTOM_OTHER_1',
                                       'CUSTOM_OTHER_2', 'CUSTOM_OTHER_3'}


def test_inventory_writes_retry_after_generation_conflicts(
        placement_under_test, node):
    client = placement_under_test.client
    host = node()
    rc = names.resource_class(rid())
    providers.ensure_resource_class(client, rc)
    racing = RacingClient(placement_under_test.adapter,
                          _other_writer(client, host), 2)

    assert providers.set_inventory(racing, host, rc, 4) is True

    assert racing.raced == 2
    inventory = inventory_of(client, host)
    assert inventory[rc]['total'] == 4
    # The node's own inventory was rewritten unchanged, not dropped.
    for klass, values in ps.NODE_INVENTORY.items():
        for key, value in values.items():
            assert inventory[klass][key] == value
    assert {'CUSTOM_OTHER_1', 'CUSTOM_OTHER_2'} <= traits_of(client, host)


def test_writes_give_up_after_endless_generation_conflicts(
        placement_under_test, node):
    client = placement_under_test.client
    host = node()
    racing = RacingClient(placement_under_test.adapter,
                          _other_writer(client, host),
                          generations.ATTEMPTS)

    with pytest.raises(exception.PlacementUnavailable) as exc:
        providers.change_traits(racing, host, add={'CUSTOM_MINE'})

    assert 'generation conflicts' in str(exc.value)
    assert racing.raced == generations.ATTEMPTS
    assert 'CUSTOM_MINE' not in traits_of(client, host)


def test_deleting_used_inventory_says_it_is_in_use(placement, node):
    # Placement answers 409 placement.concurrent_update both for inventory
    # in use and for a moved generation.
    host = node()
    rc = names.resource_class(rid())
    providers.ensure_resource_class(placement, rc)
    providers.set_inventory(placement, host, rc, 2)
    consumer = str(uuid.uuid4())
    assert ps.allocate(placement, consumer, host, rc) == 204

    with pytest.raises(exception.InventoryInUse) as exc:
        providers.delete_inventory(placement, host, rc)

    assert '1 unit(s)' in str(exc.value)
    assert inventory_of(placement, host)[rc]['total'] == 2
    placement.delete('/allocations/%s' % consumer)
    assert providers.delete_inventory(placement, host, rc) is True
    assert providers.delete_inventory(placement, host, rc) is False
    assert rc not in inventory_of(placement, host)


def test_trait_write_that_loses_placements_own_race_is_retried(
        tmp_path, monkeypatch):
    """Placement 16 checks a traits PUT's generation, then writes; a writer
    committing in between makes it answer HTTP 500. Force that interleaving
    inside an in-process Placement (the other write is a real request)."""
    from placement.objects import resource_provider as rp_obj
    with ps.in_process(tmp_path) as client:
        _lose_placements_race(client, rp_obj, monkeypatch)


def _lose_placements_race(client, rp_obj, monkeypatch):
    host = ps.add_compute_node(client, 'cn-racy')
    set_traits = rp_obj.ResourceProvider.set_traits
    raced = []

    def racing_set_traits(self, traits):
        if not raced:
            raced.append(True)
            providers.change_traits(client, host, add={'CUSTOM_OTHER'})
        return set_traits(self, traits)

    monkeypatch.setattr(rp_obj.ResourceProvider, 'set_traits',
                        racing_set_traits)
    # Placement's own answer to the lost race.
    current = client.get('/resource_providers/%s/traits' % host).body
    providers.ensure_trait(client, 'CUSTOM_MINE')
    with pytest.raises(exception.PlacementUnavailable):
        client.put('/resource_providers/%s/traits' % host, {
            'traits': current['traits'] + ['CUSTOM_MINE'],
            'resource_provider_generation':
                current['resource_provider_generation']})
    assert traits_of(client, host) == {ps.NODE_TRAIT, 'CUSTOM_OTHER'}
    raced.clear()

    assert providers.change_traits(client, host, add={'CUSTOM_MINE'},
                                   remove={'CUSTOM_OTHER'}) == (
        {'CUSTOM_MINE'}, {'CUSTOM_OTHER'})

    assert raced == [True]
    assert traits_of(client, host) == {ps.NODE_TRAIT, 'CUSTOM_MINE'}


# Concurrent writers: the standalone service, many threads --------------


def _run_threads(count, target):
    errors = []
    barrier = threading.Barrier(count)

    def run(i):
        try:
            barrier.wait()
            target(i)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,))
               for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []


def test_concurrent_inventory_writes_all_land(standalone):
    host = ps.add_compute_node(standalone.client, 'cn-busy')
    classes = [names.resource_class(rid()) for _ in range(8)]
    for rc in classes:
        providers.ensure_resource_class(standalone.client, rc)
    clients = _clients(standalone, len(classes))

    _run_threads(len(classes), lambda i: providers.set_inventory(
        clients[i], host, classes[i], i + 1))

    inventory = inventory_of(standalone.client, host)
    assert {rc: inventory[rc]['total'] for rc in classes} == {
        rc: i + 1 for i, rc in enumerate(classes)}
    assert set(ps.NODE_INVENTORY) <= set(inventory)


def _clients(service, count):
    """A client per thread, as separate agents would have."""
    return [pclient.PlacementClient(ps.adapter_for(service.endpoint))
            for _ in range(count)]


def test_concurrent_trait_changes_all_land(racing_placement):
    wanted = ['CUSTOM_T%d' % i for i in range(8)]
    clients = _clients(racing_placement, len(wanted))
    # Several rounds, so that races are met (they were in every round seen).
    for round_ in range(2):
        host = ps.add_compute_node(racing_placement.client,
                                   'cn-busy%d' % round_)

        _run_threads(len(wanted), lambda i: providers.change_traits(
            clients[i], host, add={wanted[i]}))

        assert traits_of(racing_placement.client, host) == set(wanted) | {
            ps.NODE_TRAIT}


def test_concurrent_activations_on_shared_hosts(standalone):
    # On the serial standalone Placement only: on a concurrent one Placement
    # itself sometimes answers an inventory PUT with 400 "No such resource
    # class" for a class another request just created, or 500 on a MySQL
    # deadlock (neither retried by the encoding; see the report).
    client = standalone.client
    ua = ps.add_compute_node(client, 'cn-a')
    ub = ps.add_compute_node(client, 'cn-b')
    plans = []
    for i in range(6):
        # Host and instance reservations on the same two nodes, so the
        # threads race on the nodes' traits, on creating the same child
        # providers and on their inventories.
        rtype = HOST if i % 2 else INSTANCE
        plans.append(encoding.Plan(rid(), 'p%d' % i, rtype,
                                   (share(ua, 'cn-a', i + 1),
                                    share(ub, 'cn-b', 1))))
    clients = _clients(standalone, len(plans))

    _run_threads(len(plans),
                 lambda i: reservations.activate(clients[i], plans[i]))

    for plan in plans:
        if plan.resource_type == HOST:
            assert carriers(client, plan.trait) == {ua, ub}
        else:
            assert carriers(client, plan.trait) == {
                names.child_provider_uuid(ua), names.child_provider_uuid(ub)}
            assert inventory_of(client, names.child_provider_uuid(ua))[
                plan.resource_class]['total'] == plan.hosts[0].slots
    assert carriers(client, names.RESERVED_TRAIT) == {ua, ub}
