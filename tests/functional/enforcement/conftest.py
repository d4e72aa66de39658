"""Stores with ``[enforcement]`` set, on a real database, and a real
enforcement service."""

import pytest

from placement_ext import context as bn_context
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.store import api as store_api
from placement_ext import timeconv
from tests.functional.enforcement import service as enforcement_service

HOUR = 3600
DAY = 86400


def ctx(project='p1', admin=False):
    return bn_context.RequestContext(project_id=project,
                                     user_id='u-' + project,
                                     is_admin=admin)


class Enforced:
    """Builds a store over one migrated database once ``[enforcement]``
    options are set; adds hosts and leases."""

    def __init__(self, conf, database, clock):
        self.conf = conf
        self.database = database
        self.clock = clock
        self._store = None

    def set(self, **options):
        for name, value in options.items():
            self.conf.set_override(name, value, group='enforcement')
        self._store = None

    @property
    def store(self):
        if self._store is None:
            self._store = store_api.Store(self.conf, self.database,
                                          clock=self.clock)
        return self._store

    def date(self, offset):
        return timeconv.to_text(timeconv.to_datetime(self.clock.now
                                                     + offset))

    def add_hosts(self, count):
        admin = bn_context.admin_context()
        for i in range(count):
            self.store.create_host(admin, {
                'hypervisor_hostname': 'cn%02d' % i, 'vcpus': 8,
                'memory_mb': 16384, 'local_gb': 200,
                'properties': {'rack': 'r%d' % (i % 2)}})

    def host_lease(self, project='p1', start=HOUR, end=2 * HOUR, count=1,
                   max_=None, name=None):
        return self.store.create_lease(ctx(project), {
            'name': name or 'lease-%d-%d-%s' % (start, end, count),
            'start_date': self.date(start), 'end_date': self.date(end),
            'reservations': [{'resource_type': 'physical:host',
                              'min': count, 'max': max_ or count}]})

    def slot_lease(self, project='p1', start=HOUR, end=2 * HOUR, amount=2,
                   name=None):
        return self.store.create_lease(ctx(project), {
            'name': name or 'slots-%d-%d-%s' % (start, end, amount),
            'start_date': self.date(start), 'end_date': self.date(end),
            'reservations': [{'resource_type': 'virtual:instance',
                              'amount': amount, 'vcpus': 1,
                              'memory_mb': 512, 'disk_gb': 1,
                              'affinity': None}]})


@pytest.fixture
def enforced(conf, db_url, clock):
    """An ``Enforced`` on each backend."""
    database = db_api.Database(connection=db_url)
    migration.upgrade(database)
    yield Enforced(conf, database, clock)
    database.dispose()


@pytest.fixture
def sqlite_enforced(conf, tmp_path, clock):
    """An ``Enforced`` on SQLite only, for what does not depend on the
    database."""
    database = db_api.Database(
        connection='sqlite:///%s' % (tmp_path / 'enforced.sqlite'))
    migration.upgrade(database)
    yield Enforced(conf, database, clock)
    database.dispose()


@pytest.fixture
def external():
    """A real enforcement service, listening."""
    with enforcement_service.running() as service:
        yield service
