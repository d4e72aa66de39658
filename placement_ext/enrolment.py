"""Enrolling a compute host: the store's row and Placement's mark, as one.

``POST /v1/os-hosts`` and ``blazar-nova-manage host add`` both enrol through
``enrol``: the host's capacity is read from its compute node in Placement
(the root provider named after the hypervisor hostname), the row is
written, the node gets ``CUSTOM_BLAZAR_RESERVABLE`` (unless it is enrolled
not reservable); when Placement refuses the mark, the row is removed again,
so a failed enrolment leaves nothing.
"""

from oslo_log import log as logging

from placement_ext import exception
from placement_ext.placement import compute_nodes
from placement_ext.placement import encoding

LOG = logging.getLogger(__name__)


def enrol(store, placement, context, hypervisor_hostname, reservable=True,
          properties=None):
    """Enrol the compute node named ``hypervisor_hostname``; the host as
    the store shows it. ``NotFound`` when Placement has no such node."""
    node = compute_nodes.find(placement, hypervisor_hostname)
    values = dict(node, hypervisor_hostname=hypervisor_hostname,
                  reservable=reservable, properties=dict(properties or {}))
    host = store.create_host(context, values)
    try:
        if reservable:
            encoding.enrol_host(placement, node['uuid'])
    except exception.ReservationError:
        store.delete_host(context, host['id'])
        raise
    LOG.info('Enrolled host %s (%s)', hypervisor_hostname, node['uuid'])
    return host
