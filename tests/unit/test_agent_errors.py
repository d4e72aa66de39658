"""The agent's runner tells outages from bugs (placement_ext.agent.errors).

A store and steps of our own stand for the real ones, so each test decides
what raises: an outage is a one-line warning and a retry; a bug is a
traceback, and never a one-line warning.
"""

import logging
import types

from oslo_config import cfg
from oslo_db import exception as db_exc
import pytest

from placement_ext.conf import agent as options
from placement_ext.agent import runner
from placement_ext import exception

LOGGER = runner.__name__


class Store:
    """Just enough of the store for the runner; ``fail`` maps a method
    name to the exception it raises."""

    def __init__(self, events=(), **fail):
        self.events = list(events)
        self.fail = fail
        self.deferred = []
        self.parked = []

    def _check(self, name):
        if name in self.fail:
            raise self.fail[name]

    def release_claims(self, ctx, owner):
        return 0

    def change_marker(self, ctx):
        self._check('change_marker')
        return 1

    def next_due_time(self, ctx):
        self._check('next_due_time')
        return None

    def renew_claims(self, ctx, held, owner, timeout):
        self._check('renew_claims')

    def due_events(self, ctx, limit):
        self._check('due_events')
        due, self.events = self.events, []
        return due

    def claim_event(self, ctx, event_id, owner, timeout):
        self._check('claim_event')
        return True

    def lease_work(self, ctx, lease_id):
        return {'id': lease_id}

    def defer_event(self, ctx, event_id, owner, retry_at, error):
        self._check('defer_event')
        self.deferred.append((event_id, error))

    def fail_lease(self, ctx, lease_id, event_id, owner, error):
        self._check('fail_lease')
        self.parked.append((event_id, error))


class Steps:
    def __init__(self, error):
        self.error = error

    def start(self, ctx, event, lease, owner):
        raise self.error

    before_end = end = start


class Healer:
    def __init__(self, error):
        self.error = error

    def heal(self, ctx):
        raise self.error


def event(attempts=0):
    return types.SimpleNamespace(id='e1', event_type='start_lease',
                                 lease_id='l1', attempts=attempts, time=0)


def make_agent(store, step_error=None, healer=None, max_failures=5):
    conf = cfg.ConfigOpts()
    options.register_opts(conf)
    conf([], default_config_files=[])
    conf.set_override('host', 'agent-t', group='agent')
    conf.set_override('max_failures', max_failures, group='agent')
    return runner.Agent(conf, store, lambda **kw: Steps(step_error),
                        healer=healer)


def records(caplog, level):
    return [r for r in caplog.records
            if r.name == LOGGER and r.levelno == level]


def test_an_outage_in_a_step_is_a_warning_and_a_retry(caplog):
    store = Store([event()])
    agent = make_agent(store, exception.PlacementUnavailable('down'))
    agent.run_once()
    assert store.deferred == [('e1', 'down')]
    assert not records(caplog, logging.ERROR)


def test_a_store_outage_in_a_step_is_retried_without_counting(caplog):
    store = Store([event(attempts=9)])
    agent = make_agent(store, db_exc.DBConnectionError('db gone'))
    agent.run_once()
    assert store.deferred == [('e1', 'db gone')] and store.parked == []


def test_a_refusal_is_one_error_line_and_counts(caplog):
    store = Store([event(attempts=4)])
    refused = exception.ServiceRefused('Nova', 'POST', '/x', 403, 'no')
    agent = make_agent(store, refused)
    agent.run_once()
    failed, parked = records(caplog, logging.ERROR)
    assert failed.exc_info is None
    assert 'failed: ServiceRefused: ' in failed.getMessage()
    assert 'now in ERROR' in parked.getMessage()
    assert store.parked == [('e1', 'ServiceRefused: %s' % refused)]


def test_a_bug_in_a_step_is_a_traceback_then_a_failure(caplog):
    store = Store([event()])
    agent = make_agent(store, TypeError('a bug'))
    agent.run_once()
    (line,) = records(caplog, logging.ERROR)
    assert line.exc_info and line.exc_info[0] is TypeError
    assert 'unexpected error' in line.getMessage()
    assert store.deferred == [('e1', 'TypeError: a bug')]


def test_a_bug_after_the_step_ends_the_run_instead_of_vanishing():
    # The bookkeeping after a failed step meets a bug: the pool would drop
    # it, so the runner raises it.
    store = Store([event()], defer_event=KeyError('bookkeeping'))
    agent = make_agent(store, exception.PlacementUnavailable('down'))
    with pytest.raises(KeyError, match='bookkeeping'):
        agent.run_once()


def test_an_unreachable_store_when_giving_back_is_a_warning(caplog):
    store = Store([event()], defer_event=db_exc.DBConnectionError('gone'))
    agent = make_agent(store, exception.PlacementUnavailable('down'))
    agent.run_once()
    assert any('Cannot give event e1 back' in r.getMessage()
               for r in records(caplog, logging.WARNING))


@pytest.mark.parametrize('method', ['due_events', 'claim_event'])
def test_an_unreachable_store_between_events_is_a_warning(method, caplog):
    store = Store([event()], **{method: db_exc.DBError('locked')})
    agent = make_agent(store)
    assert agent.run_once() == 0
    assert [r for r in records(caplog, logging.WARNING)
            if 'locked' in r.getMessage()]


@pytest.mark.parametrize('method', ['due_events', 'claim_event',
                                    'change_marker'])
def test_a_bug_reading_the_store_ends_the_loop(method):
    store = Store([event()], **{method: AttributeError('no such column')})
    agent = make_agent(store)
    agent._sleep_until_due = lambda marker: agent.stop()   # one pass
    with pytest.raises(AttributeError, match='no such column'):
        agent.run()


def test_a_store_outage_while_polling_keeps_the_loop(caplog):
    store = Store(change_marker=db_exc.DBConnectionError('gone'))
    agent = make_agent(store)
    agent._sleep_until_due = lambda marker: agent.stop()
    agent.run()
    assert any('Cannot read the store' in r.getMessage()
               for r in records(caplog, logging.WARNING))


def test_a_healing_outage_is_one_line_and_a_bug_a_traceback(caplog):
    agent = make_agent(Store(), healer=Healer(
        exception.ServiceUnavailable('Nova is unreachable')))
    agent.run_once()
    (line,) = records(caplog, logging.WARNING)
    assert 'heal failed' in line.getMessage() and line.exc_info is None
    caplog.clear()

    agent = make_agent(Store(), healer=Healer(TypeError('a bug')))
    agent.run_once()
    assert not records(caplog, logging.WARNING)
    (line,) = records(caplog, logging.ERROR)
    assert line.exc_info[0] is TypeError
