"""Make Placement show what the store says, and report what changed.

Compared both ways:

* ``CUSTOM_BLAZAR_RESERVABLE`` is on exactly the compute nodes of enrolled
  hosts that are reservable or still held by a reservation of an upcoming
  or active lease (a host made unreservable stays closed to ordinary
  requests until the reservations that kept it end);
* every live reservation (``store.live``) is written as its type's
  ``activate`` writes it, on exactly its hosts;
* every other access trait or ``CUSTOM_RESERVATION_*`` resource class in
  Placement is removed, except slots instances still use, which are kept
  and reported;
* ``CUSTOM_BLAZAR_RESERVED`` is on exactly the hosts with a live
  reservation.
"""

import dataclasses
from urllib import parse

from oslo_log import log as logging

from placement_ext import exception
from placement_ext.placement import encoding
from blazar_nova import names
from placement_ext.placement import providers
from placement_ext import reservations

LOG = logging.getLogger(__name__)


@dataclasses.dataclass
class Report:
    """What a reconcile pass changed, kept, and could not do."""

    changes: list = dataclasses.field(default_factory=list)
    kept: list = dataclasses.field(default_factory=list)
    problems: list = dataclasses.field(default_factory=list)


def plan_from_live(entry):
    """An ``encoding.Plan`` from a ``results.LiveReservation``."""
    return encoding.Plan(
        reservation_id=entry.reservation_id, project_id=entry.project_id,
        resource_type=entry.resource_type,
        hosts=encoding.shares(entry.hosts))


def _reservation_traits(client):
    body = client.get('/traits?name=startswith:%s' % parse.quote(
        names.RESERVATION_PREFIX, safe='')).body
    return [t for t in body['traits'] if names.reservation_of_trait(t)]


def _reservation_classes(client):
    body = client.get('/resource_classes').body
    return [rc['name'] for rc in body['resource_classes']
            if names.reservation_of_class(rc['name'])]


def _sync_reservable(client, store, context, report):
    enrolled = {h['uuid']: h['hypervisor_hostname']
                for h in store.list_hosts(context) if h['reservable']}
    enrolled.update(store.held_hosts(context).values())
    marked = {rp['uuid'] for rp in providers.list_providers(
        client, required={names.RESERVABLE_TRAIT})}
    for uuid in sorted(set(enrolled) - marked):
        try:
            report.changes += encoding.enrol_host(client, uuid)
        except exception.NotFound:
            report.problems.append(
                'host %s (%s): its compute node provider is not in '
                'Placement' % (enrolled[uuid], uuid))
    for uuid in sorted(marked - set(enrolled)):
        report.changes += encoding.withdraw_host(client, uuid)


def _stale_plan(store, context, rid, trait):
    """A plan to remove reservation ``rid`` whose access trait is
    ``trait`` (or None when only its resource class is left)."""
    owner = store.reservation_owner(context, rid)
    hosts = ()
    rtype = None
    project = ''
    if owner is not None:
        project, rtype = owner.project_id, owner.resource_type
        hosts = encoding.shares(owner.hosts)
    return encoding.Plan(rid, project, rtype, hosts, access_trait=trait)


def _writer_of(client, trait):
    """The reservation type that writes ``trait`` where Placement has it:
    the slot type when a child provider carries it, else the whole-host
    type."""
    on_child = any(rp.get('parent_provider_uuid') for rp in
                   providers.list_providers(client, required={trait}))
    return next(k for k in reservations.registry().values()
                if k.slots_on_child == on_child)


def _slot_holders(client, store, context, rc):
    """Hosts whose reservation child holds inventory of ``rc``, for a
    reservation the store no longer knows: one read per enrolled host, so
    only done for such leftovers."""
    found = []
    for host in store.list_hosts(context):
        child = names.child_provider_uuid(host['uuid'])
        inventories, _ = providers.get_inventories(client, child)
        if inventories and rc in inventories:
            found.append(encoding.HostShare(host['uuid'],
                                            host['hypervisor_hostname']))
    return tuple(found)


def _remove(client, plan, report):
    try:
        report.changes += reservations.deactivate(client, plan)
    except exception.InventoryInUse as exc:
        report.kept.append('reservation %s: %s' % (plan.reservation_id, exc))
    except exception.ReservationError as exc:
        if isinstance(exc, exception.PlacementUnavailable):
            raise
        report.problems.append('reservation %s: %s'
                               % (plan.reservation_id, exc))


def reconcile(client, store, context):
    """Repair Placement from the store; return a ``Report``."""
    report = Report()
    _sync_reservable(client, store, context, report)
    plans = [plan_from_live(e) for e in store.live_reservations(context)]
    live_traits = set()
    for plan in plans:
        live_traits.add(plan.trait)
        try:
            report.changes += reservations.activate(client, plan)
        except exception.InventoryInUse as exc:
            report.kept.append('reservation %s: %s'
                               % (plan.reservation_id, exc))
        except exception.NotFound as exc:
            report.problems.append('reservation %s: %s'
                                   % (plan.reservation_id, exc))
    live_ids = {p.reservation_id for p in plans}
    # Instance reservations whose slots the trait pass already removed or
    # reported as kept.
    handled = set()
    for trait in _reservation_traits(client):
        if trait in live_traits:
            continue
        rid = names.reservation_of_trait(trait)
        plan = _stale_plan(store, context, rid, trait)
        if plan.resource_type is None:
            # Unknown to the store: the trait's providers tell how it was
            # written (on child providers: slots).
            plan = dataclasses.replace(plan, resource_type=_writer_of(
                client, trait).name)
        _remove(client, plan, report)
        if reservations.kind(plan.resource_type).slots_on_child:
            handled.add(rid)
    for rc in _reservation_classes(client):
        rid = names.reservation_of_class(rc)
        if rid in live_ids or rid in handled:
            continue
        plan = dataclasses.replace(_stale_plan(store, context, rid, None),
                                   resource_type=reservations.slot_kind().name)
        if not plan.hosts:
            plan = dataclasses.replace(
                plan, hosts=_slot_holders(client, store, context, rc))
        _remove(client, plan, report)
    live_hosts = {h.uuid for p in plans for h in p.hosts}
    for rp in providers.list_providers(client,
                                       required={names.RESERVED_TRAIT}):
        if rp['uuid'] not in live_hosts:
            report.changes += encoding.refresh_reserved_mark(client,
                                                             rp['uuid'])
    for line in report.changes:
        LOG.info('Placement sync: %s', line)
    for line in report.kept + report.problems:
        LOG.warning('Placement sync: %s', line)
    return report
