"""The reservation API in-process over a store on each database backend.

``ApiOnBackend`` is the API (noauth, a fixed clock) over a migrated store
on SQLite, MariaDB or PostgreSQL, enrolling hosts from a real in-process
Placement that holds the compute nodes ``COMPUTE_NODES``. Tests that must
see every backend answer the same request the same way use one per
backend (``api_on_every_backend``); ``reset()`` empties the store and
Placement between tests, far cheaper than a new database.

Only one in-process Placement can run in a process at a time (placement
keeps one global database factory), so the backends share one; a test
that runs a request on each backend in turn sees each start from the same
Placement, since ``reset()`` rebuilds it.
"""

import contextlib
import json

from oslo_config import cfg
import sqlalchemy as sa
import webob

from placement_ext.api import service
from placement_ext import conf as bn_conf
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.db import models
from placement_ext.store import api as store_api
from placement_ext.testing import db_backends
from placement_ext.testing import placement_service

# 2030-01-01 00:00:00 UTC: what every store takes for "now".
NOW = 1893456000
NOW_TEXT = '2030-01-01T00:00:00.000000'

# Compute nodes in Placement: name -> (VCPU, MEMORY_MB, DISK_GB) totals.
COMPUTE_NODES = {
    'cn1': (8, 16384, 200),
    'cn2': (16, 32768, 400),
    'cn3': (4, 8192, 100),
}

# Tables in an order that deletes children first; ``locks`` is put back
# as the migrations left it.
_TABLES = ('allocations', 'events', 'reservations', 'leases', 'hosts',
           'resource_properties', 'locks')
# Tables whose integer ids come from a sequence, restarted on reset so
# that every backend gives the same ids to the same requests.
_SEQUENCED = ('hosts', 'allocations', 'events')


class Clock:
    """A clock tests move by hand (epoch seconds)."""

    def __init__(self, now=NOW):
        self.now = now

    def __call__(self):
        return self.now


def strict_json(text):
    """``text`` decoded as strict JSON: NaN and Infinity are refused."""
    def refuse(constant):
        raise ValueError('not strict JSON: %s' % constant)
    return json.loads(text, parse_constant=refuse)


class ApiOnBackend:
    """The API over a store on one backend's scratch database."""

    def __init__(self, backend, database_url, placement, clock=None,
                 **api_options):
        self.backend = backend
        self.placement = placement
        self.clock = clock or Clock()
        conf = cfg.ConfigOpts()
        bn_conf.register_opts(conf)
        conf([], project=service.PROJECT, default_config_files=[])
        conf.set_override('auth_strategy', 'noauth', group='api')
        for name, value in api_options.items():
            conf.set_override(name, value, group='api')
        self.conf = conf
        self.database = db_api.Database(connection=database_url)
        migration.upgrade(self.database)
        with self.database.engine.connect() as conn:
            self._locks = [dict(row._mapping) for row in conn.execute(
                sa.select(models.Lock.__table__))]
        self._build()

    def _build(self):
        self.store = store_api.Store(self.conf, self.database,
                                     clock=self.clock)
        self.app = service.build(self.conf, store=self.store,
                                 placement=self.placement)

    def reset(self):
        """Empty every table, as after the migrations, with id sequences
        restarted, and start a new store (no cached hosts)."""
        with self.database.engine.begin() as conn:
            if self.backend == 'postgresql':
                conn.execute(sa.text('TRUNCATE %s RESTART IDENTITY CASCADE'
                                     % ', '.join(_TABLES)))
            else:
                for table in _TABLES:
                    conn.execute(sa.text('DELETE FROM %s' % table))
            if self.backend == 'mysql':
                for table in _SEQUENCED:
                    conn.execute(sa.text('ALTER TABLE %s AUTO_INCREMENT = 1'
                                         % table))
            if self.backend == 'sqlite' and conn.execute(sa.text(
                    "SELECT name FROM sqlite_master WHERE name = "
                    "'sqlite_sequence'")).first():
                conn.execute(sa.text('DELETE FROM sqlite_sequence'))
            if self._locks:
                conn.execute(sa.insert(models.Lock.__table__), self._locks)
        self.clock.now = NOW
        self._build()

    def request(self, method, path, body=None, token='admin', raw=None,
                headers=None):
        """Send a request to the application; ``body`` is sent as JSON,
        ``raw`` as the bytes given. Paths are sent as a WSGI server would
        pass them (percent-decoded bytes as latin-1)."""
        req = webob.Request.blank(path, method=method)
        if token is not None:
            req.headers['X-Auth-Token'] = token
        if body is not None:
            raw = json.dumps(body).encode('utf-8')
        if raw is not None:
            req.content_type = 'application/json'
            req.body = raw
        for name, value in (headers or {}).items():
            req.headers[name] = value
        return req.get_response(self.app)

    def rows(self):
        """Every row of every table, in a canonical order: what a refused
        request must leave unchanged."""
        dump = {}
        with self.database.engine.connect() as conn:
            for table in models.Base.metadata.sorted_tables:
                columns = [c for c in table.columns]
                result = conn.execute(sa.select(*columns))
                dump[table.name] = sorted(
                    (tuple(_canonical(value) for value in row)
                     for row in result), key=repr)
        return dump

    def dispose(self):
        self.database.dispose()


def _canonical(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return value


def add_compute_nodes(placement):
    """Create ``COMPUTE_NODES`` in Placement; ``{name: uuid}``."""
    uuids = {}
    for name, (vcpus, memory_mb, disk_gb) in sorted(COMPUTE_NODES.items()):
        uuids[name] = placement_service.add_compute_node(
            placement, name, inventory={
                'VCPU': {'total': vcpus},
                'MEMORY_MB': {'total': memory_mb},
                'DISK_GB': {'total': disk_gb}})
    return uuids


class Backends:
    """One ``ApiOnBackend`` per reachable backend over one Placement."""

    def __init__(self, tmp_path, backends=db_backends.BACKENDS,
                 **api_options):
        self.exits = contextlib.ExitStack()
        self.skipped = {}
        try:
            self.placement = self.exits.enter_context(
                placement_service.in_process(tmp_path))
            self.node_uuids = add_compute_nodes(self.placement)
            self.apis = {}
            for backend in backends:
                try:
                    database = db_backends.ScratchDatabase(backend,
                                                           tmp_path)
                except db_backends.BackendUnavailable as exc:
                    self.skipped[backend] = str(exc)
                    continue
                self.exits.callback(database.drop)
                api = ApiOnBackend(backend, database.url, self.placement,
                                   **api_options)
                self.exits.callback(api.dispose)
                self.apis[backend] = api
        except Exception:
            self.exits.close()
            raise

    def reset(self):
        """Every store empty, Placement back to its compute nodes."""
        placement_service.wipe(self.placement)
        self.node_uuids = add_compute_nodes(self.placement)
        for api in self.apis.values():
            api.reset()

    def close(self):
        self.exits.close()
