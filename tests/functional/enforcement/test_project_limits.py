"""``ProjectLimitsFilter``: hosts and slots held at once, host-hours in a
rolling window, exempt projects, updates; the query and the lock on
SQLite, MariaDB and PostgreSQL (hosts at once, and several leases
written at once that cannot all slip under a limit), the arithmetic on
SQLite."""

import concurrent.futures

import pytest

from placement_ext.enforcement import errors
from placement_ext import exception
from tests.functional.enforcement.conftest import ctx
from tests.functional.enforcement.conftest import DAY
from tests.functional.enforcement.conftest import HOUR


def limits(enforced, hosts=0, **options):
    enforced.set(enabled_filters=['ProjectLimitsFilter'], **options)
    if hosts:
        enforced.add_hosts(hosts)


def test_hosts_at_once(enforced):
    limits(enforced, hosts=4, max_hosts_per_project=2,
           project_limits_exempt_project_ids=['ops'])
    enforced.host_lease(start=HOUR, end=3 * HOUR, count=2)
    with pytest.raises(errors.Refused) as exc:
        enforced.host_lease(start=2 * HOUR, end=4 * HOUR, count=1)
    assert exc.value.code == 403
    message = str(exc.value)
    assert 'Project p1 would hold 3 hosts at once' in message
    assert 'its limit of 2 ([enforcement] max_hosts_per_project)' in message
    assert 'its other leases hold 2 hosts then' in message
    # Back to back, another project, an exempt project: no refusal.
    enforced.host_lease(start=3 * HOUR, end=4 * HOUR, count=2)
    enforced.host_lease(project='p2', start=2 * HOUR, end=4 * HOUR, count=1)
    enforced.host_lease(project='ops', start=HOUR, end=4 * HOUR, count=1)
    assert len(enforced.store.list_leases(ctx(), project_id='p1')) == 2


def test_a_lease_being_deleted_no_longer_counts(sqlite_enforced):
    enforced = sqlite_enforced
    limits(enforced, hosts=2, max_hosts_per_project=1)
    lease = enforced.host_lease(start=0, end=2 * HOUR)
    for before, after in (('PENDING', 'STARTING'), ('STARTING', 'ACTIVE')):
        enforced.store.set_lease_status(ctx(admin=True), lease['id'],
                                        before, after)
    with pytest.raises(errors.Refused):
        enforced.host_lease(start=HOUR, end=3 * HOUR)
    assert enforced.store.delete_lease(ctx(), lease['id']) is False
    enforced.host_lease(start=HOUR, end=3 * HOUR)


def test_slots_at_once_and_updates(sqlite_enforced):
    enforced = sqlite_enforced
    limits(enforced, hosts=2, max_slots_per_project=4)
    first = enforced.slot_lease(amount=3, start=HOUR, end=3 * HOUR)
    with pytest.raises(errors.Refused) as exc:
        enforced.slot_lease(amount=2, start=2 * HOUR, end=4 * HOUR)
    assert 'would hold 5 slots at once' in str(exc.value)
    assert 'its other leases hold 3 slots then' in str(exc.value)
    second = enforced.slot_lease(amount=1, start=2 * HOUR, end=4 * HOUR)
    store = enforced.store
    # Moving the second lease later is fine; growing the first is not.
    with pytest.raises(errors.Refused):
        store.update_lease(ctx(), first['id'], {
            'reservations': [{'id': first['reservations'][0]['id'],
                              'amount': 4}]})
    store.update_lease(ctx(), second['id'], {'defer_by': '1h'})
    store.update_lease(ctx(), first['id'], {
        'reservations': [{'id': first['reservations'][0]['id'],
                          'amount': 4}]})


def test_an_update_that_lowers_use_passes_over_a_lowered_limit(
        sqlite_enforced):
    enforced = sqlite_enforced
    limits(enforced, hosts=3, max_hosts_per_project=3)
    lease = enforced.host_lease(start=HOUR, end=5 * HOUR, count=3)
    enforced.set(max_hosts_per_project=1)
    store = enforced.store
    store.update_lease(ctx(), lease['id'], {'reduce_by': '1h'})
    with pytest.raises(errors.Refused):
        store.update_lease(ctx(), lease['id'], {'prolong_for': '2h'})


def test_host_hours_in_a_rolling_window(sqlite_enforced):
    enforced = sqlite_enforced
    """At most 5 host-hours within any day."""
    limits(enforced, hosts=2, max_host_hours_per_project=5,
           host_hours_window=DAY)
    enforced.host_lease(start=HOUR, end=4 * HOUR, count=1)       # 3 h
    with pytest.raises(errors.Refused) as exc:
        # 2 hosts x 2 h = 4 h, 20 h later: one day holds both.
        enforced.host_lease(start=20 * HOUR, end=22 * HOUR, count=2)
    message = str(exc.value)
    assert 'would hold 7.0 host-hours within the 1-day window' in message
    assert 'limit of 5 host-hours per window' in message
    assert 'its other leases hold 3.0 host-hours in that window' in message
    # A day after the first lease's end, the window holds 4 only; a lease
    # placed before the first counts the window that follows it.
    enforced.host_lease(start=28 * HOUR, end=30 * HOUR, count=2)
    with pytest.raises(errors.Refused) as exc:
        enforced.host_lease(start=30 * HOUR, end=32 * HOUR, count=1)
    assert 'would hold 6.0 host-hours' in str(exc.value)
    # A lease placed before the others counts the windows after it too.
    with pytest.raises(errors.Refused):
        enforced.host_lease(start=5 * HOUR, end=8 * HOUR, count=1)
    # Other projects count apart.
    enforced.host_lease(project='p2', start=HOUR, end=5 * HOUR, count=1)


def test_limits_hold_when_two_leases_are_written_at_once(enforced):
    """Each create reads the project's use under the allocator lock: of
    several leases of one project sent at once, only as many as the
    limit allows get through."""
    limits(enforced, hosts=4, max_hosts_per_project=1)
    store = enforced.store

    def create(index):
        try:
            return store.create_lease(ctx(), {
                'name': 'race-%d' % index,
                'start_date': enforced.date(HOUR),
                'end_date': enforced.date(2 * HOUR),
                'reservations': [{'resource_type': 'physical:host',
                                  'min': 1, 'max': 1}]})
        except exception.ReservationError as exc:
            return exc

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(create, range(4)))
    created = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, errors.Refused)]
    assert (len(created), len(refused)) == (1, 3), results
