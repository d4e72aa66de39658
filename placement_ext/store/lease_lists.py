"""Lease lists, a page at a time, read as Core rows.

A page is four queries whatever its length: the leases (ordered by start
date then id, walked from the last page's key on the (start_date, id)
indexes), their reservations, those reservations' allocations with the
host names, and their events. Core rows skip the ORM's identity map and
eager-loading machinery, which cost most of a list's time; the views are
the same ``views.lease_view`` builds from ORM objects.
"""

import collections

from sqlalchemy import or_
from sqlalchemy import select

from placement_ext.db import models
from placement_ext.store import views

LEASES = models.Lease.__table__
RESERVATIONS = models.Reservation.__table__
ALLOCATIONS = models.Allocation.__table__
HOSTS = models.Host.__table__
EVENTS = models.Event.__table__


def page(session, context, all_projects=False, project_id=None,
         status=None, after=None, limit=None):
    """``(views, key)``: lease views of the context's project (every
    project for an admin asking for all), ordered by start date then id,
    and the ``(start_date, id)`` key to pass as ``after`` for the next
    page (None when the page is empty).

    ``project_id`` and ``status`` narrow the list; ``after`` and
    ``limit`` read it a page at a time.
    """
    query = select(LEASES).order_by(LEASES.c.start_date, LEASES.c.id)
    if not (context.is_admin and all_projects):
        query = query.where(LEASES.c.project_id == context.project_id)
    if project_id is not None:
        query = query.where(LEASES.c.project_id == project_id)
    if status is not None:
        query = query.where(LEASES.c.status == status)
    if after is not None:
        # Past (start_date, id), written so that every database walks
        # the (start_date, id) index from there rather than from the top.
        start_date, lease_id = after
        query = query.where(LEASES.c.start_date >= start_date, or_(
            LEASES.c.start_date > start_date, LEASES.c.id > lease_id))
    if limit is not None:
        query = query.limit(limit)
    leases = session.execute(query).all()
    if not leases:
        return [], None
    ids = [lease.id for lease in leases]
    reservations = _reservations(session, ids)
    events = collections.defaultdict(list)
    for event in session.execute(
            select(EVENTS.c.lease_id, EVENTS.c.event_type, EVENTS.c.time,
                   EVENTS.c.status)
            .where(EVENTS.c.lease_id.in_(ids))
            .order_by(EVENTS.c.time, EVENTS.c.id)):
        events[event.lease_id].append(event)
    return ([views.lease_view(lease, reservations[lease.id],
                              events[lease.id]) for lease in leases],
            (leases[-1].start_date, leases[-1].id))


def _reservations(session, lease_ids):
    """Reservation views of these leases, by lease id, in creation
    order."""
    allocations = collections.defaultdict(list)
    for row in session.execute(
            select(ALLOCATIONS.c.reservation_id, ALLOCATIONS.c.host_id,
                   HOSTS.c.hypervisor_hostname, ALLOCATIONS.c.slots)
            .join(HOSTS, HOSTS.c.id == ALLOCATIONS.c.host_id)
            .join(RESERVATIONS,
                  RESERVATIONS.c.id == ALLOCATIONS.c.reservation_id)
            .where(RESERVATIONS.c.lease_id.in_(lease_ids))):
        allocations[row.reservation_id].append(
            (row.host_id, row.hypervisor_hostname, row.slots))
    found = collections.defaultdict(list)
    for row in session.execute(
            select(RESERVATIONS).where(RESERVATIONS.c.lease_id.in_(lease_ids))
            .order_by(RESERVATIONS.c.created_at, RESERVATIONS.c.id)):
        found[row.lease_id].append(
            views.reservation_view(row, allocations[row.id]))
    return found
