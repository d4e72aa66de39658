"""Gabbi fixtures: the reservation API in-process, over a fresh store and
a real in-process Placement.

Each YAML file gets its own fixture, so its own SQLite store (migrated to
the newest revision) and its own Placement database, in a temporary
directory removed at the end of the file. Placement holds three compute
nodes, as Nova's compute service would create them; ``EnrolledFixture``
also enrols them through the API, with properties.

The store's clock is fixed at ``NOW`` (2030-01-01 00:00:00 UTC), so the
YAML files can use fixed dates. What the YAML files need is in environment
variables (``$ENVIRON['CN1']``, ``$ENVIRON['CN1_UUID']``...).

Gabbi builds the application (``setup_app``) before any fixture starts,
so the application it calls is a thin front that forwards to the one the
running fixture built; that front also records every 500 it answers, for
``test_gabbi`` to fail the test that got it.
"""

import contextlib
import json
import os
import pathlib
import shutil
import tempfile

from gabbi import fixture
from oslo_config import cfg
import webob

from placement_ext.api import service
from placement_ext import conf as bn_conf
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.store import api as store_api
from placement_ext.testing import placement_service

# 2030-01-01 00:00:00 UTC: what the store takes for "now".
NOW = 1893456000

# Compute nodes in Placement: name -> (VCPU, MEMORY_MB, DISK_GB) totals.
COMPUTE_NODES = {
    'cn1': (8, 16384, 200),
    'cn2': (16, 32768, 400),
    'cn3': (4, 8192, 100),
}
# Properties EnrolledFixture gives each node when it enrols it.
PROPERTIES = {
    'cn1': {'rack': 'r1', 'gpu': True},
    'cn2': {'rack': 'r1'},
    'cn3': {'rack': 'r2', 'secret': 'x'},
}

# A small body limit, so the 413 test need not send 256 KiB.
MAX_BODY = 4096

# The application of the running fixture, and the 500s it answered.
APP = None
SERVER_ERRORS = []


class FrontApp:
    """What gabbi calls: the running fixture's application, with every
    500 it answers recorded."""

    def __call__(self, environ, start_response):
        if APP is None:
            raise RuntimeError('no gabbi fixture is running')

        def recording_start_response(status, headers, exc_info=None):
            if status.startswith('500'):
                SERVER_ERRORS.append('%s %s: %s' % (
                    environ['REQUEST_METHOD'], environ.get('PATH_INFO'),
                    status))
            return start_response(status, headers, exc_info)

        return APP(environ, recording_start_response)


def setup_app():
    return FrontApp()


def _clock():
    return NOW


class APIFixture(fixture.GabbiFixture):
    """The reservation API (noauth) over a fresh store and an in-process
    Placement holding three compute nodes; nothing enrolled."""

    def start_fixture(self):
        self.exits = contextlib.ExitStack()
        try:
            self._start()
        except Exception:
            self.exits.close()
            raise

    def _start(self):
        global APP
        directory = tempfile.mkdtemp(prefix='gabbi-reservation-')
        self.exits.callback(shutil.rmtree, directory, True)
        path = pathlib.Path(directory)

        conf = cfg.ConfigOpts()
        bn_conf.register_opts(conf)
        conf([], project=service.PROJECT, default_config_files=[])
        conf.set_override('auth_strategy', 'noauth', group='api')
        conf.set_override('max_request_body_size', MAX_BODY, group='api')
        self.conf = conf

        database = db_api.Database(
            connection='sqlite:///%s' % (path / 'store.sqlite'))
        self.exits.callback(database.dispose)
        migration.upgrade(database)
        self.store = store_api.Store(conf, database, clock=_clock)

        self.placement = self.exits.enter_context(
            placement_service.in_process(path))
        environ = {'NOW': '2030-01-01T00:00:00.000000',
                   'MAX_BODY': str(MAX_BODY),
                   # A body just over the limit.
                   'BIG_VALUE': 'x' * MAX_BODY}
        for index, (name, (vcpus, memory_mb, disk_gb)) in enumerate(
                sorted(COMPUTE_NODES.items()), 1):
            uuid = placement_service.add_compute_node(
                self.placement, name, inventory={
                    'VCPU': {'total': vcpus},
                    'MEMORY_MB': {'total': memory_mb},
                    'DISK_GB': {'total': disk_gb}})
            environ['CN%d' % index] = name
            environ['CN%d_UUID' % index] = uuid
        self.saved_environ = {k: os.environ.get(k) for k in environ}
        self.exits.callback(self._restore_environ)
        os.environ.update(environ)

        APP = service.build(conf, store=self.store,
                            placement=self.placement)
        self.exits.callback(self._forget_app)

    def _restore_environ(self):
        for name, value in self.saved_environ.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    @staticmethod
    def _forget_app():
        global APP
        APP = None

    def stop_fixture(self):
        self.exits.close()

    def request(self, method, path, body=None, token='admin'):
        """Send a request to the application directly; return the
        response."""
        req = webob.Request.blank(path, method=method)
        req.headers['X-Auth-Token'] = token
        if body is not None:
            req.content_type = 'application/json'
            req.body = json.dumps(body).encode()
        return req.get_response(APP)


class EnrolledFixture(APIFixture):
    """APIFixture with cn1, cn2 and cn3 enrolled (``PROPERTIES``); their
    host ids are ``$ENVIRON['CN1_ID']``..."""

    def _start(self):
        super()._start()
        for index, name in enumerate(sorted(COMPUTE_NODES), 1):
            resp = self.request('POST', '/v1/os-hosts',
                                dict(PROPERTIES[name], name=name))
            if resp.status_int != 201:
                raise fixture.GabbiFixtureError(
                    'enrolling %s: %s %s' % (name, resp.status, resp.text))
            key = 'CN%d_ID' % index
            self.saved_environ.setdefault(key, os.environ.get(key))
            os.environ[key] = resp.json['host']['id']
