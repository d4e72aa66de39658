"""Three real agents on one store database share a burst of lease events.

Three ``blazar-nova-agent`` processes (``[agent] host`` agent-a, -b, -c)
run against one store database (MariaDB, PostgreSQL) and one standalone
Placement (its own process, on SQLite). Forty short leases (36 host leases
on their own compute nodes, 4 instance leases on the other four) start
within three seconds of each other and end four seconds later, so that the
agents race for the same due events all the time. Every event must run
exactly once, by exactly one agent, and leave Placement clean.

Nothing here depends on how fast the machine is: the leases are created
with starts far ahead, then all moved (``Store.update_lease``) to the burst,
whose first start follows the moves by a lead computed from how long the
creation took. A stall while moving only makes the leases moved first due
a little early; none is refused.
"""

import collections
import datetime
import math
import signal
import time
import uuid

import pytest

from placement_ext import context as bn_context
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.store import api as store_api
from placement_ext import timeconv
from placement_ext.testing import agent_fleet
from placement_ext.testing import db_backends
from placement_ext.testing import placement_service as ps

ADMIN = bn_context.admin_context()
AGENTS = ('agent-a', 'agent-b', 'agent-c')
HOST_LEASES = 36
INSTANCE_LEASES = 4
HOSTS = HOST_LEASES + INSTANCE_LEASES
EVENTS = ('start_lease', 'before_end_lease', 'end_lease')
AGENT_OPTIONS = {'poll_interval': 0.2, 'workers': 4, 'claim_timeout': 30,
                 'heal_interval': 0, 'reconcile_interval': 0}
# From the first start to the last end: 2 s of starts, ends 4 s later.
SPREAD = 3
LENGTH = 4
# Where the leases are created: far enough ahead that no agent acts on
# them while the test makes them, whatever the machine's load.
FAR = 3600
# The lead of the burst over the moment it is planned: this many seconds
# plus twice the time the 40 creations took (moving a lease costs about as
# much as creating it).
LEAD_MARGIN = 2
# Seconds, after the last end, for the agents to finish every event. The
# wait ends as soon as they have (seconds after the last end, even on a
# loaded machine); the bound only keeps a broken agent from hanging the
# test.
DEADLINE = 180


@pytest.fixture(params=('mysql', 'postgresql'))
def store_db(request, tmp_path):
    try:
        database = db_backends.ScratchDatabase(request.param, tmp_path)
    except db_backends.BackendUnavailable as exc:
        pytest.skip(str(exc))
    url = agent_fleet.store_url(database.url)
    db = db_api.Database(connection=url)
    try:
        migration.upgrade(db)
        yield url, db
    finally:
        db.dispose()
        database.drop()


@pytest.fixture
def placement(tmp_path):
    service = ps.Standalone(tmp_path)
    yield service
    service.stop()


@pytest.fixture
def agents(tmp_path):
    started = []
    yield started
    for agent in started:
        agent.kill()


def _date(epoch):
    return timeconv.to_text(timeconv.to_datetime(epoch))


PROJECT_CTX = bn_context.RequestContext(project_id='p1', user_id='u1')


def _window(start, i):
    """Lease i's dates when the burst starts at ``start``."""
    begin = start + i % SPREAD
    return {'start_date': _date(begin), 'end_date': _date(begin + LENGTH)}


def _create_leases(store, start):
    """The 40 leases; lease i starts at ``start + i % SPREAD``."""
    leases = []
    for i in range(HOST_LEASES + INSTANCE_LEASES):
        if i < HOST_LEASES:
            reservation = {
                'resource_type': 'physical:host', 'min': 1, 'max': 1,
                'hypervisor_properties':
                    '["==", "$hypervisor_hostname", "fleet-%02d"]' % i}
        else:
            reservation = {'resource_type': 'virtual:instance',
                           'amount': 2, 'vcpus': 1, 'memory_mb': 512,
                           'disk_gb': 1, 'affinity': None}
        leases.append(store.create_lease(PROJECT_CTX, dict(
            _window(start, i), name='burst-%02d' % i,
            reservations=[reservation])))
    return leases


def _move_leases(conf, db, leases, start, planned_at):
    """Move every lease to the burst starting at ``start``, through the
    store's update. The updates are judged at ``planned_at`` (when
    ``start`` was chosen): a stall among them must not make the store
    refuse a start that has just passed; that lease is then due at once,
    which the agents handle like any due event."""
    mover = store_api.Store(conf, db, clock=lambda: planned_at)
    return [mover.update_lease(PROJECT_CTX, lease['id'], _window(start, i))
            for i, lease in enumerate(leases)]


def _wait_terminated(store, leases, timeout):
    ids = {lease['id'] for lease in leases}
    deadline = time.monotonic() + timeout
    while True:
        status = {lease['id']: lease['status'] for lease in
                  store.list_leases(ADMIN, all_projects=True)
                  if lease['id'] in ids}
        if all(s == 'TERMINATED' for s in status.values()) or \
                time.monotonic() > deadline:
            return status
        time.sleep(0.5)


def test_three_agents_share_a_burst_of_events_exactly_once(
        store_db, placement, agents, conf, tmp_path):
    url, db = store_db
    store = store_api.Store(conf, db)
    client = placement.client()
    nodes = []
    for i in range(HOSTS):
        hostname = 'fleet-%02d' % i
        node = ps.add_compute_node(client, hostname, uuid=str(uuid.uuid4()))
        store.create_host(ADMIN, {'hypervisor_hostname': hostname,
                                  'uuid': node, 'vcpus': 8,
                                  'memory_mb': 16384, 'local_gb': 200})
        nodes.append(node)

    for name in AGENTS:
        agents.append(agent_fleet.start_agent(
            tmp_path / 'agents', name, url, placement.endpoint,
            **AGENT_OPTIONS))
    for agent in agents:
        agent.wait_running()

    # Created far ahead (no agent touches them), then moved to a burst
    # that follows the moves by a lead measured on this machine now.
    began = time.monotonic()
    leases = _create_leases(store, int(time.time()) + FAR)
    creation = time.monotonic() - began
    planned_at = int(time.time())
    start = planned_at + LEAD_MARGIN + math.ceil(2 * creation)
    leases = _move_leases(conf, db, leases, start, planned_at)
    assert [lease['start_date'] for lease in leases] == [
        _window(start, i)['start_date'] for i in range(len(leases))]
    # Each host lease holds its own node; the instance leases share the
    # four others.
    held = [sorted(a['hypervisor_hostname']
                   for a in lease['reservations'][0]['allocations'])
            for lease in leases]
    assert held[:HOST_LEASES] == [['fleet-%02d' % i]
                                  for i in range(HOST_LEASES)]
    assert {name for names in held[HOST_LEASES:] for name in names} <= {
        'fleet-%02d' % i for i in range(HOST_LEASES, HOSTS)}

    status = _wait_terminated(store, leases,
                              start + SPREAD + LENGTH + DEADLINE
                              - time.time())
    assert collections.Counter(status.values()) == {
        'TERMINATED': len(leases)}, status

    # Every event ran once, by one of the agents, and more than one agent
    # took part.
    events = [event for lease in leases
              for event in store.lease_events(ADMIN, lease['id'])]
    assert sorted(collections.Counter(e['event_type'] for e in events)
                  .items()) == sorted((t, len(leases)) for t in EVENTS)
    assert [e for e in events if (e['status'], e['attempts']) !=
            ('DONE', 1) or e['owner'] not in AGENTS] == []
    owners = collections.Counter(e['owner'] for e in events)
    assert len(owners) > 1, owners
    for event in events:
        due_ms = timeconv.to_epoch(datetime.datetime.strptime(
            event['time'], '%Y-%m-%d %H:%M:%S')) * 1000
        assert event['done_ms'] >= event['claimed_ms'] >= due_ms, event

    # The logs agree: one "Running" line per event, by its owner.
    lines = {}
    for agent in agents:
        for event_type, lease_id, event_id, attempt in \
                agent.running_lines():
            lines.setdefault(event_id, []).append(
                (agent.host, event_type, lease_id, attempt))
    assert {e['id']: [(e['owner'], e['event_type'], e['lease_id'], 1)]
            for e in events} == lines

    # Placement shows no reservation any more.
    assert agent_fleet.placement_leftovers(client, nodes) == {
        'traits': [], 'resource_classes': [], 'children': [],
        'reserved_marks': []}

    for agent in agents:
        agent.process.send_signal(signal.SIGTERM)
    assert [agent.wait(30) for agent in agents] == [0, 0, 0]
    for agent in agents:
        assert 'Agent %s stopped' % agent.host in agent.log()
