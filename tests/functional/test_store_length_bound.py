"""The allocation length bound on SQLite, MariaDB and PostgreSQL: booking
queries bounded by it still see every booking that meets a window."""

from sqlalchemy import delete

from placement_ext import context as bn_context
from placement_ext.db import models
from placement_ext import exception
from placement_ext.store import length_bound
from placement_ext.store import snapshot
from tests.functional.test_store import add_hosts
from tests.functional.test_store import ctx
from tests.functional.test_store import DAY
from tests.functional.test_store import HOUR
from tests.functional.test_store import host_lease

ADMIN = bn_context.admin_context()


def bound(store):
    with store.db.reader(ADMIN) as session:
        return length_bound.read(session)


def drop_bound(store):
    with store.db.writer(ADMIN) as session:
        session.execute(delete(models.Lock).where(
            models.Lock.name == length_bound.ROW))


def bookings_at(store, lo, hi):
    with store.db.reader(ADMIN) as session:
        return snapshot.load_bookings(session, lo, hi, 0)


def test_bound_rises_with_longer_leases_and_never_falls(store, clock):
    add_hosts(store, 2)
    assert bound(store) is None
    short = store.create_lease(ctx(), host_lease(clock, 'short', HOUR,
                                                 3 * HOUR))
    assert bound(store) == 2 * HOUR
    long = store.create_lease(ctx(), host_lease(clock, 'long', HOUR,
                                                HOUR + 10 * DAY))
    assert bound(store) == 10 * DAY
    store.delete_lease(ctx(), long['id'])
    assert bound(store) == 10 * DAY
    store.update_lease(ctx(), short['id'], {'end_date': host_lease(
        clock, end=HOUR + 12 * DAY)['end_date']})
    assert bound(store) == 12 * DAY


def test_long_booking_started_long_before_the_window_is_seen(store, clock):
    add_hosts(store, 1)
    store.create_lease(ctx(), host_lease(clock, 'month', HOUR, 30 * DAY))
    store.create_lease(ctx(), host_lease(clock, 'early', 31 * DAY,
                                         31 * DAY + HOUR))
    at = clock.now + 20 * DAY
    found = bookings_at(store, at, at + HOUR)
    assert [b.end for by_host in found.values() for b in by_host] == [
        clock.now + 30 * DAY]
    try:
        store.create_lease(ctx(), host_lease(clock, 'clash', 20 * DAY,
                                             20 * DAY + HOUR))
    except exception.NotEnoughResources:
        pass
    else:
        raise AssertionError('a host booked for a month was given twice')


def test_first_writer_builds_the_bound_from_existing_allocations(store,
                                                                 clock):
    add_hosts(store, 2)
    store.create_lease(ctx(), host_lease(clock, 'long', HOUR, 9 * DAY))
    drop_bound(store)  # as a database from before the bound existed
    at = clock.now + 5 * DAY
    assert len(bookings_at(store, at, at + HOUR)) == 1
    store.create_lease(ctx(), host_lease(clock, 'short', HOUR, 2 * HOUR))
    assert bound(store) == 9 * DAY - HOUR
    assert len(bookings_at(store, at, at + HOUR)) == 1
