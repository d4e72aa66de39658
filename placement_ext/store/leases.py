"""Leases: create, update and delete them, allocating atomically.

Every operation here runs inside one writer transaction that starts by
taking the allocator lock (see ``locking``). A refusal raises before commit,
so a failed create or update writes nothing and changes nothing.

Update rule: each reservation keeps every host (or slot) it holds that is
still free in the new window; a lease that has started may not lose or move
any. What is missing is taken by the placement policy like on creation.
"""

import uuid as uuidlib

from sqlalchemy import select

from placement_ext.allocator import policies
from placement_ext import blazar_words
from placement_ext.db import models
from placement_ext import exception
from placement_ext import limits
from placement_ext import property_filter
from placement_ext import reservations
from placement_ext import states
from placement_ext.store import length_bound
from placement_ext.store import locking
from placement_ext.store import snapshot
from placement_ext import timeconv
from placement_ext.store import validation

LEASE_ID_LENGTH = models.Lease.id.type.length
EVENT_TYPES = ('start_lease', 'before_end_lease', 'end_lease')
UPDATABLE = (states.LeaseStatus.PENDING, states.LeaseStatus.ACTIVE)
REMOVABLE_AT_ONCE = (states.LeaseStatus.PENDING,
                     states.LeaseStatus.TERMINATED)


def filter_for(request, known, prefix=''):
    """The combined property filter of one reservation request (its type
    says which filters it has); errors name fields as
    ``<prefix>resource_properties`` and so on."""
    kind = reservations.kind(request.resource_type)
    return property_filter.combine(*[
        property_filter.parse(expression, prefix + field, known)
        for field, expression in kind.property_filters(request)])


def decide(conf, request, start, end, hosts, bookings, host_filter,
           keep=None, keep_all=False, rng=None, gaps=None):
    """The request type's allocation ``Decision`` for ``[start, end)``."""
    return reservations.kind(request.resource_type).decide(
        request, start, end, hosts, bookings,
        policy=conf.allocator.placement_policy,
        margin=conf.allocator.cleaning_margin, host_filter=host_filter,
        keep=keep or {}, keep_all=keep_all, rng=rng, gaps=gaps)


def _decide_one_of(count, index, request, reservation_id, decide_it):
    """``decide_it()``; when the lease has several reservations, a refusal
    says which one could not be satisfied."""
    try:
        return decide_it()
    except exception.NotEnoughResources as exc:
        if count == 1:
            raise
        which = 'Reservation %d of %d (reservations[%d], %s%s)' % (
            index + 1, count, index, request.resource_type,
            ', id %s' % reservation_id if reservation_id else '')
        raise exception.NotEnoughResources(
            '%s: %s' % (which, exc.detail)) from None


def _book(bookings, request, decision, reservation_id, start, end):
    """Add a decision's bookings so later reservations of the lease see it."""
    kind = reservations.kind(request.resource_type)
    for host_id, slots in decision.slots_by_host.items():
        bookings.setdefault(host_id, []).append(kind.booking(
            request, host_id, reservation_id, start, end, slots))


def sync_allocations(session, row, decision, start, end, added_from=None):
    """Make the row's allocations match ``decision`` for the window, and
    keep the allocation length bound above the window's length.

    ``added_from`` is for a reservation that has started: its hosts keep
    the start they have, and a host added now is held from
    ``added_from`` (now), not from the lease's start, which is past.
    """
    length_bound.raise_to(session, end - start)
    wanted = dict(decision.slots_by_host)
    for allocation in list(row.allocations):
        if allocation.host_id in wanted:
            allocation.slots = wanted.pop(allocation.host_id)
            if added_from is None:
                allocation.start_epoch = start
            allocation.end_epoch = end
        else:
            row.allocations.remove(allocation)
    for host_id, slots in sorted(wanted.items()):
        row.allocations.append(models.Allocation(
            host_id=host_id, slots=slots,
            start_epoch=start if added_from is None else added_from,
            end_epoch=end))


def _event_times(start, before_end, end):
    return dict(zip(EVENT_TYPES, (start, before_end, end)))


def _check_name_free(session, project_id, name, lease_id=None):
    query = (select(models.Lease.id)
             .where(models.Lease.project_id == project_id)
             .where(models.Lease.name == name))
    for other in session.scalars(query):
        if other != lease_id:
            raise exception.Conflict(blazar_words.lease_name_exists(name))


def load_for_window(session, conf, start, end, ignore=(), load_hosts=None,
                    whole_hosts_only=False):
    """Hosts, the bookings that meet the window and the free gaps around
    it on each host (for ranking).

    With ``whole_hosts_only`` (every reservation to decide is a
    ``physical:host`` one) the bookings are each busy host's span, which is
    all such decisions read, and far cheaper to load than every booking.
    """
    margin = conf.allocator.cleaning_margin
    hosts = (load_hosts or snapshot.load_hosts)(session)
    load = (snapshot.load_busy_spans if whole_hosts_only
            else snapshot.load_bookings)
    bookings = load(session, start, end + margin, margin, ignore)
    gaps = snapshot.load_gaps(session, start, end, margin,
                              policies.PACK_HORIZON, ignore)
    return hosts, bookings, gaps


def _whole_hosts_only(requests):
    return all(reservations.kind(r.resource_type).whole_host
               for r in requests)


def parse_new_lease(conf, context, body, now):
    """The ``LeaseRequest`` of a lease-create ``body`` by ``context``."""
    validation.check_caller(context.project_id, context.user_id)
    return validation.parse_lease(body, conf, now)


def create_lease(session, conf, context, body, now, rng=None,
                 load_hosts=None, check=None, request=None):
    """Validate ``body``, allocate every reservation and write the lease.

    ``load_hosts`` (default ``snapshot.load_hosts``) may be a cache's loader.
    ``check`` (``placement_ext.enforcement``) sees the written lease inside
    the allocator lock (``check.after``) and may refuse it. ``request``,
    when given, is ``body`` already parsed (``parse_new_lease``) and
    resolved by its types.
    """
    if request is None:
        request = parse_new_lease(conf, context, body, now)
    locking.lock_allocations(session)
    _check_name_free(session, context.project_id, request.name)
    hosts, bookings, gaps = load_for_window(
        session, conf, request.start, request.end, load_hosts=load_hosts,
        whole_hosts_only=_whole_hosts_only(request.reservations))
    known = snapshot.known_properties(hosts)
    lease = models.Lease(
        id=str(uuidlib.uuid4()), name=request.name,
        project_id=context.project_id, user_id=context.user_id,
        start_date=timeconv.to_datetime(request.start),
        end_date=timeconv.to_datetime(request.end),
        before_end_date=timeconv.to_datetime(request.before_end),
        status=states.LeaseStatus.PENDING, end_action=request.end_action,
        keep_grace=request.keep_grace)
    count = len(request.reservations)
    for index, res_request in enumerate(request.reservations):
        host_filter = filter_for(res_request, known,
                                 'reservations[%d].' % index)
        decision = _decide_one_of(
            count, index, res_request, None,
            lambda: decide(conf, res_request, request.start, request.end,
                           hosts, bookings, host_filter, rng=rng,
                           gaps=gaps))
        row = models.Reservation(
            id=str(uuidlib.uuid4()), resource_type=res_request.resource_type,
            status=states.ReservationStatus.PENDING)
        reservations.kind(res_request.resource_type).to_row(row,
                                                            res_request)
        sync_allocations(session, row, decision, request.start,
                         request.end)
        lease.reservations.append(row)
        _book(bookings, res_request, decision, row.id, request.start,
              request.end)
    for event_type, time in _event_times(
            request.start, request.before_end, request.end).items():
        lease.events.append(models.Event(
            event_type=event_type, time=timeconv.to_datetime(time),
            status=states.EventStatus.UNDONE))
    session.add(lease)
    session.flush()
    if check is not None:
        check.after(session, lease)
    return lease


def get_lease(session, context, lease_id):
    """A lease the context may see, or NotFound (other projects' leases are
    reported as not found, not as forbidden)."""
    lease = None
    if (isinstance(lease_id, str) and len(lease_id) <= LEASE_ID_LENGTH
            and not limits.text_problem(lease_id)):
        lease = session.get(models.Lease, lease_id)
    if lease is None or not (context.is_admin
                             or lease.project_id == context.project_id):
        raise exception.NotFound('Lease %s not found.' % lease_id)
    return lease


def row_as_body(row):
    """A reservations row in the creation-body form, for re-validation."""
    return reservations.kind(row.resource_type).row_as_body(row)


def request_of_row(conf, row, index=0, change=None):
    """The request a stored reservation makes, with ``change`` (a lease
    update's fields for it, parsed; ``id`` aside) applied: its body
    validated again, then completed by its type from the row."""
    kind = reservations.kind(row.resource_type)
    body = kind.row_as_body(row)
    body.update({k: v for k, v in (change or {}).items() if k != 'id'})
    return kind.from_row(validation.parse_reservation(body, index, conf),
                         row)


def lease_types(session, lease_id):
    """The ``resource_type`` of every reservation of a lease (none when
    there is no such lease)."""
    return set(session.scalars(
        select(models.Reservation.resource_type)
        .where(models.Reservation.lease_id == lease_id)))


def _merged_requests(conf, lease, changes, started):
    by_id = {}
    for change in changes.get('reservations') or []:
        by_id[change['id']] = change
    current = {row.id: row for row in lease.reservations}
    unknown = sorted(set(by_id) - set(current))
    if unknown:
        raise exception.InvalidInput(
            'reservations', 'lease %s has no reservation %s'
            % (lease.id, ', '.join(unknown)),
            message=blazar_words.invalid_reservation_ids(unknown))
    requests = []
    for index, row in enumerate(lease.reservations):
        change = by_id.get(row.id, {})
        kind = reservations.kind(row.resource_type)
        restated = change.get('resource_type', row.resource_type)
        if reservations.registry().get(
                restated if isinstance(restated, str) else None) \
                is not kind:
            raise exception.Conflict(
                blazar_words.cannot_update('resource_type'))
        if started and row.id in by_id:
            kind.check_started_change(
                row, {k: v for k, v in change.items()
                      if k not in ('id', 'resource_type')})
        kind.check_update(row, change, 'reservations[%d].' % index)
        requests.append((row, request_of_row(conf, row, index, change)))
    return requests


def update_lease(session, conf, context, lease_id, body, now, rng=None,
                 load_hosts=None, check=None):
    """Apply a Blazar-style update; re-allocate atomically or refuse.

    ``check`` (``placement_ext.enforcement``) sees the lease inside the
    allocator lock before (``check.before``) and after the change
    (``check.after``) and may refuse it."""
    locking.lock_allocations(session)
    lease = get_lease(session, context, lease_id)
    if lease.status == states.LeaseStatus.TERMINATED:
        return _rename_ended(session, lease, body, conf, now)
    if check is not None:
        check.before(session, lease)
    if lease.status not in UPDATABLE:
        raise exception.Conflict(
            'Lease %s is %s; only PENDING or ACTIVE leases can be updated.'
            % (lease.id, lease.status))
    states.check_transition('lease', lease.id, lease.status,
                            states.LeaseStatus.UPDATING)
    old_start = timeconv.to_epoch(lease.start_date)
    old_end = timeconv.to_epoch(lease.end_date)
    started = (lease.status == states.LeaseStatus.ACTIVE
               or old_start <= now)
    changes = validation.parse_lease_update(body, old_start, old_end, conf,
                                            now, started)
    start, end = changes['start'], changes['end']
    before_end = changes.get('before_end')
    if before_end is None:
        offset = old_end - timeconv.to_epoch(lease.before_end_date
                                             or lease.end_date)
        before_end = max(start, end - offset)
    for field in ('end_action', 'keep_grace'):
        if field in changes:
            setattr(lease, field, changes[field])
    if changes.get('name') and changes['name'] != lease.name:
        _check_name_free(session, lease.project_id, changes['name'],
                         lease.id)
        lease.name = changes['name']

    requests = _merged_requests(conf, lease, changes, started)
    # A started lease is judged over what is left of its window: the past
    # is spent, and hosts other leases held then are free now.
    decide_from = max(start, now) if started else start
    hosts, bookings, gaps = load_for_window(
        session, conf, decide_from, end,
        [row.id for row in lease.reservations], load_hosts,
        whole_hosts_only=_whole_hosts_only(r for _row, r in requests))
    known = snapshot.known_properties(hosts)
    for index, (row, request) in enumerate(requests):
        host_filter = filter_for(request, known,
                                 'reservations[%d].' % index)
        keep = {a.host_id: a.slots for a in row.allocations}
        decision = _decide_one_of(
            len(requests), index, request, row.id,
            lambda: decide(conf, request, decide_from, end, hosts, bookings,
                           host_filter, keep=keep, keep_all=started,
                           rng=rng, gaps=gaps))
        reservations.kind(request.resource_type).to_row(row, request)
        sync_allocations(session, row, decision, start, end,
                         added_from=decide_from if started else None)
        _book(bookings, request, decision, row.id, decide_from, end)

    lease.start_date = timeconv.to_datetime(start)
    lease.end_date = timeconv.to_datetime(end)
    lease.before_end_date = timeconv.to_datetime(before_end)
    times = _event_times(start, before_end, end)
    for event in lease.events:
        if event.status == states.EventStatus.UNDONE:
            event.time = timeconv.to_datetime(times[event.event_type])
        elif _rearm_before_end(event, before_end, now):
            event.status = states.EventStatus.UNDONE
            event.time = timeconv.to_datetime(before_end)
    states.check_transition('lease', lease.id, states.LeaseStatus.UPDATING,
                            lease.status)
    session.flush()
    if check is not None:
        check.after(session, lease)
    return lease


def _rename_ended(session, lease, body, conf, now):
    """A terminated lease may only be renamed (as in Blazar)."""
    if not isinstance(body, dict) or set(body) != {'name'}:
        raise exception.Conflict(blazar_words.TERMINATED_LEASE)
    name = validation.parse_lease_update(
        body, timeconv.to_epoch(lease.start_date),
        timeconv.to_epoch(lease.end_date), conf, now, True)['name']
    if name != lease.name:
        _check_name_free(session, lease.project_id, name, lease.id)
        lease.name = name
    session.flush()
    return lease


def _rearm_before_end(event, before_end, now):
    """A before-end event that already ran runs again when the update
    moves it to a later moment still to come (as Blazar re-arms it)."""
    return (event.event_type == 'before_end_lease'
            and event.status == states.EventStatus.DONE
            and before_end > now
            and before_end > timeconv.to_epoch(event.time))


def _end_now_for_deletion(lease, now):
    """Make a lease being deleted end at once: its end event is due at
    ``now`` (epoch seconds) and the events before it, not yet run, are
    skipped."""
    now = timeconv.to_datetime(now)
    for event in lease.events:
        if event.status not in (states.EventStatus.UNDONE,
                                states.EventStatus.ERROR):
            continue
        if event.event_type == 'end_lease':
            event.status = states.EventStatus.UNDONE
            event.time = min(event.time, now)
            event.retry_at = None
        else:
            event.status = states.EventStatus.DONE
            event.last_error = 'skipped: the lease is being deleted'


def delete_lease(session, context, lease_id, now):
    """Remove a lease that has not started or has ended; mark any other
    DELETING, its end event due ``now``, for the lease agent to end it
    first.

    Returns True when the lease is gone, False when it was marked.
    """
    locking.lock_allocations(session)
    lease = get_lease(session, context, lease_id)
    if lease.status in REMOVABLE_AT_ONCE:
        session.delete(lease)
        session.flush()
        return True
    states.check_transition('lease', lease.id, lease.status,
                            states.LeaseStatus.DELETING)
    lease.status = states.LeaseStatus.DELETING
    _end_now_for_deletion(lease, now)
    session.flush()
    return False


def set_lease_status(session, lease_id, expected, target):
    """Move a lease from ``expected`` to ``target`` or raise.

    The check and the write are one ``UPDATE ... WHERE status = expected``,
    so two processes can never both make the same move.
    """
    states.check_transition('lease', lease_id, expected, target)
    result = session.execute(
        models.Lease.__table__.update()
        .where(models.Lease.id == lease_id)
        .where(models.Lease.status == expected)
        .values(status=target))
    if result.rowcount != 1:
        raise exception.Conflict(
            'Lease %s is no longer %s.' % (lease_id, expected))
