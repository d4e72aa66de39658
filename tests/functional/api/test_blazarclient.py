"""python-blazarclient, unchanged, against ``blazar-nova-api`` over HTTP.

``blazar-nova-api`` runs as its own process
(``placement_ext.testing.api_process``) with
``[api] auth_strategy = noauth`` (token ``admin`` is an admin, ``USER:PROJECT``
a member of PROJECT), over a freshly migrated store on SQLite and on
PostgreSQL, and enrols hosts from a standalone Placement (its own process)
holding compute nodes as Nova's compute service creates them. The client is
``blazarclient.client.Client(1, blazar_url=..., auth_token=...)``, the
calls are the ones the ``openstack reservation`` commands make, with the
bodies they build (``hypervisor_properties: ""``, ``affinity: "None"``...).

Leases start minutes ahead on the real clock and no agent runs, so they
stay PENDING: Placement shows only the enrolment (the reservable trait).
Host properties (extra capabilities) are listed and made private with
``host.list_properties`` and ``host.set_property``.
"""

import datetime

from blazarclient import client as blazar_client
from blazarclient import exception as blazar_exception
from blazarclient import utils as blazar_utils
import pytest

from placement_ext.db import api as db_api
from placement_ext.db import migration
from blazar_nova import names
from placement_ext.testing import api_process
from placement_ext.testing import db_backends
from placement_ext.testing import placement_service as ps

# What python-blazarclient parses lease dates with (prolong, defer), and
# what it sends.
LEASE_DATE = blazar_utils.LEASE_DATE_FORMAT
API_DATE = blazar_utils.API_DATE_FORMAT
NODE_TRAITS = {ps.NODE_TRAIT}
ENROLLED_TRAITS = {ps.NODE_TRAIT, names.RESERVABLE_TRAIT}

# A reservation of one whole host, as ``openstack reservation lease create
# --reservation resource_type=physical:host,min=1,max=1`` builds it.
HOST_RESERVATION = {'resource_type': 'physical:host', 'min': 1, 'max': 1,
                    'hypervisor_properties': '', 'resource_properties': ''}
# Two instance slots, as ``--reservation resource_type=virtual:instance,
# amount=2,vcpus=1,memory_mb=512,disk_gb=1`` builds it.
INSTANCE_RESERVATION = {'resource_type': 'virtual:instance', 'amount': 2,
                        'vcpus': 1, 'memory_mb': 512, 'disk_gb': 1,
                        'affinity': 'None', 'resource_properties': ''}


# Fixtures ------------------------------------------------------------------
@pytest.fixture(scope='module')
def placement(tmp_path_factory):
    """One standalone Placement for the module, wiped before each test."""
    service = ps.Standalone(tmp_path_factory.mktemp('api-placement'))
    yield service
    service.stop()


@pytest.fixture(params=('sqlite', 'postgresql'))
def api(request, tmp_path, placement):
    """``blazar-nova-api`` over a fresh migrated store on each backend
    (PostgreSQL skips only when nothing listens on its port)."""
    ps.wipe(placement.client())
    try:
        database = db_backends.ScratchDatabase(request.param, tmp_path)
    except db_backends.BackendUnavailable as exc:
        pytest.skip(str(exc))
    try:
        db = db_api.Database(connection=database.url)
        migration.upgrade(db)
        db.dispose()
        with api_process.running(tmp_path, database.url,
                                 placement.endpoint) as process:
            yield process
    finally:
        database.drop()


def client(api, token='admin'):
    return blazar_client.Client(1, blazar_url=api.url, auth_token=token)


def refused(call, *args, **kwargs):
    """The HTTP status and message of the BlazarClientException ``call``
    raises."""
    with pytest.raises(blazar_exception.BlazarClientException) as info:
        call(*args, **kwargs)
    return info.value.kwargs['code'], str(info.value)


def minutes_ahead(minutes):
    """A whole minute ``minutes`` from now, UTC (naive, as Blazar's)."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    return now.replace(second=0, microsecond=0) + datetime.timedelta(
        minutes=minutes)


def shown(when):
    """``when`` as the API shows a date (python-blazarclient's format)."""
    return when.strftime(LEASE_DATE)


def sent(when):
    """``when`` as python-blazarclient sends a date."""
    return when.strftime(API_DATE)


def ids(items):
    return sorted(item['id'] for item in items)


# Hosts ---------------------------------------------------------------------
def test_host_enrol_list_show_delete(api, placement):
    pc = placement.client()
    node = ps.add_compute_node(pc, 'cn1')
    other = ps.add_compute_node(pc, 'cn2')
    admin = client(api)

    host = admin.host.create('cn1', gpu='a100')
    assert host['hypervisor_hostname'] == 'cn1'
    assert host['uuid'] == node
    assert (host['vcpus'], host['memory_mb'], host['local_gb']) == (
        8, 16384, 200)
    assert host['reservable'] is True
    assert host['gpu'] == 'a100'
    datetime.datetime.strptime(host['created_at'], LEASE_DATE)
    # Enrolled: marked reservable in Placement, Nova's trait kept.
    assert ps.traits_of(pc, node) == ENROLLED_TRAITS
    assert ps.traits_of(pc, other) == NODE_TRAITS

    assert admin.host.list() == [host]
    assert admin.host.get(host['id']) == host

    # Hosts are the administrator's: a project member may neither enrol
    # nor list them.
    member = client(api, 'u1:p1')
    code, message = refused(member.host.create, 'cn2')
    assert code == 403, message
    assert 'blazar:oshosts:post' in message
    assert refused(member.host.list)[0] == 403
    assert ps.traits_of(pc, other) == NODE_TRAITS
    # A name Placement does not know, and one already enrolled.
    code, message = refused(admin.host.create, 'cn9')
    assert code == 404 and 'cn9' in message, message
    assert refused(admin.host.create, 'cn1')[0] == 409
    assert ids(admin.host.list()) == [host['id']]

    assert admin.host.delete(host['id']) is None
    assert admin.host.list() == []
    assert refused(admin.host.get, host['id'])[0] == 404
    assert ps.traits_of(pc, node) == NODE_TRAITS


def test_host_set_and_unset_extra_capabilities(api, placement):
    ps.add_compute_node(placement.client(), 'cn1')
    admin = client(api)
    host = admin.host.create('cn1', gpu='a100')

    # What ``openstack reservation host set --extra rack=r1 cn1`` sends.
    updated = admin.host.update(host['id'], {'rack': 'r1'})
    assert (updated['rack'], updated['gpu']) == ('r1', 'a100')
    # What ``openstack reservation host unset --extra gpu cn1`` sends.
    updated = admin.host.update(host['id'], {'gpu': None})
    assert updated['rack'] == 'r1' and 'gpu' not in updated
    again = admin.host.get(host['id'])
    assert again['rack'] == 'r1' and 'gpu' not in again
    datetime.datetime.strptime(again['updated_at'], LEASE_DATE)


def test_host_properties(api, placement):
    pc = placement.client()
    for name in ('cn1', 'cn2'):
        ps.add_compute_node(pc, name)
    admin = client(api)
    admin.host.create('cn1', gpu='a100', rack='r1')
    admin.host.create('cn2', rack='r2', secret='x')

    assert admin.host.list_properties() == [
        {'property': 'gpu', 'private': False},
        {'property': 'rack', 'private': False},
        {'property': 'secret', 'private': False}]
    # python-blazarclient renames ``values`` to ``property_values``.
    assert admin.host.list_properties(detail=True) == [
        {'property': 'gpu', 'private': False, 'property_values': ['a100']},
        {'property': 'rack', 'private': False,
         'property_values': ['r1', 'r2']},
        {'property': 'secret', 'private': False, 'property_values': ['x']}]

    changed = admin.host.set_property('secret', True)
    assert (changed['property'], changed['private']) == ('secret', True)
    assert [p['property'] for p in admin.host.list_properties()] == [
        'gpu', 'rack']
    assert admin.host.list_properties(detail=True, all=True)[-1] == {
        'property': 'secret', 'private': True, 'property_values': ['x']}
    assert admin.host.get_property('rack')['property_values'] == ['r1', 'r2']

    code, message = refused(admin.host.set_property, 'colour', True)
    assert code == 404 and 'colour' in message, message
    member = client(api, 'u1:p1')
    assert refused(member.host.list_properties)[0] == 403
    assert refused(member.host.set_property, 'secret', False)[0] == 403

    assert admin.host.set_property('secret', False)['private'] is False
    assert [p['property'] for p in admin.host.list_properties()] == [
        'gpu', 'rack', 'secret']


# Leases --------------------------------------------------------------------
def test_host_lease(api, placement):
    pc = placement.client()
    nodes = {name: ps.add_compute_node(pc, name) for name in ('cn1', 'cn2')}
    admin = client(api)
    hosts = {name: admin.host.create(name) for name in nodes}
    user = client(api, 'u1:p1')
    start, end = minutes_ahead(10), minutes_ahead(70)

    lease = user.lease.create('lease1', sent(start), sent(end),
                              [dict(HOST_RESERVATION)], [])
    assert lease['name'] == 'lease1'
    assert (lease['project_id'], lease['user_id']) == ('p1', 'u1')
    assert lease['status'] == 'PENDING'
    assert (lease['start_date'], lease['end_date']) == (shown(start),
                                                        shown(end))
    (reservation,) = lease['reservations']
    assert reservation['resource_type'] == 'physical:host'
    assert (reservation['min'], reservation['max']) == (1, 1)
    assert reservation['lease_id'] == lease['id']
    assert reservation['status'] == 'pending'
    (held,) = reservation['allocations']
    held_host = hosts[held['hypervisor_hostname']]
    assert held['host_id'] == held_host['id']
    free_host = [h for h in hosts.values() if h is not held_host][0]
    events = {e['event_type']: e['time'] for e in lease['events']}
    assert (events['start_lease'], events['end_lease']) == (shown(start),
                                                            shown(end))
    # Not started (no agent runs): Placement shows only the enrolment.
    for node in nodes.values():
        assert ps.traits_of(pc, node) == ENROLLED_TRAITS

    assert user.lease.get(lease['id']) == lease
    assert user.lease.list() == [lease]
    assert ids(admin.lease.list()) == [lease['id']]

    # Another project sees nothing of it and can change nothing.
    stranger = client(api, 'u2:p2')
    assert stranger.lease.list() == []
    for call, args in ((stranger.lease.get, ()),
                       (stranger.lease.update, ('stolen',)),
                       (stranger.lease.delete, ())):
        code, message = refused(call, lease['id'], *args)
        assert code == 404 and lease['id'] in message, message

    # Both hosts over the same window: only one is free.
    code, message = refused(user.lease.create, 'too-big', sent(start),
                            sent(end),
                            [dict(HOST_RESERVATION, min=2, max=2)], [])
    assert code == 409, message
    assert message.startswith('ERROR: Not enough '), message
    assert ids(user.lease.list()) == [lease['id']]

    # Allocations: the held host carries the reservation, the other none.
    booking = {'id': reservation['id'], 'lease_id': lease['id'],
               'start_date': shown(start), 'end_date': shown(end)}
    allocations = {a['resource_id']: a['reservations']
                   for a in admin.allocation.list('os-hosts')}
    assert allocations == {held_host['id']: [booking], free_host['id']: []}
    assert admin.allocation.get('os-hosts', held_host['id']) == {
        'resource_id': held_host['id'], 'reservations': [booking]}
    # A held host cannot be removed.
    code, message = refused(admin.host.delete, held_host['id'])
    assert code == 409 and reservation['id'] in message, message

    # Prolong and defer: python-blazarclient reads the lease's dates with
    # its LEASE_DATE_FORMAT and sends the new ones.
    start, end = start + datetime.timedelta(minutes=30), \
        end + datetime.timedelta(hours=1)
    moved = user.lease.update(lease['id'], prolong_for='1h', defer_by='30m')
    assert (moved['start_date'], moved['end_date']) == (shown(start),
                                                        shown(end))
    events = {e['event_type']: e['time'] for e in moved['events']}
    assert (events['start_lease'], events['end_lease']) == (shown(start),
                                                            shown(end))
    assert shown(start) <= events['before_end_lease'] <= shown(end)
    assert moved['reservations'][0]['allocations'] == [held]
    booking.update(start_date=shown(start), end_date=shown(end))
    assert admin.allocation.get('os-hosts', held_host['id'])[
        'reservations'] == [booking]

    renamed = user.lease.update(lease['id'], name='lease1-renamed')
    assert renamed['name'] == 'lease1-renamed'
    assert (renamed['start_date'], renamed['end_date']) == (shown(start),
                                                            shown(end))
    assert user.lease.get(lease['id'])['name'] == 'lease1-renamed'

    assert user.lease.delete(lease['id']) is None
    assert user.lease.list() == []
    assert refused(user.lease.get, lease['id'])[0] == 404
    assert all(not a['reservations']
               for a in admin.allocation.list('os-hosts'))
    for node in nodes.values():
        assert ps.traits_of(pc, node) == ENROLLED_TRAITS


def test_instance_lease(api, placement):
    pc = placement.client()
    node = ps.add_compute_node(pc, 'cn1')
    admin = client(api)
    host = admin.host.create('cn1')
    user = client(api, 'u1:p1')
    start, end = minutes_ahead(10), minutes_ahead(70)

    lease = user.lease.create('slots', sent(start), sent(end),
                              [dict(INSTANCE_RESERVATION)], [])
    assert lease['status'] == 'PENDING'
    assert (lease['start_date'], lease['end_date']) == (shown(start),
                                                        shown(end))
    (reservation,) = lease['reservations']
    assert reservation['resource_type'] == 'virtual:instance'
    assert {k: reservation[k] for k in ('amount', 'vcpus', 'memory_mb',
                                        'disk_gb', 'affinity')} == {
        'amount': 2, 'vcpus': 1, 'memory_mb': 512, 'disk_gb': 1,
        'affinity': None}
    assert reservation['status'] == 'pending'
    assert [(a['host_id'], a['slots']) for a in
            reservation['allocations']] == [(host['id'], 2)]
    assert user.lease.get(lease['id']) == lease
    assert ids(user.lease.list()) == [lease['id']]
    assert ps.traits_of(pc, node) == ENROLLED_TRAITS

    # cn1 gives 31 slots of 512 MB (16384 - 512 reserved): 100 cannot fit.
    code, message = refused(user.lease.create, 'too-many', sent(start),
                            sent(end),
                            [dict(INSTANCE_RESERVATION, amount=100)], [])
    assert code == 409, message
    assert message.startswith('ERROR: Not enough '), message

    start, end = start + datetime.timedelta(minutes=30), \
        end + datetime.timedelta(hours=1)
    moved = user.lease.update(lease['id'], prolong_for='1h', defer_by='30m')
    assert (moved['start_date'], moved['end_date']) == (shown(start),
                                                        shown(end))
    assert admin.allocation.get('os-hosts', host['id'])['reservations'] == [
        {'id': reservation['id'], 'lease_id': lease['id'],
         'start_date': shown(start), 'end_date': shown(end)}]

    assert user.lease.delete(lease['id']) is None
    assert user.lease.list() == []
    assert admin.allocation.get('os-hosts', host['id'])['reservations'] == []
