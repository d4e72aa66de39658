"""``blazar-nova-aio`` as a user runs it: started, tried with the commands
it prints (the real ``openstack`` client with python-blazarclient and
osc-placement), stopped with Ctrl-C and started again on the same state.
"""

import importlib.util
import json
import os
import queue
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from blazar_nova import names

BIN = os.path.dirname(sys.executable)
AIO = os.path.join(BIN, 'blazar-nova-aio')
OPENSTACK = os.path.join(BIN, 'openstack')
READY = 'Ctrl-C stops everything'
NOVA_SKIPPED = 'No Nova endpoint configured'

_MISSING = [what for what, present in (
    ('blazar-nova-aio (pip install -e .)', os.access(AIO, os.X_OK)),
    ('openstack (python-openstackclient)', os.access(OPENSTACK, os.X_OK)),
    ('python-blazarclient', importlib.util.find_spec('blazarclient')),
    ('osc-placement', importlib.util.find_spec('osc_placement')),
    ('openstack-placement', importlib.util.find_spec('placement')),
) if not present]

pytestmark = [
    pytest.mark.skipif(bool(_MISSING), reason='not installed next to %s: %s'
                       % (sys.executable, ', '.join(_MISSING))),
    pytest.mark.timeout(120),
]


def _clean_env():
    """The environment of a user who has set no OS_* variable."""
    return {k: v for k, v in os.environ.items() if not k.startswith('OS_')}


class Aio:
    """One ``blazar-nova-aio`` process on free ports and ``state_dir``:
    what it printed, parsed, and its log."""

    def __init__(self, state_dir, log_path, demo_hosts=2):
        self.log_path = log_path
        self._log = open(log_path, 'w')
        self.process = subprocess.Popen(
            [AIO, '--state-dir', str(state_dir), '--api-port', '0',
             '--placement-port', '0', '--demo-hosts', str(demo_hosts)],
            stdout=subprocess.PIPE, stderr=self._log, text=True,
            env=_clean_env())
        self.lines = []
        self._queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self._wait_ready()
        self.api = self._url(r'Reservation API .*: (http://127\.0\.0\.1:'
                             r'(\d+)/v1)$')
        self.placement = self._url(r'Placement .*: (http://127\.0\.0\.1:'
                                   r'(\d+))$')
        self.commands = [line.strip() for line in self.lines
                         if line.startswith('  ') and
                         line.strip().startswith(shlex.quote(OPENSTACK))]

    def _read(self):
        for line in self.process.stdout:
            self._queue.put(line.rstrip('\n'))
        self._queue.put(None)

    def _wait_ready(self, timeout=40):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            if line is None:
                break
            self.lines.append(line)
            if line.startswith(READY):
                return
        self.stop()
        raise AssertionError('not ready: stdout %r, log:\n%s'
                             % (self.lines, self.log()))

    def _url(self, pattern):
        for line in self.lines:
            match = re.search(pattern, line)
            if match:
                port = int(match.group(2))
                assert port not in (0, 1234, 8778), line
                return match.group(1)
        raise AssertionError('%s not in %r' % (pattern, self.lines))

    def command(self, words):
        (found,) = [c for c in self.commands if words in c]
        return shlex.split(found)

    def request(self, method, url, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={'X-Auth-Token': 'admin',
                                              'Content-Type':
                                                  'application/json'})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())

    def interrupt(self):
        """Ctrl-C; return the exit code and the seconds it took."""
        begun = time.monotonic()
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(10)
        self._log.close()
        return code, time.monotonic() - begun

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._log.close()

    def log(self):
        with open(self.log_path) as handle:
            return handle.read()


def _run(argv):
    """Run a printed command as the user would; its stdout."""
    result = subprocess.run(argv, capture_output=True, text=True,
                            env=_clean_env(), timeout=60)
    assert result.returncode == 0, (argv, result.stdout, result.stderr)
    return result.stdout


def _port(url):
    return int(url.rsplit(':', 1)[1].split('/')[0])


def _assert_released(port):
    """Nothing listens on ``port``: a server can listen there again (with
    SO_REUSEADDR, as every server does, since the connections just closed
    leave the port in TIME_WAIT)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(('127.0.0.1', port))
        sock.listen()


def _assert_clean_log(text):
    assert text.count(NOVA_SKIPPED) == 1, text
    assert 'Traceback' not in text, text
    assert not re.search(r' (ERROR|CRITICAL) ', text), text


def test_aio_serves_leases_and_keeps_them_across_restarts(tmp_path):
    state = tmp_path / 'state'
    aio = Aio(state, tmp_path / 'first.log')
    try:
        for printed in ('reservation host list', 'reservation lease create',
                        'resource provider trait list'):
            assert any(printed in c for c in aio.commands), aio.lines
        listed = _run(aio.command('reservation host list'))
        assert 'demo-cn1' in listed and 'demo-cn2' in listed, listed

        # The printed lease, starting now rather than in a minute or two.
        create = aio.command('reservation lease create')
        create[create.index('--start-date') + 1] = 'now'
        created = _run(create)
        lease_id = re.search(r'\|\s*id\s*\|\s*([0-9a-f-]{36})\s*\|',
                             created).group(1)
        deadline = time.monotonic() + 10
        while True:
            lease = aio.request('GET', '%s/leases/%s'
                                % (aio.api, lease_id))['lease']
            if lease['status'] == 'ACTIVE' or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert lease['status'] == 'ACTIVE', lease
        (reservation,) = lease['reservations']
        (allocation,) = reservation['allocations']
        hosts = aio.request('GET', aio.api + '/os-hosts')['hosts']
        (reserved,) = [h['uuid'] for h in hosts if h['hypervisor_hostname']
                       == allocation['hypervisor_hostname']]

        trait_list = aio.command('resource provider trait list')
        traits = _run(trait_list[:-1] + [reserved])
        assert names.access_trait(reservation['id'],
                                  lease['project_id']) in traits, traits
        assert names.RESERVED_TRAIT in traits, traits
        assert names.RESERVABLE_TRAIT in traits, traits

        code, took = aio.interrupt()
        assert code == 0 and took < 10, (code, took, aio.log())
    finally:
        aio.stop()
    _assert_released(_port(aio.api))
    _assert_released(_port(aio.placement))
    _assert_clean_log(aio.log())

    again = Aio(state, tmp_path / 'second.log')
    try:
        hosts = again.request('GET', again.api + '/os-hosts')['hosts']
        assert sorted(h['hypervisor_hostname'] for h in hosts) == [
            'demo-cn1', 'demo-cn2']
        lease = again.request('GET', '%s/leases/%s'
                              % (again.api, lease_id))['lease']
        assert lease['status'] == 'ACTIVE', lease
        providers = again.request(
            'GET', again.placement + '/resource_providers')[
                'resource_providers']
        assert sorted(p['name'] for p in providers) == [
            'demo-cn1', 'demo-cn2']
        assert 'Created the compute node provider' not in again.log()
        traits = _run(again.command('resource provider trait list')[:-1]
                      + [reserved])
        assert names.access_trait(reservation['id'],
                                  lease['project_id']) in traits, traits
        code, took = again.interrupt()
        assert code == 0 and took < 10, (code, took, again.log())
    finally:
        again.stop()
    _assert_clean_log(again.log())
    assert 'Enrolled host' not in again.log()
