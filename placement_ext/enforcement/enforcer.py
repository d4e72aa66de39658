"""The enforcement filters around the store's lease create, update,
delete, and the agent's end of a lease.

Create and update: when an outside filter is enabled
(``ExternalServiceFilter``), the store first rehearses the write (it
decides the lease inside the allocator lock, as a real write would, and
rolls back) and the outside filters judge that tentative lease with no
lock and no transaction held; then the real write runs the inside filters
under the lock and checks that it writes the approved lease. When the
hosts changed in between, the round runs again, at most ``ROUNDS`` times.
With inside filters only, there is just the real write.
"""

from oslo_log import log as logging

from placement_ext.enforcement import bodies
from placement_ext.enforcement import checks
from placement_ext.enforcement import errors
from placement_ext import exception
from placement_ext.store import leases as store_leases

LOG = logging.getLogger(__name__)

ROUNDS = 3
BUSY = ('The hosts available to this lease changed while it was being '
        'checked; try again.')


class Enforcement:
    """The enabled filters, over one store; false when there are none."""

    def __init__(self, conf, store, filters):
        self.conf = conf
        self.store = store
        self.filters = list(filters)
        self.inside = [f for f in self.filters if not f.outside_lock]
        self.outside = [f for f in self.filters if f.outside_lock]

    def __bool__(self):
        return bool(self.filters)

    def _locked(self, operation, approval=None):
        return checks.LockedCheck(self.conf, operation, self.inside,
                                  self.store.now, approval)

    def _rehearse(self, operation, write):
        try:
            write(checks.Rehearsal(self.conf, operation, self.inside,
                                   self.store.now))
        except checks.Rehearsed as rehearsed:
            return rehearsed
        raise AssertionError('the store wrote without calling the check')

    def _round(self, operation, write, judge):
        if not self.outside:
            return write(self._locked(operation))
        for _ in range(ROUNDS):
            rehearsed = self._rehearse(operation, write)
            for each in self.outside:
                judge(each, rehearsed)
            try:
                return write(self._locked(operation, rehearsed.approval))
            except errors.Stale:
                LOG.info('A %s changed while the enforcement service was '
                         'asked: asking again', operation)
        raise exception.Conflict(BUSY)

    def create(self, context, body, request=None):
        """``store.write_new_lease`` once the filters allow it
        (``request``: ``body`` parsed and resolved by its types)."""
        return self._round(
            'create',
            lambda check: self.store.write_new_lease(context, body, check,
                                                     request),
            lambda each, r: each.check_create(r.context, r.lease))

    def update(self, context, lease_id, body):
        """``store.write_lease_update`` once the filters allow it. A
        rename alone is not asked of outside filters (Blazar does not ask
        either)."""
        if isinstance(body, dict) and body and set(body) <= {'name'}:
            return self.store.write_lease_update(context, lease_id, body,
                                                 self._locked('update'))
        return self._round(
            'update',
            lambda check: self.store.write_lease_update(context, lease_id,
                                                        body, check),
            lambda each, r: each.check_update(r.context, r.current,
                                              r.lease))

    def delete(self, context, lease_id):
        """``store.remove_lease``; a lease removed before it started is
        reported to ``on_end`` (Blazar does so too: the lease is no longer
        in play)."""
        before = self.lease_bodies(context, lease_id)
        removed = self.store.remove_lease(context, lease_id)
        if removed and before and before[1]['status'] == 'PENDING':
            self.tell_end(*before)
        return removed

    def lease_bodies(self, context, lease_id):
        """``(context, lease)`` bodies of a stored lease, or None when no
        filter has an ``on_end`` to tell or the lease is gone."""
        if not self.outside:
            return None
        with self.store.db.reader(context) as session:
            try:
                lease = store_leases.get_lease(session, context, lease_id)
            except exception.NotFound:
                return None
            return (bodies.context_body(self.conf, lease),
                    bodies.lease_body(lease))

    def tell_end(self, context, lease):
        """Every filter's ``on_end``; an error is logged, never raised:
        the end of a lease never waits for enforcement."""
        for each in self.filters:
            try:
                each.on_end(context, lease)
            except Exception as exc:
                LOG.warning('Enforcement filter %s failed on the end of '
                            'lease %s: %s', type(each).__name__,
                            lease.get('id'), exc)
