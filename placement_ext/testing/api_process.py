"""Run ``blazar-nova-api`` as a real process, as an operator would.

``write_config`` writes its config file (store, optionally Placement,
``[api]`` on a loopback port with ``noauth``); ``ApiProcess`` starts the
command, waits until ``GET /`` answers, and ``stop()`` sends SIGTERM and
asserts a prompt exit 0. Its output goes to a log file whose tail failure
messages quote. ``running(...)`` does all three around a ``with`` block.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from placement_ext import testing
from placement_ext.testing import placement_service as ps

REPO_ROOT = testing.REPO_ROOT


def write_config(path, connection, port, placement_endpoint=None,
                 nova_endpoint=None, **api):
    """Write a config file for an API on 127.0.0.1:``port`` over the store
    at ``connection``, enrolling hosts from the Placement at
    ``placement_endpoint`` (noauth2, admin token) and reading flavors from
    the Nova at ``nova_endpoint`` (no authentication); ``api`` adds or
    overrides ``[api]`` options. Returns ``path``."""
    options = dict(bind_host='127.0.0.1', bind_port=port,
                   auth_strategy='noauth', workers=4)
    options.update(api)
    lines = ['[DEFAULT]', 'use_stderr = True', 'debug = True',
             '[database]', 'connection = %s' % connection]
    if placement_endpoint:
        lines += ['[placement]', 'auth_type = admin_token',
                  'endpoint = %s' % placement_endpoint, 'token = admin']
    if nova_endpoint:
        lines += ['[nova]', 'auth_type = none',
                  'endpoint_override = %s' % nova_endpoint]
    lines += ['[api]']
    lines += ['%s = %s' % item for item in sorted(options.items())]
    path.write_text('\n'.join(lines) + '\n')
    return path


def _command():
    script = os.path.join(os.path.dirname(sys.executable), 'blazar-nova-api')
    if os.path.exists(script):
        return [script]
    return [sys.executable, '-m', 'placement_ext.cmd.api']


class ApiProcess:
    """One ``blazar-nova-api`` process listening on ``port``."""

    def __init__(self, config, log_path, port):
        self.log_path = log_path
        self.port = port
        self.root = 'http://127.0.0.1:%d' % port
        self.url = self.root + '/v1'
        env = dict(os.environ)
        env['PYTHONPATH'] = os.pathsep.join(
            filter(None, [REPO_ROOT, env.get('PYTHONPATH')]))
        with open(log_path, 'ab') as log:
            self.process = subprocess.Popen(
                _command() + ['--config-file', str(config)], cwd=REPO_ROOT,
                env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT)
        self.pid = self.process.pid

    def log(self):
        return self.log_path.read_text(errors='replace')

    def tail(self, lines=40):
        return '\n'.join(self.log().splitlines()[-lines:])

    def alive(self):
        return self.process.poll() is None

    def wait_ready(self, timeout=30):
        """Wait until ``GET /`` answers with the version list (300)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise AssertionError(
                    'blazar-nova-api exited with %s before answering:\n%s'
                    % (self.process.returncode, self.tail()))
            try:
                urllib.request.urlopen(self.root + '/', timeout=2)
            except urllib.error.HTTPError as exc:
                # Blazar's version list answers 300 Multiple Choices.
                if exc.code == 300:
                    return
                raise AssertionError('GET / answered %s:\n%s'
                                     % (exc.code, self.tail()))
            except OSError:
                time.sleep(0.1)
                continue
            else:
                return
        raise AssertionError('blazar-nova-api not answering after %ss:\n%s'
                             % (timeout, self.tail()))

    def stop(self, timeout=5):
        """SIGTERM; assert it exits 0 within ``timeout`` s."""
        if not self.alive():
            raise AssertionError('blazar-nova-api had already exited with '
                                 '%s:\n%s' % (self.process.returncode,
                                              self.tail()))
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError('blazar-nova-api still running %ss after '
                                 'SIGTERM:\n%s' % (timeout, self.tail()))
        took = time.monotonic() - began
        assert code == 0, ('blazar-nova-api exited with %s after SIGTERM:\n%s'
                           % (code, self.tail()))
        return took

    def kill(self):
        if self.alive():
            self.process.kill()
            self.process.wait()


@contextlib.contextmanager
def running(directory, connection, placement_endpoint=None,
            nova_endpoint=None, **api):
    """Yield a ready ``ApiProcess`` over the store at ``connection``,
    configured and logging in ``directory``; on leaving, stop it and assert
    it exited 0 promptly (killed instead when the block raised). The log's
    tail goes to stderr as the block ends, so pytest shows it with any
    failure of the test that used it."""
    port = ps.free_port()
    config = write_config(directory / 'blazar-nova-api.conf', connection,
                          port, placement_endpoint, nova_endpoint, **api)
    api_process = ApiProcess(config, directory / 'blazar-nova-api.log',
                             port)
    try:
        api_process.wait_ready()
        yield api_process
    except BaseException:
        api_process.kill()
        raise
    finally:
        sys.stderr.write('--- %s (tail) ---\n%s\n'
                         % (api_process.log_path, api_process.tail()))
    api_process.stop()
