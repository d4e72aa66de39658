"""Make Nova's reservation flavors match the store, and report.

Rule: every live instance reservation (``store.live``) has its private
flavor, with the reserved size and access for its project
(``flavors.ensure_flavor``); a ``reservation:<id>`` flavor whose
reservation is not live (ended, deleted, unknown) is deleted. Changes are
reported as sentences, like the Placement reconcile's.
"""

from oslo_log import log as logging

from placement_ext.nova import flavors
from placement_ext import exception
from placement_ext.placement import encoding
from placement_ext.placement import reconcile

LOG = logging.getLogger(__name__)


def reconcile_flavors(compute, store, context, report=None):
    """Repair Nova's reservation flavors from the store; return the
    ``reconcile.Report`` (``report`` is extended when given)."""
    report = report or reconcile.Report()
    live = {entry['reservation_id']: entry
            for entry in store.live_reservations(context)
            if entry['resource_type'] == encoding.INSTANCE}
    for rid, entry in sorted(live.items()):
        try:
            report.changes += flavors.ensure_flavor(
                compute, rid, entry['project_id'], entry['vcpus'],
                entry['memory_mb'], entry['disk_gb'],
                entry['extra_resources'])
        except exception.ServiceRefused as exc:
            report.problems.append('reservation %s: %s' % (rid, exc))
    for rid in sorted(set(flavors.reservation_flavors(compute)) - set(live)):
        report.changes += flavors.delete_flavor(compute, rid)
    for line in report.changes:
        LOG.info('Nova sync: %s', line)
    return report
