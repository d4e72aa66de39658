"""Lease events as the lease agent sees them: due, claimed, done.

An event is due when its time has come (and its backoff after a failed try
has passed) and no earlier event of its lease is still to run (UNDONE or
IN_PROGRESS): a lease's events run one at a time, in order, and one parked
in ERROR does not hold up the rest (the end of a lease whose start or
before-end step failed still runs, and cleans up).

Agents take a due event with one ``UPDATE ... WHERE`` that only succeeds
while the event is still due (``claim``); the winner holds it IN_PROGRESS
until ``claim_expires``, which it renews while it works. A claim that was
not renewed in time belongs to a dead agent and the event is due again; an
agent that restarts releases its own claims at once (``release_owned``).

Every change is made only by the claim's owner (``WHERE owner = ...``), so an
agent that lost its claim cannot finish, defer or fail the event.
"""

import datetime
import math
import typing

from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import aliased

from placement_ext.db import models
from placement_ext import exception
from placement_ext import states
from placement_ext import timeconv

_E = states.EventStatus


class DueEvent(typing.NamedTuple):
    id: int
    lease_id: str
    event_type: str
    time: int
    attempts: int


_Event = models.Event


class ClaimLost(exception.Conflict):
    """The agent no longer holds the event (its claim expired and another
    agent took it)."""


# One alias for every query: SQLAlchemy memoizes the adaptation of columns
# to an alias, so a new alias per query would redo it each time.
_EARLIER = aliased(_Event, name='earlier')


def _blocked():
    """Whether an earlier event of the same lease is still to run (UNDONE
    or IN_PROGRESS). One parked in ERROR blocks nothing: a lease whose
    before-end step failed still ends on time."""
    earlier = _EARLIER
    return exists().where(
        earlier.lease_id == _Event.lease_id,
        earlier.status.in_([_E.UNDONE, _E.IN_PROGRESS]),
        or_(earlier.time < _Event.time,
            and_(earlier.time == _Event.time, earlier.id < _Event.id)))


def _due(now_dt):
    ready = and_(_Event.status == _E.UNDONE, _Event.time <= now_dt,
                 or_(_Event.retry_at.is_(None), _Event.retry_at <= now_dt))
    abandoned = and_(_Event.status == _E.IN_PROGRESS,
                     _Event.claim_expires < now_dt)
    return and_(or_(ready, abandoned), ~_blocked())


def due_events(session, now, limit):
    """Up to ``limit`` due events, oldest first, as ``DueEvent`` tuples
    (time in epoch seconds; attempts before this one)."""
    query = (select(_Event.id, _Event.lease_id, _Event.event_type,
                    _Event.time, _Event.attempts)
             .where(_due(timeconv.to_datetime(now)))
             .order_by(_Event.time, _Event.id).limit(limit))
    return [DueEvent(eid, lease_id, etype, timeconv.to_epoch(time), tries)
            for eid, lease_id, etype, time, tries in session.execute(query)]


def next_due_time(session):
    """Epoch seconds at which the next event becomes due, or None.

    Only the first unfinished event of each lease counts; one in ERROR
    waits for an operator and counts not at all.
    """
    head = ~_blocked()
    waiting = select(func.min(func.coalesce(_Event.retry_at, _Event.time))
                     ).where(_Event.status == _E.UNDONE, head)
    # retry_at is never earlier than time, so the coalesce is the due time.
    expiring = select(func.min(_Event.claim_expires)).where(
        _Event.status == _E.IN_PROGRESS, head)
    times = [timeconv.to_epoch(session.scalar(waiting))]
    expires = timeconv.to_epoch(session.scalar(expiring))
    if expires is not None:
        # Abandoned once claim_expires < now, both whole seconds: a second
        # later (waking at claim_expires, an agent would poll for a second).
        times.append(expires + 1)
    times = [t for t in times if t is not None]
    return min(times) if times else None


def claim(session, event_id, owner, now, ttl, now_ms):
    """Take a due event for ``owner`` until ``now + ttl``; True if won."""
    now_dt = timeconv.to_datetime(now)
    result = session.execute(
        update(_Event)
        .where(_Event.id == event_id, _due(now_dt))
        .values(status=_E.IN_PROGRESS, owner=owner,
                claim_expires=now_dt + datetime.timedelta(seconds=ttl),
                attempts=_Event.attempts + 1, claimed_ms=now_ms)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _owned(event_ids, owner):
    return and_(_Event.id.in_(event_ids), _Event.owner == owner,
                _Event.status == _E.IN_PROGRESS)


def renew(session, event_ids, owner, until):
    """Extend ``owner``'s claims on ``event_ids``; the number renewed."""
    if not event_ids:
        return 0
    result = session.execute(
        update(_Event).where(_owned(event_ids, owner))
        .values(claim_expires=timeconv.to_datetime(until))
        .execution_options(synchronize_session=False))
    return result.rowcount


def _change_owned(session, event_id, holder, **values):
    result = session.execute(
        update(_Event).where(_owned([event_id], holder)).values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ClaimLost(
            'Event %s is no longer held by %s.' % (event_id, holder))


def finish(session, event_id, owner, done_ms):
    """Mark ``owner``'s event DONE; ``Conflict`` if the claim was lost."""
    _change_owned(session, event_id, owner, status=_E.DONE,
                  claim_expires=None, retry_at=None, done_ms=done_ms)


def defer(session, event_id, owner, retry_at, error):
    """Give the event back, due again at ``retry_at`` (epoch seconds,
    rounded up: due times are whole seconds, and rounding down would make
    a short backoff none)."""
    _change_owned(session, event_id, owner, status=_E.UNDONE, owner=None,
                  claim_expires=None, last_error=error,
                  retry_at=timeconv.to_datetime(math.ceil(retry_at)))


def fail(session, event_id, owner, error):
    """Park the event in ERROR until an operator retries it."""
    _change_owned(session, event_id, owner, status=_E.ERROR,
                  claim_expires=None, last_error=error)


def release_owned(session, owner):
    """Make every event ``owner`` holds due again (the agent restarted);
    return how many."""
    result = session.execute(
        update(_Event)
        .where(_Event.owner == owner, _Event.status == _E.IN_PROGRESS)
        .values(status=_E.UNDONE, owner=None, claim_expires=None)
        .execution_options(synchronize_session=False))
    return result.rowcount


def retry(session, event_id):
    """Make an event in ERROR due now again (an operator's nudge)."""
    event = session.get(_Event, event_id)
    if event is None:
        raise exception.NotFound('Event %s not found.' % event_id)
    states.check_transition('event', event_id, event.status, _E.UNDONE)
    event.status = _E.UNDONE
    event.retry_at = None
    event.owner = None
    event.claim_expires = None
    session.flush()
    return event_view(event)


def event_view(event):
    return {
        'id': event.id,
        'lease_id': event.lease_id,
        'event_type': event.event_type,
        'time': timeconv.to_text(event.time),
        'status': event.status,
        'owner': event.owner,
        'attempts': event.attempts,
        'retry_at': timeconv.to_text(event.retry_at),
        'last_error': event.last_error,
        'claimed_ms': event.claimed_ms,
        'done_ms': event.done_ms,
    }


def lease_events(session, lease_id):
    """Every event of a lease, in the order they run."""
    query = (select(_Event).where(_Event.lease_id == lease_id)
             .order_by(_Event.time, _Event.id))
    return [event_view(e) for e in session.scalars(query)]


def get_event(session, event_id):
    event = session.get(_Event, event_id)
    if event is None:
        raise exception.NotFound('Event %s not found.' % event_id)
    return event_view(event)


def change_marker(session):
    """A number that moves whenever a lease or host is created, changed or
    deleted (the allocator lock's counter)."""
    return session.scalar(select(models.Lock.counter).where(
        models.Lock.name == 'allocator'))
