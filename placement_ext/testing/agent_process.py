"""Run ``blazar-nova-agent`` as a real process, as an operator would.

``write_config`` writes its config file (store, Placement, ``[agent]``
with test-sized timings); ``AgentProcess`` starts one agent, optionally
armed to crash at a fault point (``BLAZAR_NOVA_AGENT_CRASH_AT``), and
waits for it, stops it (SIGTERM) or kills it. Its output goes to a log file
that failure messages quote.
"""

import os
import signal
import subprocess
import sys
import time

from placement_ext.agent import faults
from placement_ext import testing

REPO_ROOT = testing.REPO_ROOT

# Timings that let a test see retries, claim expiry and ends in seconds.
FAST = {
    'poll_interval': 0.2,
    'retry_initial': 0.5,
    'retry_max': 2,
    'claim_timeout': 10,
    'end_poll_interval': 0.2,
    'end_wait_timeout': 3,
    'heal_interval': 0,
    'reconcile_interval': 0,
}


def write_config(path, connection, placement_endpoint, host, **agent):
    """Write a config file for an agent named ``host`` on the store at
    ``connection`` and the Placement at ``placement_endpoint`` (no Nova);
    ``agent`` overrides ``FAST``. Returns ``path``."""
    options = dict(FAST, host=host, **agent)
    lines = ['[DEFAULT]', 'use_stderr = True',
             '[database]', 'connection = %s' % connection,
             '[placement]', 'auth_type = admin_token',
             'endpoint = %s' % placement_endpoint, 'token = admin',
             '[agent]']
    lines += ['%s = %s' % item for item in sorted(options.items())]
    path.write_text('\n'.join(lines) + '\n')
    return path


def _command():
    script = os.path.join(os.path.dirname(sys.executable),
                          'blazar-nova-agent')
    if os.path.exists(script):
        return [script]
    return [sys.executable, '-m', 'placement_ext.cmd.agent']


class AgentProcess:
    """One ``blazar-nova-agent`` process."""

    def __init__(self, config, log_path, crash_at=None, once=False):
        self.log_path = log_path
        env = dict(os.environ)
        env.pop(faults.ENV, None)
        if crash_at:
            env[faults.ENV] = crash_at
        env['PYTHONPATH'] = os.pathsep.join(
            filter(None, [REPO_ROOT, env.get('PYTHONPATH')]))
        args = _command() + ['--config-file', str(config)]
        if once:
            args.append('--once')
        self.started = time.time()
        with open(log_path, 'ab') as log:
            self.process = subprocess.Popen(
                args, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT)
        self.pid = self.process.pid

    def log(self):
        return self.log_path.read_text(errors='replace')

    def alive(self):
        return self.process.poll() is None

    def wait_running(self, host, timeout=30):
        """Wait until the agent says it runs (its loop is about to start);
        return the time it did."""
        needle = 'Agent %s running' % host
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.log():
                return time.time()
            if not self.alive():
                raise AssertionError('agent exited with %s before running:\n%s'
                                     % (self.process.returncode,
                                        self.tail()))
            time.sleep(0.05)
        raise AssertionError('agent not running after %ss:\n%s'
                             % (timeout, self.tail()))

    def wait(self, timeout):
        """The exit code, once the agent exits within ``timeout`` s."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError('agent still running after %ss:\n%s'
                                 % (timeout, self.tail()))

    def terminate(self, timeout=5):
        """SIGTERM; return the exit code and the seconds it took."""
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.wait(timeout)
        return code, time.monotonic() - began

    def kill(self):
        if self.alive():
            self.process.kill()
            self.process.wait()

    def tail(self, lines=40):
        return '\n'.join(self.log().splitlines()[-lines:])
