"""Real Placement services for tests: in-process and on a loopback port.

``in_process(tmp_path)`` runs placement's WSGI app through its own
``PlacementDirect`` (wsgi-intercept, no socket) on a SQLite file.
``Standalone(tmp_path)`` runs ``placement.wsgi.api`` in a child process
under a threaded stdlib WSGI server on 127.0.0.1 and a free port, with its
own config file and SQLite database, as an operator would run it.
Both hand out a ``PlacementClient`` authenticated as admin (noauth2).
"""

import contextlib
import os
import socket
import subprocess
import sys
import time

from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import session as ks_session
from oslo_config import cfg

from placement_ext.placement import client as pclient

ADMIN_HEADERS = {'X-Auth-Token': 'admin'}


def _placement_conf(db_path):
    from placement import conf as placement_conf
    conf = cfg.ConfigOpts()
    placement_conf.register_opts(conf)
    conf.set_default('connection', 'sqlite:///%s' % db_path,
                     group='placement_database')
    conf.set_default('sync_on_startup', True, group='placement_database')
    conf([], default_config_files=[])
    return conf


@contextlib.contextmanager
def in_process(tmp_path):
    """Yield a PlacementClient over placement's in-process app."""
    from placement import db_api
    from placement import direct

    conf = _placement_conf(tmp_path / 'placement.sqlite')
    db_api.configure(conf)
    with direct.PlacementDirect(conf) as adapter:
        yield pclient.PlacementClient(adapter)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


SERVER = '''
import socketserver, sys
from wsgiref import simple_server
from placement.wsgi import api

class Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True

class Quiet(simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass

httpd = simple_server.make_server('127.0.0.1', int(sys.argv[1]),
                                  api.application, server_class=Server,
                                  handler_class=Quiet)
httpd.serve_forever()
'''


class Standalone:
    """Placement as its own process on a loopback port."""

    def __init__(self, tmp_path):
        self.dir = tmp_path / 'placement'
        self.dir.mkdir(exist_ok=True)
        self.port = free_port()
        self.endpoint = 'http://127.0.0.1:%d' % self.port
        (self.dir / 'placement.conf').write_text(
            '[api]\nauth_strategy = noauth2\n'
            '[placement_database]\nconnection = sqlite:///%s\n'
            'sync_on_startup = True\n' % (self.dir / 'placement.sqlite'))
        env = dict(os.environ, OS_PLACEMENT_CONFIG_DIR=str(self.dir))
        self.process = subprocess.Popen(
            [sys.executable, '-c', SERVER, str(self.port)], env=env,
            stdout=subprocess.DEVNULL, stderr=open(self.dir / 'log', 'wb'))
        self._wait()

    def _wait(self, timeout=60):
        deadline = time.monotonic() + timeout
        client = self.client()
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError('placement exited: %s'
                                   % (self.dir / 'log').read_text())
            try:
                client.get('/')
                return
            except Exception:
                time.sleep(0.2)
        raise RuntimeError('placement did not answer within %ds' % timeout)

    def client(self):
        session = ks_session.Session(auth=None,
                                     additional_headers=ADMIN_HEADERS)
        return pclient.PlacementClient(ks_adapter.Adapter(
            session, service_type='placement',
            endpoint_override=self.endpoint))

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
