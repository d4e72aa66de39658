"""The allocator lock: writers that touch allocations take turns.

Every transaction that decides or changes allocations (create, update or
delete a lease; change or remove a host) first updates the ``allocator`` row
of ``locks``. The row lock is held until commit, so such transactions run one
after another on MariaDB and PostgreSQL; on SQLite the update takes the
database write lock at the start of the transaction, before anything is
read. Reads made after the lock therefore see every allocation committed
before it, and nobody else can add one until this transaction ends: no host
or slot can be given twice.
"""

from oslo_db import exception as db_exc
from sqlalchemy import update

from placement_ext.db import models
from placement_ext import exception

ALLOCATOR_LOCK = 'allocator'
NOT_SYNCED = ('The reservation database is not initialised: run '
              '"blazar-nova-manage db sync".')


def lock_allocations(session):
    """Take the allocator lock for the rest of the session's transaction."""
    try:
        result = session.execute(
            update(models.Lock)
            .where(models.Lock.name == ALLOCATOR_LOCK)
            .values(counter=models.Lock.counter + 1))
    except db_exc.DBNonExistentTable:
        raise exception.ReservationError(NOT_SYNCED)
    if result.rowcount != 1:
        raise exception.ReservationError(NOT_SYNCED)
