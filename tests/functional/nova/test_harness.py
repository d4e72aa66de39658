"""The two changes ``base`` makes to Nova's test harness (issue 15).

``ReaderPreferringLock`` lets a reader through while a writer only waits,
which breaks the lock cycle that deadlocked Nova's fixtures; and
``BoundedServiceStop`` makes a service stop whose RPC handler never returns
fail in seconds, with the handler's stack, instead of hanging the test's
cleanup in ``Queue.join``.
"""

import threading
import time

import fixtures

from tests.functional.nova import base
from tests.functional.nova import harness

WAIT = 30


def _start(target):
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_reader_holding_a_resource_is_not_queued_behind_a_waiting_writer():
    # The cycle of the deadlock: a reader (the conductor inside
    # target_cell) waits for a resource (a database's write lock) held by
    # a thread that then asks for a read lock while a writer waits for the
    # first reader. With a writer-preferring lock, as Nova's fixture has,
    # nobody moves; here everything finishes.
    lock = harness.ReaderPreferringLock()
    resource = threading.Lock()
    reading = threading.Event()
    holding = threading.Event()
    done = []

    def reader_then_resource():
        with lock.read_lock():
            reading.set()
            holding.wait(WAIT)
            with resource:
                done.append('reader')

    def writer():
        with lock.write_lock():
            done.append('writer')

    def resource_then_reader():
        with resource:
            holding.set()
            # Let the writer queue up first.
            time.sleep(0.2)
            with lock.read_lock():
                done.append('resource holder')

    first = _start(reader_then_resource)
    assert reading.wait(WAIT)
    waiting_writer = _start(writer)
    second = _start(resource_then_reader)
    for thread in (first, waiting_writer, second):
        thread.join(WAIT)
        assert not thread.is_alive(), done
    assert sorted(done) == ['reader', 'resource holder', 'writer']


def test_lock_is_reentrant_and_refuses_upgrades():
    lock = harness.ReaderPreferringLock()
    with lock.write_lock():
        with lock.write_lock():
            with lock.read_lock():
                pass
    with lock.read_lock():
        with lock.read_lock():
            try:
                with lock.write_lock():
                    raise AssertionError('a reader became a writer')
            except RuntimeError as exc:
                assert 'escalation' in str(exc)
    # Released entirely: another thread can write.
    writer = _start(lambda: lock.write_lock().__enter__())
    writer.join(WAIT)
    assert not writer.is_alive()


class BoundedServiceStopTest(base.BlazarFilterTestCase):

    def setUp(self):
        self.useFixture(fixtures.MonkeyPatch(
            'tests.functional.nova.harness.STOP_TIMEOUT', 3))
        super().setUp()

    def test_stuck_rpc_handler_fails_the_stop_within_the_bound(self):
        entered = threading.Event()
        release = threading.Event()
        self.addCleanup(release.set)

        def stuck_handler(compute_manager, *args, **kwargs):
            # The RPC handler never returns while the test runs (the
            # server is left in BUILD).
            entered.set()
            release.wait(WAIT)

        self.useFixture(fixtures.MonkeyPatch(
            'nova.compute.manager.ComputeManager.build_and_run_instance',
            stuck_handler))
        self._start_hosts(ordinary=('h1',))
        self._boot()
        self.assertTrue(entered.wait(WAIT))

        began = time.monotonic()
        exc = self.assertRaises(harness.ServiceStopTimeout,
                                self.computes['h1'].stop)
        self.assertLess(time.monotonic() - began, WAIT)
        self.assertIn('stopping nova-compute on h1: RPC server compute ',
                      str(exc))
        self.assertIn('in stuck_handler', str(exc))
        release.set()
