"""The cloud's processes: started, found again, stopped.

Each service starts in a session of its own (``setsid``), so it and every
process it forks share a session id equal to its pid. ``run/NAME.pid``
records that pid with its start time (clock ticks since boot, from
/proc), so a pid reused by another program is never taken for ours. A
service's processes are those of its session that started no earlier
than it; only those are ever signalled. Output (stdout and stderr) goes to
``logs/NAME.log``.
"""

import json
import logging
import os
import signal
import subprocess
import time

LOG = logging.getLogger(__name__)


def _stat(pid):
    """(state, session id, start time) of ``pid`` from /proc, or None."""
    try:
        with open('/proc/%d/stat' % pid) as stat:
            fields = stat.read().rsplit(')', 1)[1].split()
    except (OSError, IndexError):
        return None
    # After the command: state, ppid, pgrp, session, ... starttime is the
    # 22nd field of the line, the 20th after the command.
    return fields[0], int(fields[3]), int(fields[19])


def sessions():
    """{session id: [(pid, start time)]} of every live process."""
    found = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat and stat[0] != 'Z':
                found.setdefault(stat[1], []).append((int(entry), stat[2]))
    return found


class Record:
    """A started service: name, pid (= its session id), start time,
    command line."""

    def __init__(self, name, pid, start, argv):
        self.name = name
        self.pid = pid
        self.start = start
        self.argv = argv

    def leader_alive(self):
        """True while the service's first process runs (a zombie does
        not count)."""
        stat = _stat(self.pid)
        return stat is not None and stat[0] != 'Z' and stat[2] == self.start

    def members(self, by_session=None):
        """Pids of the live processes of the service's session
        (``by_session``: a ``sessions()`` already read)."""
        if by_session is None:
            by_session = sessions()
        return [pid for pid, start in by_session.get(self.pid, ())
                if start >= self.start]

    def to_json(self):
        return json.dumps({'name': self.name, 'pid': self.pid,
                           'start': self.start, 'argv': self.argv})


def start(name, argv, log_path, pidfile, env=None, cwd=None):
    """Start ``argv`` in a new session, output to ``log_path``; its
    Record, also written to ``pidfile``."""
    argv = [str(part) for part in argv]
    with open(log_path, 'ab') as log:
        popen = subprocess.Popen(
            argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True, close_fds=True)
    stat = _stat(popen.pid)
    record = Record(name, popen.pid, stat[2] if stat else 0, argv)
    pidfile.write_text(record.to_json() + '\n')
    LOG.debug('started %s (pid %d): %s', name, popen.pid, ' '.join(argv))
    return record


def read(pidfile):
    """The Record in ``pidfile``, or None when there is none."""
    try:
        data = json.loads(pidfile.read_text())
    except (OSError, ValueError):
        return None
    return Record(data['name'], data['pid'], data['start'], data['argv'])


def _signal_all(pids, signum):
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


def _reap():
    """Collect exited children (when the caller started them itself)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def stop(records, term_timeout=20.0, kill_timeout=10.0):
    """Stop every service of ``records`` at once: SIGTERM to all their
    processes, SIGKILL to those still there after ``term_timeout``
    seconds. Returns {name: 'terminated' | 'killed' | 'not running' |
    'still running'}."""
    outcome = {}
    pending = {}
    by_session = sessions()
    for record in records:
        members = record.members(by_session)
        if members:
            pending[record.name] = record
            _signal_all(members, signal.SIGTERM)
        else:
            outcome[record.name] = 'not running'
    for signum, timeout, word in ((None, term_timeout, 'terminated'),
                                  (signal.SIGKILL, kill_timeout, 'killed')):
        if signum is not None:
            by_session = sessions()
            for record in pending.values():
                LOG.warning('%s did not stop within %.0f s: SIGKILL',
                            record.name, term_timeout)
                _signal_all(record.members(by_session), signum)
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            _reap()
            by_session = sessions()
            for name, record in list(pending.items()):
                if not record.members(by_session):
                    outcome[name] = word
                    del pending[name]
            if pending:
                time.sleep(0.2)
    for name in pending:
        outcome[name] = 'still running'
    return outcome
