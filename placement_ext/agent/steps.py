"""What each lease event does, step by step; every step may be repeated.

Start: the lease goes STARTING; Placement shows each reservation (its
type's ``activate``); each type does its Nova-side start (``on_start``:
instance reservations get their private flavor and, with an affinity,
their server group, recorded in the store; host reservations clear other
projects' instances off their hosts by ``[agent] preemptible_action`` and
``leftover_action``); the lease goes ACTIVE.

Before end: a notification, and each type's ``before_end`` (a host
reservation with ``before_end: snapshot`` snapshots the holder's instances,
handed to the lease's project through Glance, ``[glance]``).

End: the lease goes TERMINATING; its access traits are revoked; the
instances each type names (``servers_at_end``) are deleted, shelved, or
kept for ``[agent] keep_grace`` and then deleted (the lease's
``end_action``); once they are gone from its hosts, Placement forgets each
reservation and each type cleans up in Nova (``on_end``: the private
flavor and the server group go); the lease goes TERMINATED (or is removed,
when it was being deleted); the enforcement filters' ``on_end`` is told
(errors logged, the end never waits for it).

Nova-side steps are skipped when no compute endpoint is configured.
A crash between two steps leaves the lease STARTING or TERMINATING; the
next run of the event repeats the steps, each of which converges.
"""

from oslo_log import log as logging

from placement_ext import context as bn_context
from placement_ext.nova import images
from placement_ext.nova import instances
from placement_ext import exception
from placement_ext.placement import encoding
from placement_ext import reservations
from placement_ext import states

LOG = logging.getLogger(__name__)

_L = states.LeaseStatus


class Deferred(exception.ReservationError):
    """The event cannot finish yet; run it again at ``retry_at``."""

    def __init__(self, message, retry_at):
        super().__init__(message)
        self.retry_at = retry_at


class InstancesRemain(exception.ReservationError):
    """Instances of an ending lease are still on its hosts."""


def plan_of(lease, reservation):
    """The ``encoding.Plan`` of one reservation of a ``lease_work``."""
    return encoding.Plan(
        reservation_id=reservation.id, project_id=lease.project_id,
        resource_type=reservation.resource_type,
        hosts=encoding.shares(reservation.hosts))


def _kind(reservation):
    return reservations.kind(reservation.resource_type)


class LeaseSteps:
    """The steps of start, before-end and end, over the store, Placement,
    Nova (``compute`` may be None) and the notifier."""

    def __init__(self, conf, store, placement, compute, notifier,
                 clock, sleep, stopping, images=None):
        self.conf = conf
        self.images = images
        self.store = store
        self.placement = placement
        self.compute = compute
        self.notifier = notifier
        self.clock = clock
        self.sleep = sleep
        self.stopping = stopping

    # Start --------------------------------------------------------------
    def start(self, ctx, event, lease, owner):
        status = self.store.enter_lease(ctx, lease.id, 'start_lease')
        if status != _L.STARTING:
            LOG.info('Lease %s is %s: nothing to start', lease.id, status)
            self.store.finish_event(ctx, event.id, owner)
            return
        for reservation in lease.reservations:
            for line in _kind(reservation).activate(
                    self.placement, plan_of(lease, reservation)):
                LOG.info('Lease %s: %s', lease.id, line)
        if self.compute is not None:
            for reservation in lease.reservations:
                _kind(reservation).on_start(self, lease, reservation)
        self.store.complete_start(ctx, lease.id, event.id, owner)
        self.notifier.notify(ctx, 'lease.event.start_lease',
                             self._fresh(ctx, lease).payload())

    def record_server_group(self, reservation_id, group_id):
        """Record the server group a type's start made in Nova."""
        self.store.record_server_group(bn_context.admin_context(),
                                       reservation_id, group_id)

    def act(self, lease, server, action, kind):
        """Apply ``action`` (keep, shelve or delete) to ``server``;
        ``kind`` says what the server is to the lease, for the log."""
        if action == 'keep':
            LOG.warning('Lease %s: %s instance %s of project %s stays on '
                        'reserved host %s', lease.id, kind, server.id,
                        server.project_id, server.hypervisor_hostname)
            return
        if action == 'shelve' and server.status == 'ERROR':
            # Nova refuses to shelve a server in ERROR, for ever.
            action = 'delete'
        done = (instances.delete_server if action == 'delete'
                else instances.shelve_server)(self.compute, server.id)
        if done:
            LOG.info('Lease %s: %s %s instance %s of project %s on %s',
                     lease.id, 'deleted' if action == 'delete'
                     else 'shelved', kind, server.id, server.project_id,
                     server.hypervisor_hostname)

    # Before end ---------------------------------------------------------
    def before_end(self, ctx, event, lease, owner):
        if lease.status == _L.ACTIVE and self.compute is not None:
            for reservation in lease.reservations:
                _kind(reservation).before_end(self, lease, reservation)
        self.notifier.notify(ctx, 'lease.event.before_end_lease',
                             lease.payload())
        self.store.finish_event(ctx, event.id, owner)

    def snapshot(self, lease, server):
        """Snapshot ``server`` for the lease, handed to its project."""
        image = instances.snapshot_server(
            self.compute, server.id,
            '%s-before-end-%s' % (server.name, lease.id[:8]),
            {'blazar_lease_id': lease.id})
        LOG.info('Lease %s: snapshot %s of instance %s',
                 lease.id, image, server.id)
        if image and self.images is not None:
            self._hand_over(lease, image)

    def _hand_over(self, lease, image):
        """The snapshot belongs to the lease's project, not the agent's;
        a failure is logged and the snapshot stays where Nova made it."""
        try:
            images.give_to_project(self.images, image, lease.project_id)
        except (exception.ServiceUnavailable,
                exception.ServiceRefused) as exc:
            LOG.warning('Lease %s: snapshot %s stays in the service '
                        'project: %s', lease.id, image, exc)

    # End ----------------------------------------------------------------
    def end(self, ctx, event, lease, owner):
        status = self.store.enter_lease(ctx, lease.id, 'end_lease')
        if status not in (_L.TERMINATING, _L.DELETING):
            LOG.info('Lease %s is %s: nothing to end', lease.id, status)
            self.store.finish_event(ctx, event.id, owner)
            return
        plans = [plan_of(lease, res) for res in lease.reservations]
        for plan in plans:
            for line in reservations.revoke_access(self.placement, plan):
                LOG.info('Lease %s: %s', lease.id, line)
        if self.compute is not None:
            action = lease.end_action
            if status == _L.DELETING:
                action = 'delete'
            elif action == 'keep':
                grace = lease.keep_grace
                if grace is None:
                    grace = self.conf.agent.keep_grace
                grace_end = event.time + grace
                if self.clock() < grace_end:
                    raise Deferred('keeping the instances until the grace '
                                   'period ends', grace_end)
                action = 'delete'
            self._end_instances(lease, action)
        for plan in plans:
            for line in self._deactivate(plan):
                LOG.info('Lease %s: %s', lease.id, line)
        if self.compute is not None:
            for reservation in lease.reservations:
                _kind(reservation).on_end(self, lease, reservation)
        ended = self._enforcement_bodies(ctx, lease)
        self.store.complete_end(ctx, lease.id, event.id, owner)
        if ended:
            self.store.enforcement.tell_end(*ended)
        self.notifier.notify(ctx, 'lease.event.end_lease',
                             self._fresh(ctx, lease).payload())

    def _end_instances(self, lease, action):
        """Delete or shelve the lease's instances; wait (bounded) until
        none occupies any of the lease's hosts."""
        hosts = sorted({name for res in lease.reservations
                        for name in res.hostnames})
        servers = [s for res in lease.reservations
                   for s in _kind(res).servers_at_end(self, lease, res)]
        for server in servers:
            self.act(lease, server, action, 'the lease\'s')
        ids = [s.id for s in servers]
        deadline = self.clock() + self.conf.agent.end_wait_timeout
        while ids:
            left = instances.remaining(self.compute, ids, on_hosts=hosts)
            if not left:
                return
            if self.clock() >= deadline or self.stopping():
                raise InstancesRemain(
                    '%d instance(s) still on the lease\'s hosts after %s: %s'
                    % (len(left), action, ', '.join(
                        '%s (%s, %s)' % (s.id, s.hypervisor_hostname,
                                         s.status) for s in left)))
            ids = [s.id for s in left]
            self.sleep(self.conf.agent.end_poll_interval)

    def _deactivate(self, plan):
        """The type's ``deactivate``, waiting (bounded) for slots that Nova
        still counts as used right after the instances went."""
        deadline = self.clock() + self.conf.agent.end_wait_timeout
        while True:
            try:
                return reservations.deactivate(self.placement, plan)
            except exception.InventoryInUse:
                if self.clock() >= deadline or self.stopping():
                    raise
                self.sleep(self.conf.agent.end_poll_interval)

    def _enforcement_bodies(self, ctx, lease):
        """The lease's bodies for the enforcement filters' ``on_end``,
        read before the end removes a deleted lease; None when no filter
        is told of ends."""
        enforcement = getattr(self.store, 'enforcement', None)
        if not enforcement:
            return None
        try:
            return enforcement.lease_bodies(ctx, lease.id)
        except Exception as exc:
            LOG.warning('Lease %s: the enforcement filters are not told of '
                        'its end: %s', lease.id, exc)
            return None

    def _fresh(self, ctx, lease):
        return self.store.lease_work(ctx, lease.id) or lease
