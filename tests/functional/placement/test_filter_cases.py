"""Blazar's filter cases, in our encoding, decided against a real Placement.

Blazar's BlazarFilter (blazar-nova 10.0.0) is unit-tested with 15 cases
over Nova host aggregates (freepool, one aggregate per reservation with
``blazar:owner``). Each case below is the same question asked of our
encoding: the filter reads a real Placement (in-process and standalone)
through a keystoneauth1 adapter, with real Nova RequestSpec objects.
"""

import threading
import types
import uuid

from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import session as ks_session
import nova.conf
from nova import objects
import pytest

from blazar_nova.scheduler.filters import blazar_filter
from blazar_nova.scheduler import placement_view
from placement_ext.placement import client as pclient
from placement_ext.placement import encoding
from placement_ext import reservations
from placement_ext.reservations import physical_host
from placement_ext.reservations import virtual_instance
from blazar_nova import names
from placement_ext.testing import placement_service as ps

objects.register_all()
CONF = nova.conf.CONF

P1, P2 = 'p1project', 'p2project'


class CountingPlacement:
    """What Nova's report client is to the filter: ``get(url, version)``
    sent to Placement through a keystoneauth1 adapter, answering the
    requests Response. Counts the calls; never answers itself."""

    def __init__(self, adapter):
        self.adapter = adapter
        self.urls = []

    def get(self, url, version=None, global_request_id=None):
        self.urls.append(url)
        return self.adapter.get(url, microversion=version, raise_exc=False)


class Switch:
    """A report client factory that can be pointed elsewhere."""

    def __init__(self, placement):
        self.placement = placement

    def __call__(self):
        return self.placement


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def make_filter(client_factory, refresh=0, clock=None):
    f = blazar_filter.BlazarFilter()
    kwargs = {'clock': clock} if clock else {}
    f._view = placement_view.PlacementView(client_factory, refresh,
                                           **kwargs)
    return f


def host(uuid_, name):
    return types.SimpleNamespace(uuid=uuid_, host=name, nodename=name)


def spec(project=P1, hint=None, extra_specs=None, hints=None):
    values = {'project_id': project,
              'flavor': objects.Flavor(name='m1.small',
                                       extra_specs=extra_specs or {})}
    if hints is None and hint is not None:
        hints = {'reservation': hint if isinstance(hint, list) else [hint]}
    if hints is not None:
        values['scheduler_hints'] = hints
    return objects.RequestSpec(**values)


def slot_flavor(rid, **more):
    return dict({'resources:' + names.resource_class(rid): '1',
                 # Blazar's instance reservation flavors also carry this.
                 'aggregate_instance_extra_specs:reservation': rid,
                 'resources:VCPU': '2'}, **more)


PREEMPTIBLE = {'blazar:preemptible': 'true'}


@pytest.fixture
def preemptibles():
    def allow(value):
        CONF.set_override('allow_preemptibles', value, group='blazar_filter')
    yield allow
    CONF.clear_override('allow_preemptibles', group='blazar_filter')


class Cloud:
    """Hosts in Placement, as the lease agent leaves them:

    plain     not enrolled (in no Blazar pool)
    free      enrolled, no reservation (Blazar's freepool)
    held      host reservation R_HELD of project P1
    other     host reservation R_OTHER of project P2
    slots     instance reservation R_SLOTS of P1 (child blazar_slots)
    slots2    instance reservation R_SLOTS2 of P2
    """

    def __init__(self, client):
        self.client = client
        self.uuids = {}
        for name in ('plain', 'free', 'held', 'other', 'slots', 'slots2'):
            self.uuids[name] = ps.add_compute_node(client, name)
            if name != 'plain':
                encoding.enrol_host(client, self.uuids[name])
        self.rids = {}
        for name, project, rtype in (
                ('held', P1, physical_host.NAME),
                ('other', P2, physical_host.NAME),
                ('slots', P1, virtual_instance.NAME),
                ('slots2', P2, virtual_instance.NAME)):
            self.rids[name] = str(uuid.uuid4())
            reservations.activate(client, encoding.Plan(
                self.rids[name], project, rtype,
                (encoding.HostShare(self.uuids[name], name, 2),)))
        self.hosts = [host(u, n) for n, u in self.uuids.items()]

    def passing(self, f, spec_obj, hosts=None):
        names_by_uuid = {u: n for n, u in self.uuids.items()}
        return sorted(names_by_uuid[h.uuid]
                      for h in f.filter_all(hosts or self.hosts, spec_obj))


@pytest.fixture(scope='module', params=ps.KINDS)
def shared(request, tmp_path_factory):
    """One Cloud per kind of Placement for the whole module: the filter
    only reads it, and tests that change Placement add hosts of their own
    (not in ``Cloud.hosts``)."""
    if request.param == 'standalone':
        service = request.getfixturevalue('standalone_placement')
        client = service.client()
        ps.wipe(client)
        yield ps.PlacementUnderTest(
            'standalone', client, service.adapter(), service.endpoint)
        return
    with ps.in_process_adapter(tmp_path_factory.mktemp('filter')) as adapter:
        yield ps.PlacementUnderTest(
            'in-process', pclient.PlacementClient(adapter), adapter)


@pytest.fixture(scope='module')
def shared_cloud(shared):
    return Cloud(shared.client)


@pytest.fixture
def cloud(shared_cloud):
    return shared_cloud


@pytest.fixture
def placement(shared):
    return shared.client


@pytest.fixture
def counting(shared):
    return CountingPlacement(shared.adapter)


@pytest.fixture
def bf(counting):
    return make_filter(lambda: counting)


@pytest.fixture
def fresh(tmp_path):
    """An empty in-process Placement of its own, and a filter reading it."""
    with ps.in_process_adapter(tmp_path) as adapter:
        yield (pclient.PlacementClient(adapter),
               make_filter(lambda: CountingPlacement(adapter)))


# Blazar's cases ---------------------------------------------------------

def test_no_pool_requested_passes_only_hosts_in_no_pool(cloud, bf):
    # Blazar: "no pool requested, none available" passes; any Blazar pool
    # (freepool included) fails a request without a reservation.
    assert cloud.passing(bf, spec()) == ['plain']
    assert bf.host_passes(cloud.hosts[0], spec()) is True


def test_host_in_freepool_without_hint_fails(cloud, bf):
    free = [h for h in cloud.hosts if h.host == 'free']
    assert cloud.passing(bf, spec(), free) == []


def test_reserved_host_without_hint_fails(cloud, bf):
    held = [h for h in cloud.hosts if h.host in ('held', 'slots')]
    assert cloud.passing(bf, spec(P1), held) == []


def test_hint_passes_only_the_reservations_hosts(cloud, bf):
    # Blazar: host in the requested pool, project authorised (owner).
    assert cloud.passing(bf, spec(P1, cloud.rids['held'])) == ['held']
    # Blazar: host in another pool / not in the requested pool.
    other = [h for h in cloud.hosts if h.host != 'held']
    assert cloud.passing(bf, spec(P1, cloud.rids['held']), other) == []


def test_hint_of_another_projects_reservation_fails_everywhere(cloud, bf):
    # Blazar: project not authorised / not the owner.
    assert cloud.passing(bf, spec(P2, cloud.rids['held'])) == []
    assert cloud.passing(bf, spec(P1, cloud.rids['other'])) == []
    assert cloud.passing(bf, spec(P2, cloud.rids['other'])) == ['other']


def test_hint_of_an_unknown_or_ended_reservation_fails_everywhere(
        cloud, bf, placement):
    assert cloud.passing(bf, spec(P1, str(uuid.uuid4()))) == []
    ended = host(ps.add_compute_node(placement, 'ended'), 'ended')
    encoding.enrol_host(placement, ended.uuid)
    plan = encoding.Plan(str(uuid.uuid4()), P1, physical_host.NAME,
                         (encoding.HostShare(ended.uuid, 'ended'),))
    reservations.activate(placement, plan)
    assert bf.filter_all([ended], spec(P1, plan.reservation_id)) == [ended]
    reservations.deactivate(placement, plan)
    assert bf.filter_all(cloud.hosts + [ended],
                         spec(P1, plan.reservation_id)) == []


@pytest.mark.parametrize('hint', [
    'r\u00e9servation-\u00fc', '\u4e88\u7d04', 'freepool', '', 'DROP TABLE',
    ['', 'x'], '../../resource_providers',
])
def test_odd_hints_pass_no_host(cloud, bf, hint):
    # Blazar's unicode pool name case: our reservations are uuids, so any
    # other hint names no reservation and no host (not even plain) passes.
    assert cloud.passing(bf, spec(P1, hint)) == []


def test_hint_forms_of_the_same_reservation(cloud, bf):
    rid = cloud.rids['held']
    for hint in (rid.upper(), ' %s ' % rid, rid.replace('-', ''), [rid],
                 [rid, rid.upper()]):
        assert cloud.passing(bf, spec(P1, hint)) == ['held'], hint


def test_instance_reservation_flavor_passes_only_on_its_hosts(cloud, bf):
    # Blazar passed every host for such flavors (Placement alone kept them
    # off others); here the child's access trait decides too.
    rid = cloud.rids['slots']
    assert cloud.passing(bf, spec(P1, extra_specs=slot_flavor(rid))) == [
        'slots']
    assert cloud.passing(bf, spec(P2, extra_specs=slot_flavor(rid))) == []
    assert cloud.passing(bf, spec(P2, extra_specs=slot_flavor(
        cloud.rids['slots2']))) == ['slots2']
    # A numbered request group asks the same.
    grouped = {'resources1:' + names.resource_class(rid): '1'}
    assert cloud.passing(bf, spec(P1, extra_specs=grouped)) == ['slots']
    # A host reservation's id in a flavor gives no slots: its trait is on
    # the compute node, not on a child.
    assert cloud.passing(bf, spec(P1, extra_specs=slot_flavor(
        cloud.rids['held']))) == []
    # The hint of an instance reservation does not open its compute node.
    assert cloud.passing(bf, spec(P1, rid)) == []


def test_flavor_and_hint_naming_different_reservations_pass_no_host(cloud,
                                                                    bf):
    assert cloud.passing(bf, spec(P1, cloud.rids['held'], extra_specs=(
        slot_flavor(cloud.rids['slots'])))) == []


def test_preemptibles_allowed_use_free_reservable_hosts(cloud, bf,
                                                        preemptibles):
    preemptibles(True)
    assert cloud.passing(bf, spec(P1, extra_specs=PREEMPTIBLE)) == [
        'free', 'plain']


def test_preemptibles_not_allowed_are_ordinary(cloud, bf, preemptibles):
    preemptibles(False)
    assert cloud.passing(bf, spec(P1, extra_specs=PREEMPTIBLE)) == ['plain']


def test_reserved_host_refuses_preemptibles(cloud, bf, preemptibles):
    preemptibles(True)
    reserved = [h for h in cloud.hosts if h.host not in ('free', 'plain')]
    assert cloud.passing(bf, spec(P1, extra_specs=PREEMPTIBLE),
                         reserved) == []
    # A preemptible request with a reservation is that reservation's.
    assert cloud.passing(bf, spec(P1, cloud.rids['held'],
                                  extra_specs=PREEMPTIBLE)) == ['held']


# Beyond Blazar's cases -------------------------------------------------

@pytest.mark.parametrize('strangers', [0, 500])
def test_one_placement_read_per_request_whatever_the_hosts(
        cloud, counting, preemptibles, strangers):
    preemptibles(True)
    # Host states of compute nodes Placement does not list with any of our
    # traits: they cost nothing more.
    hosts = cloud.hosts + [host(str(uuid.uuid4()), 'x%d' % i)
                           for i in range(strangers)]
    bf = make_filter(lambda: counting, refresh=0)

    for spec_obj, passing, reads in (
            (spec(), 1 + strangers, 1),
            (spec(P1, cloud.rids['held']), 1, 1),
            (spec(P1, extra_specs=slot_flavor(cloud.rids['slots'])), 1, 1),
            (spec(P1, extra_specs=PREEMPTIBLE), 2 + strangers, 1),
            # A request that names no reservation properly asks nothing.
            (spec(P1, 'not a reservation'), 0, 0)):
        counting.urls.clear()
        assert len(bf.filter_all(hosts, spec_obj)) == passing
        assert len(counting.urls) == reads, counting.urls


def settle():
    """Wait for the filter's background re-reads of reservable hosts."""
    for thread in threading.enumerate():
        if thread.name == 'blazar-filter-refresh':
            thread.join(10)
            assert not thread.is_alive()


def test_reservable_hosts_are_reread_after_the_refresh_period(
        cloud, counting, placement):
    clock = Clock()
    bf = make_filter(lambda: counting, refresh=10, clock=clock)
    late = host(ps.add_compute_node(placement, 'late'), 'late')
    hosts = cloud.hosts + [late]
    plain = [h for h in cloud.hosts if h.host == 'plain']
    for _ in range(5):
        assert bf.filter_all(hosts, spec()) == plain + [late]
    assert len(counting.urls) == 1
    # A host enrolled within the period is kept off after it.
    encoding.enrol_host(placement, late.uuid)
    clock.now += 9
    assert late in bf.filter_all(hosts, spec())
    settle()
    assert len(counting.urls) == 1
    clock.now += 2
    bf.filter_all(hosts, spec())
    settle()
    assert bf.filter_all(hosts, spec()) == plain
    assert len(counting.urls) == 2
    # Requests with a reservation always ask.
    cloud.passing(bf, spec(P1, cloud.rids['held']))
    assert len(counting.urls) == 3


def test_rebuilds_pass_every_host_without_asking(cloud, bf, counting):
    rebuild = spec(P2, cloud.rids['held'],
                   hints={'reservation': [cloud.rids['held']],
                          '_nova_check_type': ['rebuild']})
    assert cloud.passing(bf, rebuild) == sorted(cloud.uuids)
    assert counting.urls == []


def unreachable():
    """A report client whose Placement is a closed loopback port."""
    session = ks_session.Session(auth=None)
    return CountingPlacement(ks_adapter.Adapter(
        session, service_type='placement',
        endpoint_override='http://127.0.0.1:%d' % ps.free_port()))


def test_unreachable_placement_fails_closed(cloud, counting, preemptibles):
    down = unreachable()
    never_read = make_filter(lambda: down)
    # Reservations cannot be checked: no host passes.
    assert cloud.passing(never_read, spec(P1, cloud.rids['held'])) == []
    assert cloud.passing(never_read, spec(P1, extra_specs=slot_flavor(
        cloud.rids['slots']))) == []
    # Reservable hosts never read: every host fails, ordinary ones too.
    assert cloud.passing(never_read, spec()) == []
    preemptibles(True)
    assert cloud.passing(never_read, spec(extra_specs=PREEMPTIBLE)) == []
    assert len(down.urls) == 4
    down.urls.clear()

    # Once read, the reservable hosts are remembered through an outage.
    clock = Clock()
    switch = Switch(counting)
    bf = make_filter(switch, refresh=10, clock=clock)
    assert cloud.passing(bf, spec()) == ['plain']
    switch.placement = down
    clock.now += 60
    assert cloud.passing(bf, spec()) == ['plain']
    settle()
    assert cloud.passing(bf, spec()) == ['plain']
    assert cloud.passing(bf, spec(extra_specs=PREEMPTIBLE)) == ['plain']
    assert cloud.passing(bf, spec(P1, cloud.rids['held'])) == []
    settle()
    assert len(down.urls) >= 3
    # And Placement back: decisions are fresh again.
    switch.placement = counting
    assert cloud.passing(bf, spec(P1, cloud.rids['held'])) == ['held']
    assert cloud.passing(bf, spec(extra_specs=PREEMPTIBLE)) == [
        'free', 'plain']


def test_placement_errors_fail_closed(cloud, shared):
    # Placement answers, but not 200 (here: a microversion it refuses).
    class TooNew(CountingPlacement):
        def get(self, url, version=None, global_request_id=None):
            return super().get(url, version='9.99')

    bf = make_filter(lambda: TooNew(shared.adapter))
    assert cloud.passing(bf, spec()) == []
    assert cloud.passing(bf, spec(P1, cloud.rids['held'])) == []


def test_before_any_enrolment_ordinary_requests_pass(fresh):
    # CUSTOM_BLAZAR_RESERVABLE does not exist: Placement answers the
    # filter's query with 400 "No such trait", which is no outage.
    placement, bf = fresh
    nodes = [host(ps.add_compute_node(placement, 'n%d' % i), 'n%d' % i)
             for i in range(3)]

    assert bf.filter_all(nodes, spec()) == nodes


def test_before_any_reservation_preemptibles_use_free_hosts(fresh,
                                                            preemptibles):
    # CUSTOM_BLAZAR_RESERVED does not exist yet.
    placement, bf = fresh
    preemptibles(True)
    nodes = [host(ps.add_compute_node(placement, 'n%d' % i), 'n%d' % i)
             for i in range(3)]
    encoding.enrol_host(placement, nodes[0].uuid)

    assert bf.filter_all(nodes, spec(extra_specs=PREEMPTIBLE)) == nodes
    assert bf.filter_all(nodes, spec()) == nodes[1:]
