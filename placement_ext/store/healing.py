"""Give reservations a replacement for a host that failed.

Rule: every reservation of an upcoming or active lease (PENDING, STARTING
or ACTIVE, not yet ended) that holds a failed host loses it and gets what
it lost from the free hosts, for the rest of its window, in the allocator's
transaction: it keeps every other host it holds, and the failed hosts are
not candidates. When nothing fits, the reservation keeps what it has and the
lease is marked degraded with the reason. A reservation listed in ``keep``
(its holder's instances still run on the host) is not touched; its lease is
marked degraded instead.
"""

from sqlalchemy import select

from placement_ext.db import models
from placement_ext import exception
from placement_ext import states
from placement_ext.store import leases
from placement_ext.store import locking
from placement_ext.store import results
from placement_ext.store import snapshot
from placement_ext import timeconv

_L = states.LeaseStatus
HEALABLE = (_L.PENDING, _L.STARTING, _L.ACTIVE)


def held_hosts(session, now):
    """Hosts held by reservations of upcoming or active leases, as
    ``{host_id: (uuid, hypervisor_hostname)}``."""
    query = (select(models.Host.id, models.Host.uuid,
                    models.Host.hypervisor_hostname)
             .join(models.Allocation,
                   models.Allocation.host_id == models.Host.id)
             .join(models.Reservation,
                   models.Reservation.id == models.Allocation.reservation_id)
             .join(models.Lease,
                   models.Lease.id == models.Reservation.lease_id)
             .where(models.Allocation.end_epoch > now,
                    models.Lease.status.in_(HEALABLE),
                    models.Reservation.status
                    != states.ReservationStatus.DELETED)
             .distinct())
    return {hid: (uuid, name) for hid, uuid, name in session.execute(query)}


def _affected(session, failed, now, future_only=False):
    """Reservations of upcoming or active leases holding a ``failed``
    host; with ``future_only``, of pending leases whose start is still to
    come."""
    statuses = (_L.PENDING,) if future_only else HEALABLE
    # Distinct ids first: PostgreSQL cannot compare the JSON columns that
    # a DISTINCT over whole rows would.
    ids = (select(models.Reservation.id)
           .join(models.Allocation,
                 models.Allocation.reservation_id == models.Reservation.id)
           .join(models.Lease, models.Lease.id == models.Reservation.lease_id)
           .where(models.Allocation.host_id.in_(failed),
                  models.Allocation.end_epoch > now,
                  models.Lease.status.in_(statuses),
                  models.Reservation.status
                  != states.ReservationStatus.DELETED)
           .distinct())
    if future_only:
        ids = ids.where(models.Lease.start_date > timeconv.to_datetime(now))
    return list(session.scalars(
        select(models.Reservation).where(models.Reservation.id.in_(ids))
        .order_by(models.Reservation.id)))


def reservations_on_host(session, host_id, now):
    """``results.HostReservation`` of every upcoming or active reservation
    holding ``host_id``."""
    return [results.HostReservation(row.id, row.resource_type,
                                    row.lease.project_id)
            for row in _affected(session, [host_id], now)]


def _outcome(outcomes, row, message, replaced=False):
    """Record what healing did for ``row``; a reservation left without a
    replacement marks its lease degraded, saying why."""
    lease = row.lease
    outcomes.append(results.HealOutcome(lease.id, row.id, lease.status,
                                        replaced, message))
    if not replaced:
        lease.degraded_reason = message[:255]


def replace_hosts(session, conf, failed, now, keep=(), load_hosts=None,
                  rng=None, future_only=False, word='is down'):
    """Replace the hosts ``failed`` (``{host_id: reason}``) in every
    reservation holding one (with ``future_only``: of leases that have not
    started); return one ``results.HealOutcome`` per reservation
    considered. ``word`` says what happened to the host (``host cn1 is
    down (reason)``)."""
    locking.lock_allocations(session)
    outcomes = []
    names = {h.id: h.hypervisor_hostname
             for h in (load_hosts or snapshot.load_hosts)(session)}
    for row in _affected(session, list(failed), now, future_only):
        lease = row.lease
        lost = sorted(a.host_id for a in row.allocations
                      if a.host_id in failed)
        why = '; '.join('host %s %s (%s)'
                        % (names.get(h, h), word, failed[h]) for h in lost)
        if row.id in keep:
            _outcome(outcomes, row, '%s, but it still runs the lease\'s '
                     'instances: kept' % why)
            continue
        start = max(timeconv.to_epoch(lease.start_date), now)
        end = timeconv.to_epoch(lease.end_date)
        hosts, bookings, gaps = leases.load_for_window(
            session, conf, start, end, [row.id], load_hosts)
        hosts = [h for h in hosts if h.id not in failed]
        request = leases.request_of_row(conf, row)
        host_filter = leases.filter_for(request,
                                        snapshot.known_properties(hosts))
        keep_slots = {a.host_id: a.slots for a in row.allocations
                      if a.host_id not in failed}
        try:
            decision = leases.decide(conf, request, start, end, hosts,
                                     bookings, host_filter, keep=keep_slots,
                                     keep_all=True, rng=rng, gaps=gaps)
        except exception.NotEnoughResources as exc:
            _outcome(outcomes, row, '%s; no free replacement: %s'
                     % (why, exc))
            continue
        leases.sync_allocations(
            session, row, decision, timeconv.to_epoch(lease.start_date), end,
            added_from=start)
        added = sorted(names.get(h, h) for h in decision.slots_by_host
                       if h not in keep_slots)
        _outcome(outcomes, row, '%s; replaced by %s'
                 % (why, ', '.join(added)), replaced=True)
    session.flush()
    return outcomes
