"""The store's entry point: one method per operation, one transaction each.

Methods take a ``RequestContext`` and plain dicts (Blazar's bodies) and
return plain dicts. Deadlocks reported by the database (and SQLite's
immediate "database is locked") are retried; refusals (``ReservationError``)
are not.
"""

import time

from oslo_db import api as oslo_db_api
from sqlalchemy import exc as sa_exc

from placement_ext.db import api as db_api
from placement_ext import enforcement
from placement_ext import exception
from placement_ext import reservations
from placement_ext.store import events
from placement_ext.store import healing
from placement_ext.store import host_cache
from placement_ext.store import hosts
from placement_ext.store import lease_lists
from placement_ext.store import leases
from placement_ext.store import lifecycle
from placement_ext.store import live
from placement_ext.store import properties
from placement_ext.store import snapshot
from placement_ext.store import validation
from placement_ext.store import views


def sqlite_busy(exc):
    """Whether ``exc`` is SQLite's immediate "database is locked": a
    transaction that read first and then writes after another connection
    committed cannot be serialised (WAL's busy snapshot), and SQLite
    fails it at once rather than waiting out the busy timeout. oslo.db
    does not map it to a deadlock, so it is named here: the whole
    transaction is safe to run again."""
    # The driver's own message: str(exc) also holds the statement and its
    # parameters, which may hold any text a user wrote.
    return (isinstance(exc, sa_exc.OperationalError)
            and str(exc.orig) == 'database is locked')


_retry = oslo_db_api.wrap_db_retry(max_retries=10, retry_interval=0.05,
                                   inc_retry_interval=True,
                                   max_retry_interval=1,
                                   retry_on_deadlock=True,
                                   exception_checker=sqlite_busy)

MAX_AVAILABILITY_WINDOW = 366 * 24 * 3600
# Leases read per transaction when listing (each with its reservations,
# allocations and events): a few MiB of objects at a time.
LEASE_BATCH = 500


class Store:
    """Reservation operations over one database."""

    def __init__(self, conf, database=None, clock=time.time, rng=None):
        self.conf = conf
        self.db = database or db_api.Database(conf)
        self._clock = clock
        self._rng = rng
        self._hosts = host_cache.HostCache()
        # ``[enforcement] enabled_filters``: checks around lease create,
        # update and end (placement_ext.enforcement); empty when none.
        self.enforcement = enforcement.load(conf, self)

    def now(self):
        return int(self._clock())

    @property
    def host_loader(self):
        """The cached host loader, for callers that drive the lease
        functions inside their own transaction."""
        return self._hosts.load

    # Hosts -------------------------------------------------------------
    @_retry
    def create_host(self, context, values):
        with self.db.writer(context) as session:
            return views.host_view(hosts.create_host(session, values))

    def get_host(self, context, ident):
        with self.db.reader(context) as session:
            return views.host_view(hosts.get_host(session, ident))

    def list_hosts(self, context):
        with self.db.reader(context) as session:
            return [views.host_view(h) for h in hosts.list_hosts(session)]

    def allocations_between(self, context, lo, hi):
        """Allocations meeting ``[lo, hi)`` (epoch seconds), by host id."""
        with self.db.reader(context) as session:
            return hosts.allocations_between(session, lo, hi)

    def update_host(self, context, ident, values, property_changes=None):
        """Change a host's fields (``values``) and merge
        ``property_changes`` (None unsets a property) into its properties,
        in one transaction; see ``update_host_moving``."""
        return self.update_host_moving(context, ident, values,
                                       property_changes)[0]

    @_retry
    def update_host_moving(self, context, ident, values,
                           property_changes=None):
        """``update_host``; a host made unreservable also loses the
        reservations of leases that have not started, in the same
        transaction: each moves to free matching hosts as healing moves
        them off a failed host (``healing.replace_hosts``), or keeps the
        host and marks its lease degraded. Started leases keep it until
        their end. Returns ``(host view, [results.HealOutcome])``."""
        with self.db.writer(context) as session:
            now = self.now()
            host = hosts.update_host(
                session, ident, values, now,
                self.conf.allocator.cleaning_margin, property_changes)
            outcomes = []
            if values.get('reservable') is False:
                outcomes = healing.replace_hosts(
                    session, self.conf,
                    {host.id: 'set unreservable by an administrator'}, now,
                    rng=self._rng, future_only=True, word='is gone')
            return views.host_view(host), outcomes

    def host_placement_generations(self, context):
        """``{uuid: generation or None}`` of each host's copy of its
        compute node in Placement (``placement.inventories``), from the
        host cache."""
        with self.db.reader(context) as session:
            return {host.uuid: (host.placement or {}).get('generation')
                    for host in self._hosts.load(session)}

    @_retry
    def set_host_placement(self, context, views):
        """Store the compute nodes' Placement views on their hosts."""
        with self.db.writer(context) as session:
            hosts.set_placement(session, views)

    @_retry
    def delete_host(self, context, ident):
        with self.db.writer(context) as session:
            hosts.delete_host(session, ident, self.now())

    def list_resource_properties(self, context, detail=False,
                                 include_private=False):
        """Property names hosts carry (see ``store.properties``)."""
        with self.db.reader(context) as session:
            return properties.list_properties(session, detail,
                                              include_private)

    @_retry
    def update_resource_property(self, context, name, private):
        """Make a host property private or public; NotFound when no host
        carries it."""
        with self.db.writer(context) as session:
            return properties.set_private(session, name, private)

    # Leases ------------------------------------------------------------
    # ``clients`` (anything with ``compute`` and ``placement`` clients,
    # the API's ``Services``) is what the types consult before the
    # transaction (``ReservationType.resolve`` and ``refresh``); without
    # it they have no other service to ask.
    def _sources(self, context, clients):
        return reservations.Sources(context, self, clients)

    def _prepare(self, context, requests, clients):
        """Each new reservation request resolved by its type, then every
        type involved refreshed: outside any transaction, so no other
        service is called under the allocator lock."""
        sources = self._sources(context, clients)
        resolved = [
            reservations.kind(r.resource_type).resolve(
                r, sources, 'reservations[%d].' % index)
            for index, r in enumerate(requests)]
        for name in sorted({r.resource_type for r in resolved}):
            reservations.kind(name).refresh(sources)
        return resolved

    def create_lease(self, context, body, clients=None):
        """Create a lease: its requests resolved by their types, then the
        enforcement filters, when any, check it first outside the
        allocator lock and again inside it."""
        request = leases.parse_new_lease(self.conf, context, body,
                                         self.now())
        request.reservations = self._prepare(context, request.reservations,
                                             clients)
        if self.enforcement:
            return self.enforcement.create(context, body, request)
        return self.write_new_lease(context, body, request=request)

    @_retry
    def write_new_lease(self, context, body, check=None, request=None):
        """Allocate and write a lease, with ``check`` (enforcement's)
        inside the allocator lock; ``request`` is ``body`` parsed and
        resolved (``create_lease``)."""
        with self.db.writer(context) as session:
            return views.lease_view(leases.create_lease(
                session, self.conf, context, body, self.now(), self._rng,
                self._hosts.load, check, request=request))

    def update_lease(self, context, lease_id, body, clients=None):
        """Update a lease: the types involved refreshed first, then
        checked like ``create_lease``."""
        sources = self._sources(context, clients)
        with self.db.reader(context) as session:
            types = leases.lease_types(session, lease_id)
        for name in sorted(types):
            reservations.kind(name).refresh(sources)
        if self.enforcement:
            return self.enforcement.update(context, lease_id, body)
        return self.write_lease_update(context, lease_id, body)

    @_retry
    def write_lease_update(self, context, lease_id, body, check=None):
        with self.db.writer(context) as session:
            return views.lease_view(leases.update_lease(
                session, self.conf, context, lease_id, body, self.now(),
                self._rng, self._hosts.load, check))

    def delete_lease(self, context, lease_id):
        """True when the lease is gone, False when marked DELETING. A
        lease removed before it started is reported to the enforcement
        filters' ``on_end``, as Blazar does."""
        if self.enforcement:
            return self.enforcement.delete(context, lease_id)
        return self.remove_lease(context, lease_id)

    @_retry
    def remove_lease(self, context, lease_id):
        with self.db.writer(context) as session:
            return leases.delete_lease(session, context, lease_id,
                                       self.now())

    @_retry
    def set_lease_status(self, context, lease_id, expected, target):
        """Move a lease from ``expected`` to ``target`` (compare-and-set);
        ``Conflict`` when another process moved it first."""
        with self.db.writer(context) as session:
            leases.set_lease_status(session, lease_id, expected, target)

    def live_reservations(self, context):
        """Reservations Placement must show now (see ``store.live``)."""
        with self.db.reader(context) as session:
            return live.live_reservations(session, self.now())

    def reservation_owner(self, context, reservation_id):
        """``(project_id, resource_type, hosts)`` or None."""
        with self.db.reader(context) as session:
            return live.reservation_owner(session, reservation_id)

    def get_lease(self, context, lease_id):
        with self.db.reader(context) as session:
            return views.lease_view(leases.get_lease(session, context,
                                                     lease_id))

    def list_leases(self, context, all_projects=False, **filters):
        return [view for batch in self.iter_leases(
            context, all_projects, **filters) for view in batch]

    def iter_leases(self, context, all_projects=False, project_id=None,
                    status=None, batch=LEASE_BATCH):
        """Lease views (as ``list_leases``), ``batch`` at a time, each batch
        read in a transaction of its own: a long list holds neither the
        memory of every lease at once nor a read transaction for its
        whole length. A lease changed meanwhile is seen as it is when its
        batch is read."""
        after = None
        while True:
            with self.db.reader(context) as session:
                page, after = lease_lists.page(
                    session, context, all_projects, project_id=project_id,
                    status=status, after=after, limit=batch)
            if page:
                yield page
            if len(page) < batch:
                return

    # The lease agent ----------------------------------------------------
    def now_ms(self):
        return int(self._clock() * 1000)

    def due_events(self, context, limit=100):
        """Due events (``events.DueEvent``), oldest first."""
        with self.db.reader(context) as session:
            return events.due_events(session, self.now(), limit)

    def next_due_time(self, context):
        with self.db.reader(context) as session:
            return events.next_due_time(session)

    def change_marker(self, context):
        with self.db.reader(context) as session:
            return events.change_marker(session)

    @_retry
    def claim_event(self, context, event_id, owner, ttl):
        """True when ``owner`` now holds the due event ``event_id``."""
        with self.db.writer(context) as session:
            return events.claim(session, event_id, owner, self.now(), ttl,
                                self.now_ms())

    @_retry
    def renew_claims(self, context, event_ids, owner, ttl):
        with self.db.writer(context) as session:
            return events.renew(session, event_ids, owner, self.now() + ttl)

    @_retry
    def release_claims(self, context, owner):
        with self.db.writer(context) as session:
            return events.release_owned(session, owner)

    @_retry
    def defer_event(self, context, event_id, owner, retry_at, error):
        with self.db.writer(context) as session:
            events.defer(session, event_id, owner, retry_at, error)

    @_retry
    def finish_event(self, context, event_id, owner):
        with self.db.writer(context) as session:
            events.finish(session, event_id, owner, self.now_ms())

    @_retry
    def retry_event(self, context, event_id):
        with self.db.writer(context) as session:
            return events.retry(session, event_id)

    def lease_events(self, context, lease_id):
        with self.db.reader(context) as session:
            leases.get_lease(session, context, lease_id)
            return events.lease_events(session, lease_id)

    def get_event(self, context, event_id):
        with self.db.reader(context) as session:
            return events.get_event(session, event_id)

    def leases_in(self, context, statuses):
        """Ids of the leases in any of ``statuses``."""
        with self.db.reader(context) as session:
            return lifecycle.leases_in(session, statuses)

    def lease_work(self, context, lease_id):
        with self.db.reader(context) as session:
            return lifecycle.lease_work(session, lease_id)

    @_retry
    def enter_lease(self, context, lease_id, event_type):
        with self.db.writer(context) as session:
            return lifecycle.enter(session, lease_id, event_type)

    @_retry
    def complete_start(self, context, lease_id, event_id, owner):
        with self.db.writer(context) as session:
            lifecycle.complete_start(session, lease_id, event_id, owner,
                                     self.now_ms())

    @_retry
    def complete_end(self, context, lease_id, event_id, owner):
        with self.db.writer(context) as session:
            lifecycle.complete_end(session, lease_id, event_id, owner,
                                   self.now_ms())

    @_retry
    def fail_lease(self, context, lease_id, event_id, owner, error):
        with self.db.writer(context) as session:
            lifecycle.fail_lease(session, lease_id, event_id, owner, error)

    @_retry
    def record_server_group(self, context, reservation_id, group_id):
        """Record a reservation's Nova server group (the agent, at the
        start); False when the reservation is gone."""
        with self.db.writer(context) as session:
            return lifecycle.record_server_group(session, reservation_id,
                                                 group_id)

    @_retry
    def set_degraded(self, context, lease_id, reason):
        with self.db.writer(context) as session:
            lifecycle.set_degraded(session, lease_id, reason)

    def held_hosts(self, context):
        """``{host_id: (uuid, hostname)}`` held by upcoming or active
        leases."""
        with self.db.reader(context) as session:
            return healing.held_hosts(session, self.now())

    @_retry
    def replace_hosts(self, context, failed, keep=()):
        """See ``healing.replace_hosts``."""
        with self.db.writer(context) as session:
            return healing.replace_hosts(session, self.conf, failed,
                                         self.now(), keep, self._hosts.load,
                                         self._rng)

    def reservations_on_host(self, context, host_id):
        """Reservations of upcoming or active leases holding ``host_id``:
        ``[(reservation_id, resource_type, project_id)]``."""
        with self.db.reader(context) as session:
            return healing.reservations_on_host(session, host_id,
                                                self.now())

    # Availability ------------------------------------------------------
    def availability(self, context, reservation, start, end, duration=None,
                     clients=None):
        """What is free for a reservation request over ``[start, end)``.

        Returns ``{'timeline': [{'time', 'free'}...], 'earliest_start'}``;
        ``earliest_start`` (only with ``duration``: seconds or ``"2h"``) is
        when the request would first fit for that long, or None.
        """
        now = self.now()
        request = validation.parse_reservation(reservation, 0, self.conf)
        [request] = self._prepare(context, [request], clients)
        lo = validation.parse_datetime(start, 'start', now)
        hi = validation.parse_datetime(end, 'end', now)
        if hi <= lo:
            raise exception.InvalidInput('end', 'must be after start')
        if hi - lo > MAX_AVAILABILITY_WINDOW:
            raise exception.InvalidInput(
                'end', 'the window may span at most %d days'
                % (MAX_AVAILABILITY_WINDOW // 86400))
        if duration is not None:
            duration = validation.parse_duration(duration, 'duration')
            if duration < 1:
                raise exception.InvalidInput('duration',
                                             'must be at least 1 second')
            if duration > hi - lo:
                raise exception.InvalidInput(
                    'duration', '%ds is longer than the window from start to '
                    'end (%ds)' % (duration, hi - lo))
        margin = self.conf.allocator.cleaning_margin
        with self.db.reader(context) as session:
            all_hosts = self._hosts.load(session)
            bookings = snapshot.load_bookings(session, lo, hi + margin,
                                              margin)
        host_filter = leases.filter_for(
            request, snapshot.known_properties(all_hosts))
        points, earliest = reservations.kind(
            request.resource_type).availability(
                request, lo, hi, all_hosts, bookings, margin=margin,
                host_filter=host_filter, duration=duration)
        result = {'timeline': [{'time': t, 'free': free}
                               for t, free in points]}
        if duration is not None:
            result['earliest_start'] = earliest
        return result
