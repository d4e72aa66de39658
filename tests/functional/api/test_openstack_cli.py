"""The ``openstack reservation`` commands, as a user types them, against
``blazar-nova-api``.

The standard ``openstack`` command with python-blazarclient's OSC plugin,
run as a subprocess with a clean environment (no ``OS_*`` variables, no
clouds.yaml), authenticated with ``--os-auth-type admin_token --os-token
admin --os-endpoint http://127.0.0.1:PORT/v1`` (the API runs with
``[api] auth_strategy = noauth``, where the token ``admin`` is an admin).
The API runs as its own process over a migrated SQLite store and a
standalone Placement holding one compute node. Each command costs a second
or so of start-up, so there are few; what they change is checked through
python-blazarclient and Placement.
"""

import datetime
import json
import os
import subprocess
import sys

from blazarclient import client as blazar_client
from blazarclient import utils as blazar_utils
import pytest

from placement_ext.db import api as db_api
from placement_ext.db import migration
from blazar_nova import names
from placement_ext.testing import api_process
from placement_ext.testing import placement_service as ps

LEASE_DATE = blazar_utils.LEASE_DATE_FORMAT
CLI_DATE = '%Y-%m-%d %H:%M'
AUTH = ('--os-auth-type', 'admin_token', '--os-token', 'admin')


def _openstack():
    script = os.path.join(os.path.dirname(sys.executable), 'openstack')
    if not os.path.exists(script):
        pytest.skip('no openstack command next to %s' % sys.executable)
    return script


@pytest.fixture(scope='module')
def placement(tmp_path_factory):
    """One standalone Placement for the module, wiped before each test."""
    service = ps.Standalone(tmp_path_factory.mktemp('cli-placement'))
    yield service
    service.stop()


@pytest.fixture
def api(tmp_path, placement):
    """``blazar-nova-api`` over a fresh migrated SQLite store; its
    ``placement`` is a client of the (wiped) standalone Placement."""
    ps.wipe(placement.client())
    url = 'sqlite:///%s' % (tmp_path / 'store.sqlite')
    db = db_api.Database(connection=url)
    migration.upgrade(db)
    db.dispose()
    with api_process.running(tmp_path, url, placement.endpoint) as process:
        process.placement = placement.client()
        yield process


class Cli:
    """``openstack --os-auth-type admin_token ... reservation ARGS``."""

    def __init__(self, api, directory):
        self.command = [_openstack()] + list(AUTH) + [
            '--os-endpoint', api.url, 'reservation']
        # No OS_* variables and no clouds.yaml: only the command line.
        self.env = {name: value for name, value in os.environ.items()
                    if not name.startswith('OS_')}
        self.env['HOME'] = str(directory)
        self.directory = directory
        self.api = api

    def __call__(self, *args):
        result = subprocess.run(self.command + list(args),
                                capture_output=True, text=True,
                                env=self.env, cwd=self.directory,
                                timeout=60)
        assert result.returncode == 0, (
            'openstack reservation %s exited %d\nstdout: %s\nstderr: %s\n'
            'API log:\n%s' % (' '.join(args), result.returncode,
                              result.stdout, result.stderr,
                              self.api.tail()))
        return result.stdout

    def json(self, *args):
        """The ``-f json`` output (after the line ``Created a new ...:``
        that create commands print first)."""
        out = self(*args, '-f', 'json')
        return json.loads(out[min(i for i in (out.find('{'), out.find('['))
                                  if i >= 0):])


def test_reservation_commands(api, tmp_path):
    node = ps.add_compute_node(api.placement, 'cn1')
    cli = Cli(api, tmp_path)
    python = blazar_client.Client(1, blazar_url=api.url, auth_token='admin')

    host = cli.json('host', 'create', 'cn1')
    assert host['hypervisor_hostname'] == 'cn1'
    assert host['uuid'] == node
    assert ps.traits_of(api.placement, node) == {ps.NODE_TRAIT,
                                                 names.RESERVABLE_TRAIT}
    assert cli.json('host', 'list') == [
        {'id': host['id'], 'hypervisor_hostname': 'cn1', 'vcpus': 8,
         'memory_mb': 16384, 'local_gb': 200}]

    now = datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None, second=0, microsecond=0)
    start = now + datetime.timedelta(minutes=10)
    end = start + datetime.timedelta(hours=1)
    lease = cli.json('lease', 'create', '--reservation',
                     'resource_type=physical:host,min=1,max=1',
                     '--start-date', start.strftime(CLI_DATE),
                     '--end-date', end.strftime(CLI_DATE), 'lease1')
    assert lease['name'] == 'lease1'
    assert lease['status'] == 'PENDING'
    assert (lease['start_date'], lease['end_date']) == (
        start.strftime(LEASE_DATE), end.strftime(LEASE_DATE))
    # The command shows a reservation as its JSON text.
    reservation = json.loads(lease['reservations'])
    assert reservation['resource_type'] == 'physical:host'
    assert (reservation['min'], reservation['max']) == (1, 1)
    assert reservation['hypervisor_properties'] == ''

    shown = cli.json('lease', 'show', lease['id'])
    assert shown == lease

    assert cli('lease', 'set', '--prolong-for', '1h', lease['id']).strip() \
        == 'Updated lease: %s' % lease['id']
    end += datetime.timedelta(hours=1)
    assert cli.json('lease', 'list') == [
        {'id': lease['id'], 'name': 'lease1',
         'start_date': start.strftime(LEASE_DATE),
         'end_date': end.strftime(LEASE_DATE)}]

    (allocation,) = cli.json('allocation', 'list', 'host')
    assert allocation['resource_id'] == host['id']
    assert allocation['reservations'] == [
        {'id': reservation['id'], 'lease_id': lease['id'],
         'start_date': start.strftime(LEASE_DATE),
         'end_date': end.strftime(LEASE_DATE)}]

    assert cli('lease', 'delete', lease['id']).strip() == \
        'Deleted lease: %s' % lease['id']
    assert python.lease.list() == []
    assert python.allocation.get('os-hosts', host['id'])[
        'reservations'] == []


def test_host_set_extra(api, tmp_path):
    ps.add_compute_node(api.placement, 'cn1')
    python = blazar_client.Client(1, blazar_url=api.url, auth_token='admin')
    host = python.host.create('cn1', gpu='a100')
    cli = Cli(api, tmp_path)

    assert cli('host', 'set', '--extra', 'rack=r1', 'cn1').strip() == \
        'Updated host: cn1'
    shown = python.host.get(host['id'])
    assert (shown['rack'], shown['gpu']) == ('r1', 'a100')


def test_host_set_unreservable(api, tmp_path):
    """``host set --extra reservable=false`` (the client sends the string
    "false"): the pending lease on the host moves to another host before
    the command returns, and Placement no longer shows the host
    reservable; ``reservable=true`` marks it again."""
    cn1 = ps.add_compute_node(api.placement, 'cn1')
    cn2 = ps.add_compute_node(api.placement, 'cn2')
    python = blazar_client.Client(1, blazar_url=api.url, auth_token='admin')
    first = python.host.create('cn1')
    now = datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None, second=0, microsecond=0)
    start = now + datetime.timedelta(hours=1)
    lease = python.lease.create(
        'on-cn1', start.strftime(CLI_DATE),
        (start + datetime.timedelta(hours=1)).strftime(CLI_DATE),
        [{'resource_type': 'physical:host', 'min': 1, 'max': 1,
          'hypervisor_properties': '', 'resource_properties': ''}], [])
    second = python.host.create('cn2')
    assert python.allocation.get('os-hosts', first['id'])['reservations']

    cli = Cli(api, tmp_path)
    assert cli('host', 'set', '--extra', 'reservable=false',
               'cn1').strip() == 'Updated host: cn1'

    assert python.host.get(first['id'])['reservable'] is False
    assert ps.traits_of(api.placement, cn1) == {ps.NODE_TRAIT}
    assert names.RESERVABLE_TRAIT in ps.traits_of(api.placement, cn2)
    assert python.allocation.get('os-hosts', first['id'])[
        'reservations'] == []
    (moved,) = python.allocation.get('os-hosts', second['id'])[
        'reservations']
    assert moved['lease_id'] == lease['id']
    assert python.lease.get(lease['id'])['degraded'] is False

    cli('host', 'set', '--extra', 'reservable=true', 'cn1')
    assert python.host.get(first['id'])['reservable'] is True
    assert names.RESERVABLE_TRAIT in ps.traits_of(api.placement, cn1)

    # A lease that has started keeps its host, which stays closed to
    # ordinary requests (marked reservable in Placement) until it ends.
    now_lease = python.lease.create(
        'now-on-cn1', 'now', (now + datetime.timedelta(minutes=30)).strftime(
            CLI_DATE),
        [{'resource_type': 'physical:host', 'min': 1, 'max': 1,
          'hypervisor_properties': '["==", "$hypervisor_hostname", "cn1"]',
          'resource_properties': ''}], [])
    cli('host', 'set', '--extra', 'reservable=false', 'cn1')
    assert python.host.get(first['id'])['reservable'] is False
    assert names.RESERVABLE_TRAIT in ps.traits_of(api.placement, cn1)
    assert [r['lease_id'] for r in python.allocation.get(
        'os-hosts', first['id'])['reservations']] == [now_lease['id']]

    # Enrolled not reservable (the client sends the string here too):
    # Placement does not show it reservable.
    cn3 = ps.add_compute_node(api.placement, 'cn3')
    assert python.host.create('cn3', reservable='false')[
        'reservable'] is False
    assert ps.traits_of(api.placement, cn3) == {ps.NODE_TRAIT}
