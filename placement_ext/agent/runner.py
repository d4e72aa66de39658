"""The agent's loop: claim due events, run them on workers, sleep until the
next one.

Rules:

* An event runs only after the agent wins its claim in the store, so two
  agents never run the same event; claims are renewed every third of
  ``[agent] claim_timeout`` while the event runs.
* Between events the loop sleeps until the next due time, but wakes every
  ``[agent] poll_interval`` for one read of the store's change marker, and
  looks for due events again when it moved (a lease was created, changed or
  deleted) or when a worker finished (the lease's next event may be due).
* An unreachable Placement, Nova, Keystone or database gives the event back
  with a doubling delay (``retry_initial`` to ``retry_max``), forever; any
  other failure is retried the same way ``max_failures`` times, then the
  event and its lease go to ERROR. A failure a dependency raises
  (``errors.FAILURES``) is logged in one line; anything else is a bug,
  logged with its traceback (the other leases go on).
* A store that cannot be read between events is logged and read again at
  the next poll. A bug in the loop itself, or in the bookkeeping after an
  event, ends ``run()`` with that exception (the process supervisor
  restarts the agent, which takes its events back).
* ``stop()`` (SIGTERM) lets the workers finish the step in hand, gives
  unfinished events back, and returns.
"""

import concurrent.futures
import threading
import time

from oslo_log import log as logging

from placement_ext.agent import errors
from placement_ext.agent import steps as agent_steps
from placement_ext import context as bn_context
from placement_ext import exception
from placement_ext.store import events as store_events

LOG = logging.getLogger(__name__)


class Agent:
    """One lease agent: ``run_once()`` or ``run()`` until ``stop()``."""

    def __init__(self, conf, store, steps_factory, healer=None,
                 clock=time.time, sleep=None):
        self.conf = conf
        self.store = store
        self.owner = conf.agent.host
        self.clock = clock
        self.ctx = bn_context.admin_context()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._sleep = sleep or self._interruptible_sleep
        self.steps = steps_factory(clock=clock, sleep=self._sleep,
                                   stopping=self._stop.is_set)
        self.healer = healer
        self._running = {}
        self._lock = threading.Lock()
        self._crashed = None
        self.completed = 0

    # Control ------------------------------------------------------------
    def stop(self):
        """Ask the loop to finish the steps in hand and return."""
        self._stop.set()
        self._wake.set()

    def _interruptible_sleep(self, seconds):
        self._stop.wait(seconds)

    def recover(self):
        """Take back the events this agent held before it restarted."""
        released = self.store.release_claims(self.ctx, self.owner)
        if released:
            LOG.warning('Resuming %d event(s) this agent (%s) held when it '
                        'stopped', released, self.owner)
        return released

    # One pass -----------------------------------------------------------
    def run_once(self):
        """Run every event due now (and any that becomes due while doing
        so), one heal pass, and return the number of events completed."""
        self.recover()
        before = self.completed
        with concurrent.futures.ThreadPoolExecutor(
                self.conf.agent.workers) as pool:
            while not self._stop.is_set():
                # Idle before the look for due events, not after: a worker
                # that finishes during the look may have made the lease's
                # next event due.
                idle = not self._running
                if not self._dispatch(pool):
                    if idle:
                        break
                    self._wake.wait(0.05)
                    self._wake.clear()
        self._raise_crash()
        if self.healer is not None and not self._stop.is_set():
            self._guarded(self.healer.heal, self.ctx)
        return self.completed - before

    def run(self):
        """Run events as they fall due until ``stop()``."""
        self.recover()
        next_renewal = 0
        agent = self.conf.agent
        maintenance = None
        if self.healer is not None:
            # Healing and reconciling talk to Nova and Placement for
            # seconds; they never hold up the events.
            maintenance = threading.Thread(target=self._maintain,
                                           name='heal', daemon=True)
            maintenance.start()
        with concurrent.futures.ThreadPoolExecutor(agent.workers) as pool:
            while not self._stop.is_set():
                now = self.clock()
                if now >= next_renewal:
                    self._renew()
                    next_renewal = now + agent.claim_timeout / 3.0
                # Read before looking for due events: a change made after
                # that look moves the marker and ends the sleep below.
                marker = self._change_marker()
                self._dispatch(pool)
                self._sleep_until_due(marker)
            LOG.info('Stopping: waiting for %d running event(s)',
                     len(self._running))
        if maintenance is not None:
            maintenance.join(30)
        self._raise_crash()
        LOG.info('Agent %s stopped', self.owner)

    def _raise_crash(self):
        if self._crashed is not None:
            raise self._crashed

    def _maintain(self):
        """Heal every ``heal_interval`` and reconcile every
        ``reconcile_interval`` seconds (0: never) until ``stop()``."""
        agent = self.conf.agent
        next_heal = next_reconcile = 0
        while not self._stop.is_set():
            now = self.clock()
            if agent.heal_interval and now >= next_heal:
                self._guarded(self.healer.heal, self.ctx)
                next_heal = now + agent.heal_interval
            if agent.reconcile_interval and now >= next_reconcile:
                self._guarded(self.healer.reconcile, self.ctx)
                next_reconcile = now + agent.reconcile_interval
            self._stop.wait(1.0)

    def _guarded(self, func, *args):
        """Run a periodic task: an outage or refusal is one line, a bug a
        traceback; either way the events go on and the task runs again at
        its next period."""
        try:
            func(*args)
        except errors.FAILURES as exc:
            LOG.warning('%s failed: %s: %s', func.__name__,
                        type(exc).__name__, exc)
        except Exception:
            # Not a dependency's error: a bug in the task. Ending the agent
            # for it would stop every lease's events too.
            LOG.exception('%s failed on an unexpected error', func.__name__)

    def _change_marker(self):
        try:
            return self.store.change_marker(self.ctx)
        except errors.STORE_ERRORS as exc:
            LOG.warning('Cannot read the store: %s', exc)
            return None

    def _sleep_until_due(self, marker):
        """Sleep until the next due event, a change or a finished worker.
        Returns the change marker last seen."""
        poll = self.conf.agent.poll_interval
        due = None
        if len(self._running) < self.conf.agent.workers:
            # (With every worker busy nothing can start before one
            # finishes, which wakes this loop: no need to ask.)
            try:
                due = self.store.next_due_time(self.ctx)
            except errors.STORE_ERRORS as exc:
                LOG.warning('Cannot read the store: %s', exc)
        deadline = self.clock() + poll * 10 if due is None else due
        while not self._stop.is_set():
            wait = min(poll, max(0.0, deadline - self.clock()))
            if self._wake.wait(wait):
                self._wake.clear()
                return marker
            if self.clock() >= deadline:
                return marker
            try:
                current = self.store.change_marker(self.ctx)
            except errors.STORE_ERRORS as exc:
                LOG.warning('Cannot read the store: %s', exc)
                continue
            if marker is not None and current != marker:
                return current
            marker = current
        return marker

    def _renew(self):
        with self._lock:
            held = list(self._running)
        if held:
            try:
                self.store.renew_claims(self.ctx, held, self.owner,
                                        self.conf.agent.claim_timeout)
            except errors.STORE_ERRORS as exc:
                LOG.warning('Cannot renew claims on %s: %s', held, exc)

    def _dispatch(self, pool):
        """Claim and start due events while workers are free; True when
        one was started."""
        free = self.conf.agent.workers - len(self._running)
        if free <= 0:
            return False
        try:
            due = self.store.due_events(self.ctx, limit=free * 4)
        except errors.STORE_ERRORS as exc:
            LOG.warning('Cannot read due events: %s', exc)
            return False
        started = False
        for event in due:
            if free <= 0 or self._stop.is_set():
                break
            if event.id in self._running:
                continue
            try:
                claimed = self.store.claim_event(
                    self.ctx, event.id, self.owner,
                    self.conf.agent.claim_timeout)
            except errors.STORE_ERRORS as exc:
                LOG.warning('Cannot claim event %s: %s', event.id, exc)
                break
            if not claimed:
                continue
            LOG.debug('Claimed event %s (%s of lease %s)', event.id,
                      event.event_type, event.lease_id)
            with self._lock:
                self._running[event.id] = event
            pool.submit(self._work, event).add_done_callback(
                self._worker_done)
            free -= 1
            started = True
        return started

    def _worker_done(self, future):
        """A bug that escaped ``_work`` (its bookkeeping) stops the agent
        and is raised by ``run()``: the pool would otherwise drop it."""
        exc = future.exception()
        if exc is not None:
            LOG.error('A worker crashed; stopping the agent',
                      exc_info=(type(exc), exc, exc.__traceback__))
            self._crashed = exc
            self.stop()

    # One event ------------------------------------------------------------
    def _work(self, event):
        attempt = event.attempts + 1
        try:
            LOG.info('Running %s of lease %s (event %s, attempt %d, due %s)',
                     event.event_type, event.lease_id, event.id, attempt,
                     event.time)
            self._run(event)
            with self._lock:
                self.completed += 1
            LOG.info('Done %s of lease %s (event %s, %.3f s after due)',
                     event.event_type, event.lease_id, event.id,
                     self.clock() - event.time)
        except agent_steps.Deferred as exc:
            self._give_back(event, exc.retry_at, str(exc))
        except errors.OUTAGES + (exception.InventoryInUse,
                                 agent_steps.InstancesRemain) as exc:
            # Outages and instances slow to go: wait, however long.
            self._give_back(event, self._backoff(attempt), str(exc))
        except store_events.ClaimLost as exc:
            LOG.warning('%s of lease %s (event %s): %s', event.event_type,
                        event.lease_id, event.id, exc)
        except errors.FAILURES as exc:
            LOG.error('%s of lease %s (event %s) failed: %s: %s',
                      event.event_type, event.lease_id, event.id,
                      type(exc).__name__, exc)
            self._failed(event, attempt, exc)
        except Exception as exc:
            # A bug, met by this lease's event: its traceback, then the
            # event goes the way of a failure (to ERROR after
            # max_failures), so that the other leases keep their times.
            LOG.exception('%s of lease %s (event %s) failed on an '
                          'unexpected error', event.event_type,
                          event.lease_id, event.id)
            self._failed(event, attempt, exc)
        finally:
            with self._lock:
                self._running.pop(event.id, None)
            self._wake.set()

    def _failed(self, event, attempt, exc):
        error = '%s: %s' % (type(exc).__name__, exc)
        if attempt >= self.conf.agent.max_failures:
            self._park(event, error)
        else:
            self._give_back(event, self._backoff(attempt), error)

    def _run(self, event):
        lease = self.store.lease_work(self.ctx, event.lease_id)
        if lease is None:
            return
        handler = {'start_lease': self.steps.start,
                   'before_end_lease': self.steps.before_end,
                   'end_lease': self.steps.end}[event.event_type]
        handler(self.ctx, event, lease, self.owner)

    def _backoff(self, attempt):
        agent = self.conf.agent
        delay = min(agent.retry_max,
                    agent.retry_initial * 2 ** max(0, attempt - 1))
        return self.clock() + delay

    def _give_back(self, event, retry_at, error):
        LOG.warning('%s of lease %s (event %s) will be retried in %.1f s: '
                    '%s', event.event_type, event.lease_id, event.id,
                    max(0.0, retry_at - self.clock()), error)
        try:
            self.store.defer_event(self.ctx, event.id, self.owner,
                                   retry_at, error)
        except errors.STORE_ERRORS + (store_events.ClaimLost,) as exc:
            # The claim expires and the event is due again anyway.
            LOG.warning('Cannot give event %s back: %s', event.id, exc)

    def _park(self, event, error):
        LOG.error('%s of lease %s (event %s) failed %d times; it and its '
                  'lease are now in ERROR: %s', event.event_type,
                  event.lease_id, event.id, self.conf.agent.max_failures,
                  error)
        try:
            self.store.fail_lease(self.ctx, event.lease_id, event.id,
                                  self.owner, error)
        except errors.STORE_ERRORS + (store_events.ClaimLost,) as exc:
            # The claim expires: it is run, and fails, once more.
            LOG.warning('Cannot park event %s: %s', event.id, exc)
