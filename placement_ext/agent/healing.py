"""Find failed hosts held by leases and have the store replace them.

A held host has failed when Nova reports its compute service down or
disabled, when Nova no longer knows its hypervisor, or when its resource
provider is gone from Placement. Without a compute endpoint only Placement
is asked. Reservations whose holder still has instances on a failed host
keep it unless ``[agent] heal_busy_hosts`` says otherwise. Replacements of
live reservations are written to Placement at once.
"""

from oslo_log import log as logging

from placement_ext.agent import steps as agent_steps
from blazar_nova import names
from placement_ext import exception
from placement_ext.nova import instances
from placement_ext.placement import providers
from placement_ext.placement import reconcile as placement_reconcile
from placement_ext import reservations
from placement_ext import states

LOG = logging.getLogger(__name__)

LIVE = (states.LeaseStatus.STARTING, states.LeaseStatus.ACTIVE)


class Healer:
    """One heal pass at a time, over the store, Placement and Nova."""

    def __init__(self, conf, store, placement, compute):
        self.conf = conf
        self.store = store
        self.placement = placement
        self.compute = compute

    def failed_hosts(self, held):
        """``{host_id: reason}`` among ``held`` (``{host_id: (uuid,
        hostname)}``)."""
        failed = {}
        if self.compute is not None and held:
            states_by_name = instances.hypervisor_states(self.compute)
            for host_id, (_, hostname) in held.items():
                state = states_by_name.get(hostname)
                if state is None:
                    failed[host_id] = 'Nova has no such hypervisor'
                elif not state.up:
                    failed[host_id] = 'compute service down'
                elif not state.enabled:
                    failed[host_id] = 'compute service disabled%s' % (
                        ': %s' % state.reason if state.reason else '')
        marked = {rp['uuid'] for rp in providers.list_providers(
            self.placement, required={names.RESERVABLE_TRAIT})}
        for host_id, (uuid, _) in held.items():
            if host_id in failed or uuid in marked:
                continue
            if providers.get_provider(self.placement, uuid) is None:
                failed[host_id] = 'resource provider gone from Placement'
        return failed

    def _busy(self, ctx, failed, held):
        """Reservations whose holder still runs instances on a failed
        host."""
        if self.compute is None or self.conf.agent.heal_busy_hosts:
            return set()
        busy = set()
        for host_id in failed:
            hostname = held[host_id][1]
            servers = instances.servers_on_hosts(self.compute, [hostname])
            if not servers:
                continue
            for held in self.store.reservations_on_host(ctx, host_id):
                kind = reservations.kind(held.resource_type)
                if any(kind.holds(s, held.reservation_id, held.project_id)
                       for s in servers):
                    busy.add(held.reservation_id)
        return busy

    def heal(self, ctx):
        """One pass; returns the store's outcomes."""
        held = self.store.held_hosts(ctx)
        if not held:
            return []
        failed = self.failed_hosts(held)
        if not failed:
            return []
        outcomes = self.store.replace_hosts(
            ctx, failed, keep=self._busy(ctx, failed, held))
        for outcome in outcomes:
            log = LOG.info if outcome.replaced else LOG.warning
            log('Lease %s, reservation %s: %s', outcome.lease_id,
                outcome.reservation_id, outcome.message)
            if outcome.replaced and outcome.lease_status in LIVE:
                self._rewrite(ctx, outcome)
        return outcomes

    def _rewrite(self, ctx, outcome):
        lease = self.store.lease_work(ctx, outcome.lease_id)
        for res in lease.reservations:
            if res.id != outcome.reservation_id:
                continue
            try:
                for line in reservations.activate(
                        self.placement, agent_steps.plan_of(lease, res)):
                    LOG.info('Lease %s: %s', lease.id, line)
            except exception.InventoryInUse as exc:
                LOG.warning('Lease %s: %s', lease.id, exc)

    def reconcile(self, ctx):
        return placement_reconcile.reconcile(self.placement, self.store, ctx)
