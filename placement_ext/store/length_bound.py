"""An upper bound on how long any allocation lasts, kept in ``locks``.

Finding the bookings that meet a window means finding allocations with
``start < hi`` and ``end > lo``. An index on the start alone makes the
database walk every allocation that started before ``hi``: half the
calendar on average. Knowing that no allocation lasts longer than ``L``
seconds adds ``start >= lo - L``, so the walk covers only the allocations
starting within ``L`` before the window.

Rule: the ``counter`` of the ``locks`` row ``allocation_length`` is never
below the length of any allocation row. Writers raise it, holding the
allocator lock, in the transaction that writes the longer allocation; it
is never lowered (deleting allocations leaves it a valid, looser bound).
Without the row (a database from before this rule, or rows written by
hand) readers add no bound, and the first writer creates it from the
longest allocation in the table.
"""

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from placement_ext.db import models

ROW = 'allocation_length'


def read(session):
    """The bound in seconds, or None when there is none yet."""
    return session.scalar(select(models.Lock.counter)
                          .where(models.Lock.name == ROW))


def longest(session):
    """The length of the longest allocation in the table (0 if empty)."""
    return session.scalar(select(func.coalesce(func.max(
        models.Allocation.end_epoch - models.Allocation.start_epoch), 0)))


def raise_to(session, length):
    """Make the bound at least ``length``; the caller holds the allocator
    lock, so no other writer creates or raises the row meanwhile."""
    bound = read(session)
    if bound is None:
        session.add(models.Lock(name=ROW, counter=max(length,
                                                      longest(session))))
        session.flush()
    elif bound < length:
        session.execute(update(models.Lock).where(models.Lock.name == ROW)
                        .values(counter=length))


def recompute(session):
    """Set the bound to the longest allocation (after bulk loads)."""
    length = longest(session)
    if read(session) is None:
        session.add(models.Lock(name=ROW, counter=length))
        session.flush()
    else:
        session.execute(update(models.Lock).where(models.Lock.name == ROW)
                        .values(counter=length))
