"""Restarting one service of a running cloud, alone.

The service's recorded processes (its session, ``run/NAME.pid``) are
stopped as ``down`` stops them (SIGTERM, SIGKILL after a bound); then its
command starts again in a new session, output appended to its log, the
pid file rewritten, so ``status`` and ``down`` find the new process. The
command and environment are the ones ``up`` uses unless the caller gives
others (another configuration file, a wrapper): whoever changes them
restores them by restarting once more with the defaults.

Nothing else of the cloud is touched; services that talk to the
restarted one over RabbitMQ or HTTP carry on (their requests in flight
may fail).

``start_beside`` runs one more process of a service under a name of its
own (its own pid file and log), as a second worker would run: for a
service that consumes a RabbitMQ queue, the queue's messages are then
shared between the two. ``stop`` stops it again (``down`` stops it too,
as it stops every pid file of ``run/``).
"""

import logging
import time

from tools.cloud import errors
from tools.cloud import processes
from tools.cloud import rabbit
from tools.cloud import services

LOG = logging.getLogger(__name__)

TERM_TIMEOUT = 15   # seconds between SIGTERM and SIGKILL
READY_TIMEOUT = 120  # seconds for the new process to be ready


def restart(lay, venv, name, argv=None, extra_env=None, ready=None,
            timeout=READY_TIMEOUT):
    """Stop service ``name`` of the cloud of ``lay`` (a layout.Layout) and
    start it again: with ``argv`` (default: its usual command from the
    venv ``venv``) and its usual environment plus ``extra_env``. Waits
    until ``ready()`` is true (default: its API answers, or its process
    runs when it has no API). Its new processes.Record."""
    service = services.table(lay, venv)[name]
    stop(lay, name)
    return _start(lay, service, name, argv, extra_env,
                  ready or service.answers, timeout)


def start_beside(lay, venv, name, new_name, argv=None, extra_env=None,
                 ready=lambda: True, timeout=READY_TIMEOUT):
    """One more process of service ``name``, recorded as ``new_name``
    (which must not run yet), started as ``restart`` starts it; its
    processes.Record."""
    if stop(lay, new_name) not in ('not recorded', 'not running'):
        LOG.warning('%s was still running: stopped first', new_name)
    service = services.table(lay, venv)[name]
    return _start(lay, service, new_name, argv, extra_env, ready, timeout)


def stop(lay, name, forget=False):
    """Stop the recorded processes of ``name``; 'not recorded',
    'not running', 'terminated' or 'killed'. A CloudError when they
    survive SIGKILL. With ``forget``, its pid file is removed too (for a
    process of ``start_beside``)."""
    record = processes.read(lay.pidfile(name))
    if record is None:
        return 'not recorded'
    outcome = processes.stop([record], TERM_TIMEOUT)[name]
    if outcome == 'still running':
        raise errors.CloudError('%s still runs after SIGKILL' % name)
    LOG.info('%s: %s', name, outcome)
    if forget:
        lay.pidfile(name).unlink()
    return outcome


def _start(lay, service, name, argv, extra_env, ready, timeout):
    env = dict(services.base_environment(), **service.env)
    env.update(extra_env or {})
    record = processes.start(name, argv or service.argv, lay.log(name),
                             lay.pidfile(name), env=env, cwd=lay.root)
    deadline = time.monotonic() + timeout
    while True:
        if not record.leader_alive():
            raise errors.ProcessExited('%s exited after its restart; see %s'
                                       % (name, lay.log(name)))
        if ready():
            return record
        if time.monotonic() > deadline:
            raise errors.CloudError('%s not ready within %d s of its '
                                    'restart; see %s' % (name, timeout,
                                                         lay.log(name)))
        time.sleep(0.3)


def consuming(queue):
    """A ``ready`` check: true once ``queue`` of the cloud's vhost has a
    consumer (nova-scheduler: ``scheduler``)."""
    return lambda: queue in rabbit.consumed_queues()
