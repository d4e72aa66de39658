"""Make Nova's reservation flavors match the store, and report.

Rule: every live instance reservation (``store.live``) has its private
flavor, with the reserved size and access for its project
(``flavors.ensure_flavor``); a ``reservation:<id>`` flavor or server group
whose reservation is not live (ended, deleted, unknown) is deleted. (A
live reservation's server group is the agent's start's to make.) Changes are
reported as sentences, like the Placement reconcile's.
"""

from oslo_log import log as logging

from placement_ext import exception
from placement_ext.nova import flavors
from placement_ext.nova import server_groups
from placement_ext.placement import reconcile
from placement_ext import reservations

LOG = logging.getLogger(__name__)


def reconcile_flavors(compute, store, context, report=None):
    """Repair Nova's reservation flavors from the store; return the
    ``reconcile.Report`` (``report`` is extended when given)."""
    report = report or reconcile.Report()
    live = {}
    for entry in store.live_reservations(context):
        size = reservations.kind(entry.resource_type).flavor(entry)
        if size is not None:
            live[entry.reservation_id] = (entry, size)
    for rid, (entry, size) in sorted(live.items()):
        try:
            report.changes += flavors.ensure_flavor(
                compute, rid, entry.project_id, *size)
        except exception.ServiceRefused as exc:
            report.problems.append('reservation %s: %s' % (rid, exc))
    for rid in sorted(set(flavors.reservation_flavors(compute)) - set(live)):
        report.changes += flavors.delete_flavor(compute, rid)
    for rid, ids in sorted(server_groups.reservation_groups(compute).items()):
        if rid not in live:
            report.changes += server_groups.delete_groups(compute, rid, ids)
    for line in report.changes:
        LOG.info('Nova sync: %s', line)
    return report
