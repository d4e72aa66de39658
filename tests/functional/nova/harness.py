"""Nova's functional harness made safe to stop, in memory and per test.

Under native threads Nova's fixtures can deadlock, and a service stop can
wait for ever; ``base.BlazarFilterTestCase`` installs what is here (Nova is
never patched on disk). The module docstring of ``base`` tells the two
causes seen on these machines.
"""

import collections
import contextlib
import logging
import os
import sys
import threading
import traceback

import fixtures
from nova import service as nova_service
from nova import thread_pool_factory

LOG = logging.getLogger(__name__)

# Seconds an RPC call may wait for its answer. Nova's long_rpc_timeout
# (1800 s, for select_destinations among others) is cut so that a call left
# unanswered by a service stopped first (the fake transport never answers
# it) ends well within STOP_TIMEOUT and its handler can finish.
RPC_TIMEOUT = 60
# Seconds a service stop may wait for its RPC handlers (and the test's
# cleanup for Nova's thread pools) before the test fails with every
# thread's stack instead of waiting for ever.
STOP_TIMEOUT = 90


class ReaderPreferringLock:
    """A reader/writer lock for ``CellDatabases``, in place of its
    writer-preferring one: a reader waits only while a writer holds the
    lock, never for a writer that is only waiting. Writers hold it just to
    set which cell database is current (nothing that blocks), so no reader
    can be stuck behind one; the deadlock described at the top of this
    module needs a reader queued behind a waiting writer. Same interface
    and rules as ``fasteners.ReaderWriterLock`` as the fixture uses it:
    re-entrant read and write locks per thread, a writer may read, a reader
    may not become a writer."""

    def __init__(self):
        self._cond = threading.Condition()
        self._readers = collections.Counter()
        self._writer = None
        self._writer_depth = 0

    @contextlib.contextmanager
    def read_lock(self):
        me = threading.get_ident()
        with self._cond:
            while self._writer not in (None, me):
                self._cond.wait()
            self._readers[me] += 1
        try:
            yield self
        finally:
            with self._cond:
                self._readers[me] -= 1
                if not self._readers[me]:
                    del self._readers[me]
                self._cond.notify_all()

    @contextlib.contextmanager
    def write_lock(self):
        me = threading.get_ident()
        with self._cond:
            if self._writer == me:
                self._writer_depth += 1
            else:
                if me in self._readers:
                    raise RuntimeError('Reader %s to writer privilege '
                                       'escalation not allowed' % me)
                while self._writer is not None or self._readers:
                    self._cond.wait()
                self._writer, self._writer_depth = me, 1
        try:
            yield self
        finally:
            with self._cond:
                self._writer_depth -= 1
                if not self._writer_depth:
                    self._writer = None
                self._cond.notify_all()


class ServiceStopTimeout(AssertionError):
    """A Nova service (or Nova's thread pools) did not stop in time."""


# Frames (among the three innermost) of threads that merely wait for work.
_IDLE_FRAMES = {('_thread.py', '_wait_for_work'), ('impl_fake.py', 'poll')}


def thread_stacks():
    """Every thread's stack, for a failure message; threads idle in a
    pool or an RPC listener are only counted."""
    names = {t.ident: t.name for t in threading.enumerate()}
    shown, idle = [], 0
    for ident, frame in sys._current_frames().items():
        stack = traceback.extract_stack(frame)
        if {(os.path.basename(f.filename), f.name)
                for f in stack[-3:]} & _IDLE_FRAMES:
            idle += 1
            continue
        shown.append('Thread %s (%s):\n%s' % (
            names.get(ident, '?'), ident,
            ''.join(traceback.format_list(stack))))
    shown.append('(%d idle pool or listener threads not shown)' % idle)
    return '\n'.join(shown)


def _bounded(function, timeout, what):
    """Run ``function`` in a daemon thread and wait at most ``timeout``
    seconds; return a failure message (with every thread's stack) if it
    is still running then, else None. Its exceptions are logged, as the
    Nova code wrapped here does with its own."""
    def run():
        try:
            function()
        except Exception:
            LOG.exception('%s failed', what)

    waiter = threading.Thread(target=run, name='bounded: ' + what,
                              daemon=True)
    waiter.start()
    waiter.join(timeout)
    if not waiter.is_alive():
        return None
    message = ('%s still waiting after %s s (left running in a daemon '
               'thread); threads:\n%s' % (what, timeout, thread_stacks()))
    LOG.error('%s', message)
    return message


class BoundedServiceStop(fixtures.Fixture):
    """Stop Nova services (and reset Nova's thread pools at cleanup)
    with a bounded wait.

    ``Service.stop`` waits for its RPC servers with
    ``MessageHandlingServer.wait()``, which ends in futurist's
    ``ThreadPoolExecutor.shutdown(wait=True)`` -> ``Queue.join()`` with no
    timeout (oslo.messaging's ``wait(timeout=...)`` only bounds waiting for
    ``stop()``, not the handlers); ``IsolatedExecutorFixture``'s cleanup
    does the same on Nova's own pools. A handler that never returns thus
    hangs the cleanup. Here ``Service._wait_rpc_server`` (which Nova calls
    for each RPC server in ``stop``) and ``thread_pool_factory.
    reset_all_executors`` wait at most ``timeout`` seconds; ``stop`` then
    finishes its other steps (the alternate RPC server, the service's
    timers) and raises ``ServiceStopTimeout`` with every thread's stack,
    so the test fails in seconds, naming the stuck handler. Set up before
    Nova's fixtures, so that their cleanups run with it in place."""

    def __init__(self, timeout=None):
        super().__init__()
        self.timeout = STOP_TIMEOUT if timeout is None else timeout

    def _setUp(self):
        for name in ('_wait_rpc_server', 'stop'):
            if not callable(getattr(nova_service.Service, name, None)):
                raise AssertionError('nova.service.Service.%s is gone: '
                                     'update BoundedServiceStop' % name)
        wait_rpc_server = nova_service.Service._wait_rpc_server
        stop = nova_service.Service.stop
        reset_all = thread_pool_factory.reset_all_executors
        timeout = self.timeout

        def bounded_wait_rpc_server(service, rpc_server, topic):
            failure = _bounded(
                lambda: wait_rpc_server(service, rpc_server, topic),
                timeout, 'stopping %s on %s: RPC server %s'
                % (service.binary, service.host, topic))
            if failure:
                service.__dict__.setdefault('_stop_failures', []).append(
                    failure)

        def bounded_stop(service, *args, **kwargs):
            service.__dict__.pop('_stop_failures', None)
            stop(service, *args, **kwargs)
            failures = service.__dict__.pop('_stop_failures', None)
            if failures:
                raise ServiceStopTimeout('\n\n'.join(failures))

        def bounded_reset_all():
            failure = _bounded(reset_all, timeout,
                               "resetting Nova's thread pools")
            if failure:
                raise ServiceStopTimeout(failure)

        self.useFixture(fixtures.MonkeyPatch(
            'nova.service.Service._wait_rpc_server', bounded_wait_rpc_server))
        self.useFixture(fixtures.MonkeyPatch(
            'nova.service.Service.stop', bounded_stop))
        self.useFixture(fixtures.MonkeyPatch(
            'nova.thread_pool_factory.reset_all_executors',
            bounded_reset_all))
