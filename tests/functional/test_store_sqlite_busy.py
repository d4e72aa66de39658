"""SQLite's immediate "database is locked" is retried, not an error.

With WAL, a transaction that has read and then writes after another
connection committed gets SQLITE_BUSY at once (its snapshot is stale), not
after the busy timeout. The lease agent met it under load (benchmarks/
bench_memory.py: start events failed while the API wrote leases). The
store runs such a transaction again.
"""

import sqlite3

import sqlalchemy as sa

from placement_ext import context as bn_context
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.store import api as store_api
from placement_ext import timeconv
from tests.conftest import FakeClock

HOUR = 3600


def test_stale_snapshot_write_is_run_again(conf, tmp_path):
    path = tmp_path / 'store.sqlite'
    database = db_api.Database(connection='sqlite:///%s' % path)
    migration.upgrade(database)
    clock = FakeClock()
    store = store_api.Store(conf, database, clock=clock)
    admin = bn_context.admin_context()
    store.create_host(admin, {'hypervisor_hostname': 'cn1', 'vcpus': 8,
                              'memory_mb': 16384, 'local_gb': 100})
    ctx = bn_context.RequestContext(project_id='p1', user_id='u1')
    lease = store.create_lease(ctx, {
        'name': 'l1',
        'start_date': timeconv.to_text(timeconv.to_datetime(
            clock.now + HOUR)),
        'end_date': timeconv.to_text(timeconv.to_datetime(
            clock.now + 2 * HOUR)),
        'reservations': [{'resource_type': 'physical:host', 'min': 1,
                          'max': 1, 'hypervisor_properties': ''}]})
    clock.now += HOUR
    attempts = []

    @sa.event.listens_for(database.engine, 'before_cursor_execute')
    def other_writer_commits_first(conn, cursor, statement, *args):
        if statement.startswith('UPDATE leases SET status'):
            attempts.append(statement)
            if len(attempts) == 1:  # after our read, before our write
                other = sqlite3.connect(str(path), timeout=5)
                other.execute("UPDATE hosts SET updated_at = "
                              "'2030-01-01 00:00:00'")
                other.commit()
                other.close()

    try:
        store.enter_lease(admin, lease['id'], 'start_lease')
    finally:
        sa.event.remove(database.engine, 'before_cursor_execute',
                        other_writer_commits_first)
    # The first write met the stale snapshot; the second ran.
    assert len(attempts) == 2
    assert store.get_lease(admin, lease['id'])['status'] == 'STARTING'
    database.dispose()


def test_sqlite_busy_names_only_that_error():
    locked = sa.exc.OperationalError(
        'UPDATE', {}, sqlite3.OperationalError('database is locked'))
    other = sa.exc.OperationalError(
        'UPDATE', {}, sqlite3.OperationalError('no such table: x'))
    assert store_api.sqlite_busy(locked)
    assert not store_api.sqlite_busy(other)
    assert not store_api.sqlite_busy(ValueError('database is locked'))
