"""Run ``blazar-nova-agent`` as a real process, as an operator would.

``write_config`` writes its config file (store, Placement, ``[agent]``
with test-sized timings); ``AgentProcess`` starts one agent, optionally
armed to crash or pause once at a fault point (``crashing_agent``), and
waits for it, signals it, stops it (SIGTERM) or kills it (master and
worker). Its output goes to a log file that failure messages quote.
"""

import os
import signal
import subprocess
import sys
import time

from placement_ext import testing
from placement_ext.testing import crashing_agent

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


def write_config(path, connection, placement_endpoint, host, debug=False,
                 **agent):
    """Write a config file for an agent named ``host`` on the store at
    ``connection`` and the Placement at ``placement_endpoint`` (no Nova);
    ``agent`` overrides ``FAST``. Returns ``path``."""
    options = dict(FAST, host=host, **agent)
    lines = ['[DEFAULT]', 'use_stderr = True', 'debug = %s' % debug,
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

    def __init__(self, config, log_path, crash_at=None, once=False,
                 worker_only=False, pause_at=None, env=None):
        """``crash_at``: the agent dies by SIGKILL there (its worker alone
        with ``worker_only``); ``pause_at``: ``(point, seconds)``."""
        self.log_path = log_path
        env = dict(os.environ, **(env or {}))
        for name in (crashing_agent.CRASH_AT,
                     crashing_agent.WORKER_ONLY, crashing_agent.PAUSE_AT):
            env.pop(name, None)
        command = _command()
        if crash_at or pause_at:
            command = [sys.executable, '-m', crashing_agent.__name__]
        if crash_at:
            env[crashing_agent.CRASH_AT] = crash_at
            if worker_only:
                env[crashing_agent.WORKER_ONLY] = '1'
        if pause_at:
            env[crashing_agent.PAUSE_AT] = '%s:%s' % pause_at
        env['PYTHONPATH'] = os.pathsep.join(
            filter(None, [REPO_ROOT, env.get('PYTHONPATH')]))
        args = command + ['--config-file', str(config)]
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

    def workers(self):
        """The pids of the agent's worker processes (children of the
        process started)."""
        found = []
        for entry in os.listdir('/proc'):
            if not entry.isdigit():
                continue
            try:
                with open('/proc/%s/stat' % entry) as stat:
                    fields = stat.read().rsplit(')', 1)[1].split()
            except OSError:
                continue
            # fields[0] is the state, fields[1] the parent's pid.
            if int(fields[1]) == self.pid and fields[0] != 'Z':
                found.append(int(entry))
        return found

    def signal(self, signum):
        self.process.send_signal(signum)

    def wait_log(self, needle, timeout=10, count=1):
        """Wait until ``needle`` is in the log ``count`` times."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log().count(needle) >= count:
                return time.time()
            time.sleep(0.05)
        raise AssertionError('%r not logged %d time(s) after %ss:\n%s'
                             % (needle, count, timeout, self.tail()))

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
        """SIGKILL to the agent: its master leads a process group of its
        own (cotyledon's setsid), which holds its worker too."""
        if self.process.returncode is None:    # not reaped: still ours
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass    # no such group: --once, or already gone
        if self.alive():
            self.process.kill()
        self.process.wait()

    def tail(self, lines=40):
        return '\n'.join(self.log().splitlines()[-lines:])
