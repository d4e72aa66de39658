"""Fixtures for tests against a real Placement, in-process and standalone.

``placement`` is a ``PlacementClient`` on an empty Placement, once over
placement's in-process app (a fresh SQLite database per test) and once over
a standalone Placement process (started once per session and wiped before
each test). ``placement_under_test`` gives the same service with its
keystoneauth1 adapter and kind. ``racing_placement`` is a standalone
Placement for concurrent writers: on SQLite serving one request at a time,
and on MySQL serving requests concurrently (skipped without a MySQL
server). ``node`` creates compute-node-like root providers.
"""

import uuid

import pytest

from placement_ext.placement import client as pclient
from placement_ext.testing import db_backends
from placement_ext.testing import placement_service

KINDS = placement_service.KINDS
PlacementUnderTest = placement_service.PlacementUnderTest


@pytest.fixture(scope='session')
def standalone_placement(tmp_path_factory):
    """One standalone Placement process for the whole session."""
    service = placement_service.Standalone(
        tmp_path_factory.mktemp('standalone-placement'))
    yield service
    service.stop()


@pytest.fixture(scope='session')
def concurrent_standalone_placement(tmp_path_factory):
    """A standalone Placement on MySQL serving requests concurrently, as in
    production; skipped when no MySQL server listens (see db_backends)."""
    path = tmp_path_factory.mktemp('concurrent-placement')
    try:
        database = db_backends.ScratchDatabase('mysql', path)
    except db_backends.BackendUnavailable as exc:
        pytest.skip(str(exc))
    try:
        service = placement_service.Standalone(path, database.url)
    except Exception:
        database.drop()
        raise
    yield service
    service.stop()
    database.drop()


@pytest.fixture
def standalone(standalone_placement):
    """The standalone Placement, emptied for this test."""
    client = standalone_placement.client()
    placement_service.wipe(client)
    return PlacementUnderTest('standalone', client,
                              standalone_placement.adapter(),
                              standalone_placement.endpoint)


@pytest.fixture(params=['serial', 'concurrent'])
def racing_placement(request):
    """A standalone Placement, emptied, for tests of concurrent writers:
    on SQLite serving one request at a time (writers still race between
    their reads and writes), and on MySQL serving requests concurrently."""
    if request.param == 'serial':
        return request.getfixturevalue('standalone')
    service = request.getfixturevalue('concurrent_standalone_placement')
    client = service.client()
    placement_service.wipe(client)
    return PlacementUnderTest('concurrent', client, service.adapter(),
                              service.endpoint)


@pytest.fixture(params=KINDS)
def placement_under_test(request, tmp_path):
    if request.param == 'standalone':
        yield request.getfixturevalue('standalone')
        return
    with placement_service.in_process_adapter(tmp_path) as adapter:
        yield PlacementUnderTest('in-process',
                                 pclient.PlacementClient(adapter), adapter)


@pytest.fixture
def placement(placement_under_test):
    """A PlacementClient on an empty real Placement (both kinds)."""
    return placement_under_test.client


@pytest.fixture
def node(placement):
    """``node(hostname=None)`` creates a compute-node-like root provider
    and returns its uuid."""
    def make(hostname=None, uuid_=None):
        hostname = hostname or 'cn-%s' % uuid.uuid4().hex[:8]
        return placement_service.add_compute_node(placement, hostname,
                                                  uuid=uuid_)
    return make
