"""Hosts as the allocator sees them, reloaded only when they change.

Every change to the hosts table bumps the ``hosts`` row of ``locks`` in the
same transaction. A cache reads that counter *before* the hosts, so a cached
list is never older than the counter it is filed under: at worst it is newer,
which costs one extra reload later, never a stale decision.
"""

import threading

from oslo_db import exception as db_exc
from sqlalchemy import select
from sqlalchemy import update

from placement_ext.db import models
from placement_ext import exception
from placement_ext.store import locking
from placement_ext.store import snapshot

HOSTS_GENERATION = 'hosts'


def bump_generation(session):
    """Record, in the caller's transaction, that hosts changed."""
    session.execute(
        update(models.Lock)
        .where(models.Lock.name == HOSTS_GENERATION)
        .values(counter=models.Lock.counter + 1))


class HostCache:
    """A per-process cache of ``snapshot.load_hosts``."""

    def __init__(self):
        self._lock = threading.Lock()
        self._generation = None
        self._hosts = None

    def load(self, session):
        """The hosts, from the cache when the generation has not moved."""
        try:
            generation = session.scalar(
                select(models.Lock.counter)
                .where(models.Lock.name == HOSTS_GENERATION))
        except db_exc.DBNonExistentTable:
            raise exception.ReservationError(locking.NOT_SYNCED)
        with self._lock:
            if generation is not None and generation == self._generation:
                return self._hosts
        hosts = snapshot.load_hosts(session)
        with self._lock:
            self._generation, self._hosts = generation, hosts
        return hosts
