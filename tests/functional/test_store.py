"""The store on SQLite, MariaDB and PostgreSQL: leases, hosts, refusals."""

import pytest
from sqlalchemy import func
from sqlalchemy import select

from placement_ext import context as bn_context
from placement_ext.db import models
from placement_ext import exception
from placement_ext import timeconv

HOUR = 3600
DAY = 86400


def ctx(project='p1', admin=False):
    return bn_context.RequestContext(project_id=project, user_id='u-' +
                                     project, is_admin=admin)


def date(clock, offset):
    return timeconv.to_text(timeconv.to_datetime(clock.now + offset))


def add_hosts(store, count, vcpus=8, **props):
    admin = bn_context.admin_context()
    return [store.create_host(admin, {
        'hypervisor_hostname': 'cn%02d' % i, 'vcpus': vcpus,
        'memory_mb': 16384, 'local_gb': 200,
        'properties': dict(props, rack='r%d' % (i % 2))})
        for i in range(count)]


def host_lease(clock, name='l1', start=HOUR, end=2 * HOUR, min_=1, max_=1,
               props=''):
    return {'name': name, 'start_date': date(clock, start),
            'end_date': date(clock, end),
            'reservations': [{'resource_type': 'physical:host', 'min': min_,
                              'max': max_, 'hypervisor_properties': props}]}


def slot_lease(clock, name='s1', amount=2, vcpus=2, affinity=None,
               start=HOUR, end=2 * HOUR):
    return {'name': name, 'start_date': date(clock, start),
            'end_date': date(clock, end),
            'reservations': [{'resource_type': 'virtual:instance',
                              'amount': amount, 'vcpus': vcpus,
                              'memory_mb': 1024, 'disk_gb': 10,
                              'affinity': affinity}]}


def counts(store):
    """Rows in every table that a refused request must leave alone."""
    admin = bn_context.admin_context()
    with store.db.reader(admin) as session:
        return {model.__tablename__: session.scalar(
            select(func.count()).select_from(model))
            for model in (models.Lease, models.Reservation,
                          models.Allocation, models.Event)}


def test_host_lease_lifecycle(store, clock):
    add_hosts(store, 2)
    lease = store.create_lease(ctx(), host_lease(clock, max_=2))
    assert lease['status'] == 'PENDING'
    assert lease['project_id'] == 'p1'
    (reservation,) = lease['reservations']
    assert sorted(a['hypervisor_hostname']
                  for a in reservation['allocations']) == ['cn00', 'cn01']
    assert [e['event_type'] for e in lease['events']] == [
        'start_lease', 'before_end_lease', 'end_lease']
    assert lease['start_date'] == date(clock, HOUR)
    assert store.get_lease(ctx(), lease['id']) == lease
    assert [x['id'] for x in store.list_leases(ctx())] == [lease['id']]
    assert store.delete_lease(ctx(), lease['id']) is True
    assert counts(store) == {'leases': 0, 'reservations': 0,
                             'allocations': 0, 'events': 0}


def test_overlapping_host_lease_is_refused_and_writes_nothing(store, clock):
    add_hosts(store, 1)
    store.create_lease(ctx(), host_lease(clock))
    before = counts(store)
    with pytest.raises(exception.NotEnoughResources) as exc:
        store.create_lease(ctx('p2'), host_lease(clock, name='l2',
                                                 start=HOUR + 60))
    assert '0 of them are free' in str(exc.value)
    assert counts(store) == before
    # Right after the first lease ends the host is free again.
    store.create_lease(ctx('p2'), host_lease(clock, name='l3',
                                             start=2 * HOUR, end=3 * HOUR))


def test_instance_slots_never_exceed_capacity(store, clock):
    add_hosts(store, 1, vcpus=8)
    store.create_lease(ctx(), slot_lease(clock, amount=3))
    with pytest.raises(exception.NotEnoughResources) as exc:
        store.create_lease(ctx(), slot_lease(clock, name='s2', amount=2))
    assert 'can give 1 slots' in str(exc.value)
    store.create_lease(ctx(), slot_lease(clock, name='s3', amount=1))


@pytest.mark.parametrize('body_change, field', [
    ({'end_date': 'yesterday'}, 'end_date'),
    ({'start_date': '2001-01-01 00:00'}, 'start_date'),
    ({'reservations': [{'resource_type': 'physical:host', 'min': 3,
                        'max': 2}]}, 'max'),
    ({'reservations': [{'resource_type': 'virtual:instance', 'amount': 0,
                        'vcpus': 1, 'memory_mb': 1, 'disk_gb': 0}]},
     'amount'),
    ({'reservations': [{'resource_type': 'network:fip'}]}, 'resource_type'),
    ({'reservations': [{'resource_type': 'physical:host', 'min': 1,
                        'max': 1, 'hypervisor_properties':
                        '["~=", "$vcpus", "8"]'}]},
     'hypervisor_properties'),
    ({'reservations': [{'resource_type': 'physical:host', 'min': 1,
                        'max': 1, 'hypervisor_properties':
                        '[">=", "$gpus", "1"]'}]}, 'hypervisor_properties'),
])
def test_bad_input_names_the_field_and_writes_nothing(store, clock,
                                                      body_change, field):
    add_hosts(store, 2)
    body = host_lease(clock)
    body.update(body_change)
    with pytest.raises(exception.InvalidInput) as exc:
        store.create_lease(ctx(), body)
    assert field in exc.value.field
    assert exc.value.code == 400
    assert counts(store) == {'leases': 0, 'reservations': 0,
                             'allocations': 0, 'events': 0}


def test_end_before_start_and_max_duration(store, clock, conf):
    add_hosts(store, 1)
    with pytest.raises(exception.InvalidInput) as exc:
        store.create_lease(ctx(), host_lease(clock, start=2 * HOUR,
                                             end=HOUR))
    assert exc.value.field == 'end_date'
    conf.set_override('max_lease_duration', DAY, group='leases')
    with pytest.raises(exception.InvalidInput) as exc:
        store.create_lease(ctx(), host_lease(clock, end=3 * DAY))
    assert exc.value.field == 'end_date'
    assert 'maximum' in str(exc.value)


def test_numbers_compare_as_numbers_in_filters(store, clock):
    admin = bn_context.admin_context()
    store.create_host(admin, {'hypervisor_hostname': 'small', 'vcpus': 9,
                              'memory_mb': 1, 'local_gb': 1,
                              'properties': {'cores': '9'}})
    store.create_host(admin, {'hypervisor_hostname': 'big', 'vcpus': 10,
                              'memory_mb': 1, 'local_gb': 1,
                              'properties': {'cores': '10'}})
    lease = store.create_lease(ctx(), host_lease(
        clock, props='[">", "$cores", "9"]'))
    allocations = lease['reservations'][0]['allocations']
    assert [a['hypervisor_hostname'] for a in allocations] == ['big']


def test_update_extends_keeping_hosts_or_changes_nothing(store, clock):
    add_hosts(store, 3)
    first = store.create_lease(ctx(), host_lease(clock, max_=2))
    held = {a['host_id'] for a in first['reservations'][0]['allocations']}
    other = store.create_lease(ctx('p2'), host_lease(
        clock, name='other', start=3 * HOUR, end=4 * HOUR))
    longer = store.update_lease(ctx(), first['id'],
                                {'end_date': date(clock, 2 * HOUR + 1800)})
    assert {a['host_id'] for a in longer['reservations'][0]
            ['allocations']} == held
    assert longer['end_date'] == date(clock, 2 * HOUR + 1800)
    assert [e['time'] for e in longer['events']][-1] == longer['end_date']
    # Growing into the other lease's host and window cannot keep both
    # hosts plus find a third: refused, and nothing changes.
    before = store.get_lease(ctx(), first['id'])
    with pytest.raises(exception.NotEnoughResources):
        store.update_lease(ctx(), first['id'], {
            'end_date': date(clock, 5 * HOUR),
            'reservations': [{'id': before['reservations'][0]['id'],
                              'min': 3, 'max': 3}]})
    assert store.get_lease(ctx(), first['id']) == before
    assert store.get_lease(ctx('p2'), other['id'])['status'] == 'PENDING'


def test_started_lease_cannot_move_start(store, clock):
    add_hosts(store, 1)
    lease = store.create_lease(ctx(), host_lease(clock))
    clock.now += HOUR + 10
    with pytest.raises(exception.InvalidInput) as exc:
        store.update_lease(ctx(), lease['id'],
                           {'start_date': date(clock, 600)})
    assert exc.value.field == 'start_date'
    store.update_lease(ctx(), lease['id'], {'prolong_for': '1h'})
    assert store.get_lease(ctx(), lease['id'])['end_date'] == date(
        clock, 2 * HOUR - 10)


def test_other_projects_lease_is_not_found(store, clock):
    add_hosts(store, 1)
    lease = store.create_lease(ctx('p1'), host_lease(clock))
    for call in (lambda: store.get_lease(ctx('p2'), lease['id']),
                 lambda: store.update_lease(ctx('p2'), lease['id'],
                                            {'name': 'x'}),
                 lambda: store.delete_lease(ctx('p2'), lease['id'])):
        with pytest.raises(exception.NotFound):
            call()
    assert store.list_leases(ctx('p2')) == []
    assert len(store.list_leases(ctx('admin', admin=True),
                                 all_projects=True)) == 1


def test_lease_list_read_in_batches_is_the_whole_list(store, clock):
    """Batches read in transactions of their own, keyed on (start date,
    id), give every lease once, in order, even when many leases share a
    start date; project and status filters apply in the database."""
    add_hosts(store, 6)
    made = []
    for n in range(7):
        start = HOUR if n < 5 else 3 * HOUR  # five share a start date
        made.append(store.create_lease(ctx('p%d' % (n % 2)), slot_lease(
            clock, name='b%d' % n, amount=1, start=start,
            end=start + HOUR)))
    store.delete_lease(ctx('p1'), made[3]['id'])
    admin = ctx('admin', admin=True)
    whole = [x['id'] for x in store.list_leases(admin, all_projects=True)]
    assert sorted(whole) == sorted(m['id'] for m in made
                                   if m['id'] != made[3]['id'])
    batches = list(store.iter_leases(admin, all_projects=True, batch=2))
    assert [len(b) for b in batches] == [2, 2, 2]
    assert [x['id'] for b in batches for x in b] == whole
    p0 = [x for b in store.iter_leases(
        admin, all_projects=True, project_id='p0', batch=2) for x in b]
    assert sorted(x['name'] for x in p0) == ['b0', 'b2', 'b4', 'b6']
    assert [x['id'] for x in p0] == [i for i in whole
                                     if i in {x['id'] for x in p0}]
    assert sorted(x['name'] for x in store.list_leases(ctx('p1'))) == [
        'b1', 'b5']
    assert store.list_leases(admin, all_projects=True,
                             status='ACTIVE') == []
    assert len(store.list_leases(admin, all_projects=True,
                                 status='PENDING')) == 6


def test_listed_lease_is_what_show_gives(store, clock):
    """Lists read Core rows, a lease's show reads ORM objects: both give
    the same view, reservations, allocations and events included."""
    add_hosts(store, 4)
    made = [
        store.create_lease(ctx('p0'), host_lease(clock, name='h')),
        store.create_lease(ctx('p0'), slot_lease(
            clock, name='s', amount=3, start=2 * HOUR, end=5 * HOUR)),
        store.create_lease(ctx('p1'), {
            'name': 'both', 'start_date': date(clock, 6 * HOUR),
            'end_date': date(clock, 9 * HOUR),
            'reservations': [
                host_lease(clock)['reservations'][0],
                slot_lease(clock, amount=2)['reservations'][0]]}),
    ]
    admin = ctx('admin', admin=True)
    listed = store.list_leases(admin, all_projects=True)
    assert [x['id'] for x in listed] == [m['id'] for m in made]
    assert listed == [store.get_lease(admin, m['id']) for m in made]
    assert [len(x['reservations']) for x in listed] == [1, 1, 2]
    assert all(r['allocations'] for x in listed for r in x['reservations'])
    assert all(len(x['events']) == 3 for x in listed)


def test_duplicate_lease_name_in_project_conflicts(store, clock):
    add_hosts(store, 2)
    store.create_lease(ctx(), host_lease(clock))
    with pytest.raises(exception.Conflict):
        store.create_lease(ctx(), host_lease(clock, start=3 * HOUR,
                                             end=4 * HOUR))
    store.create_lease(ctx('p2'), host_lease(clock))


def test_host_with_future_allocation_cannot_be_removed(store, clock):
    admin = bn_context.admin_context()
    (host,) = add_hosts(store, 1)
    lease = store.create_lease(ctx(), host_lease(clock))
    with pytest.raises(exception.Conflict) as exc:
        store.delete_host(admin, host['id'])
    assert lease['reservations'][0]['id'] in str(exc.value)
    store.delete_lease(ctx(), lease['id'])
    store.delete_host(admin, host['id'])
    assert store.list_hosts(admin) == []


def test_host_capacity_cannot_shrink_below_bookings(store, clock):
    admin = bn_context.admin_context()
    (host,) = add_hosts(store, 1, vcpus=8)
    store.create_lease(ctx(), slot_lease(clock, amount=3, vcpus=2))
    with pytest.raises(exception.Conflict):
        store.update_host(admin, host['id'], {'vcpus': 4})
    assert store.get_host(admin, host['id'])['vcpus'] == 8
    store.update_host(admin, host['id'], {'vcpus': 6})


def test_availability_and_earliest_window(store, clock):
    add_hosts(store, 2)
    store.create_lease(ctx(), host_lease(clock, start=HOUR, end=3 * HOUR,
                                         max_=2))
    result = store.availability(
        ctx(), {'resource_type': 'physical:host', 'min': 1, 'max': 1},
        date(clock, 0), date(clock, DAY), duration=2 * HOUR)
    free = [(p['time'] - clock.now, p['free']) for p in result['timeline']]
    assert free == [(0, 2), (HOUR, 0), (3 * HOUR, 2)]
    assert result['earliest_start'] == clock.now + 3 * HOUR


def test_lease_status_moves_are_checked_and_atomic(store, clock):
    from placement_ext.store import leases

    add_hosts(store, 1)
    lease = store.create_lease(ctx(), host_lease(clock))
    admin = bn_context.admin_context()
    with store.db.writer(admin) as session:
        leases.set_lease_status(session, lease['id'], 'PENDING', 'STARTING')
    with pytest.raises(exception.Conflict):
        with store.db.writer(admin) as session:
            leases.set_lease_status(session, lease['id'], 'PENDING',
                                    'STARTING')
    with pytest.raises(exception.InvalidStateTransition):
        with store.db.writer(admin) as session:
            leases.set_lease_status(session, lease['id'], 'STARTING',
                                    'TERMINATED')
    assert store.get_lease(ctx(), lease['id'])['status'] == 'STARTING'


def test_host_cache_sees_every_host_change(store, clock, conf):
    from placement_ext.db import api as db_api
    from placement_ext.store import api as store_api

    admin = bn_context.admin_context()
    first, second = add_hosts(store, 2)
    # A second store (another process) caches the hosts first...
    other = store_api.Store(conf, db_api.Database(connection=store.db
                                                  .connection), clock=clock)
    other.create_lease(ctx(), host_lease(clock, name='warm', start=5 * DAY,
                                         end=6 * DAY))
    # ...then this store changes them: the other must not decide on the
    # hosts it cached.
    store.update_host(admin, first['id'], {'reservable': False})
    store.update_host(admin, second['id'], {'reservable': False})
    with pytest.raises(exception.NotEnoughResources):
        other.create_lease(ctx(), host_lease(clock))
    store.update_host(admin, second['id'], {'reservable': True})
    lease = other.create_lease(ctx(), host_lease(clock))
    assert lease['reservations'][0]['allocations'][0][
        'hypervisor_hostname'] == second['hypervisor_hostname']
    new = store.create_host(admin, {'hypervisor_hostname': 'late',
                                    'vcpus': 1, 'memory_mb': 1,
                                    'local_gb': 1})
    lease = other.create_lease(ctx(), host_lease(clock, name='l2'))
    assert lease['reservations'][0]['allocations'][0][
        'hypervisor_hostname'] == new['hypervisor_hostname']
    other.db.dispose()


@pytest.mark.parametrize('margin', [0, 600])
def test_gap_queries_match_gaps_from_bookings(store, clock, conf, margin):
    import random

    from placement_ext.allocator import timeline
    from placement_ext.store import snapshot

    conf.set_override('cleaning_margin', margin, group='allocator')
    add_hosts(store, 4)
    rng = random.Random(margin)
    for n in range(25):
        start = rng.randrange(HOUR, 6 * DAY, 60)
        try:
            store.create_lease(ctx(), host_lease(
                clock, name='g%d' % n, start=start,
                end=start + rng.randrange(HOUR, DAY, 60)))
        except exception.NotEnoughResources:
            pass
    admin = bn_context.admin_context()
    horizon = 2 * DAY
    with store.db.reader(admin) as session:
        everything = snapshot.load_bookings(session, 0, timeconv.FAR_FUTURE,
                                            margin)
        for probe in range(20):
            start = clock.now + rng.randrange(0, 7 * DAY, 60)
            end = start + rng.randrange(HOUR, DAY, 60)
            gaps = snapshot.load_gaps(session, start, end, margin, horizon)
            for host_id, bookings in everything.items():
                intervals = timeline.busy_intervals(bookings, margin)
                if timeline.overlaps(intervals, start, end + margin):
                    continue
                expected = tuple(
                    gap if gap < horizon else timeline.INF for gap in
                    timeline.gap_around(intervals, start, end + margin))
                got = tuple(
                    gap if gap < horizon else timeline.INF for gap in
                    gaps.get(host_id, (timeline.INF, timeline.INF)))
                assert got == expected, (host_id, start, end)


@pytest.mark.parametrize('margin', [0, 600])
def test_busy_spans_cover_exactly_the_hosts_with_bookings(store, clock, conf,
                                                          margin):
    """The whole-host loader finds a span on a host exactly when a booking
    (host or instance, of any reservation not ignored) meets the window,
    from the earliest such booking's start to the latest one's end."""
    import random

    from placement_ext.store import snapshot

    conf.set_override('cleaning_margin', margin, group='allocator')
    add_hosts(store, 4)
    rng = random.Random(margin)
    made = []
    for n in range(30):
        start = rng.randrange(HOUR, 6 * DAY, 60)
        end = start + rng.randrange(HOUR, DAY, 60)
        body = (host_lease(clock, name='s%d' % n, start=start, end=end)
                if n % 2 else slot_lease(clock, name='s%d' % n,
                                         start=start, end=end))
        try:
            made.append(store.create_lease(ctx(), body))
        except exception.NotEnoughResources:
            pass
    assert len(made) > 10
    ignored = [made[0]['reservations'][0]['id']]
    admin = bn_context.admin_context()
    with store.db.reader(admin) as session:
        for probe in range(40):
            lo = clock.now + rng.randrange(0, 7 * DAY, 60)
            hi = lo + rng.randrange(HOUR, 2 * DAY, 60)
            ignore = ignored if probe % 2 else ()
            bookings = snapshot.load_bookings(session, lo, hi, margin,
                                              ignore)
            spans = snapshot.load_busy_spans(session, lo, hi, margin,
                                             ignore)
            assert set(spans) == set(bookings)
            for host_id, found in bookings.items():
                [span] = spans[host_id]
                assert span.whole_host
                assert span.start == min(b.start for b in found)
                assert span.end == max(b.end for b in found)


@pytest.mark.parametrize('duration, reason', [
    ('x', 'is not a duration'), (0, 'must be at least 1'),
    (-5, 'must not be negative'), (True, 'got bool'),
    (2 * DAY, 'longer than the window'), ('2d', 'longer than the window'),
])
def test_availability_refuses_bad_duration(store, clock, duration, reason):
    add_hosts(store, 1)
    with pytest.raises(exception.InvalidInput) as exc:
        store.availability(
            ctx(), {'resource_type': 'physical:host', 'min': 1, 'max': 1},
            date(clock, 0), date(clock, DAY), duration=duration)
    assert exc.value.field == 'duration'
    assert reason in str(exc.value)


def _run_due(store, lease_id):
    """Run (claim and finish) every event of ``lease_id`` due now, one
    after the other as the agent does."""
    admin = bn_context.admin_context()
    while True:
        due = [event for event in store.due_events(admin)
               if event.lease_id == lease_id]
        if not due:
            return
        assert store.claim_event(admin, due[0].id, 'agent-1', 60)
        store.finish_event(admin, due[0].id, 'agent-1')


def _before_end(store, lease_id):
    (event,) = [e for e in store.lease_events(ctx(), lease_id)
                if e['event_type'] == 'before_end_lease']
    return event['status'], event['time']


def test_a_before_end_moved_later_runs_again(store, clock):
    """The before-end event ran at the start (the lease is shorter than
    the default lead); moving the date into the future re-arms it, moving
    it back or to the past does not."""
    add_hosts(store, 1)
    lease = store.create_lease(ctx(), host_lease(clock, start=60,
                                                 end=60 + 1800))
    clock.now += 120
    _run_due(store, lease['id'])
    assert _before_end(store, lease['id']) == ('DONE', date(clock, -60))

    store.update_lease(ctx(), lease['id'],
                       {'before_end_date': date(clock, 600)})
    assert _before_end(store, lease['id']) == ('UNDONE', date(clock, 600))
    clock.now += 600
    _run_due(store, lease['id'])
    assert _before_end(store, lease['id']) == ('DONE', date(clock, 0))

    store.update_lease(ctx(), lease['id'],
                       {'before_end_date': date(clock, -30)})
    assert _before_end(store, lease['id'])[0] == 'DONE'
