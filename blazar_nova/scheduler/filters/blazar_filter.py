"""Keep reserved and reservable hosts for the projects holding them.

==========================  =================================================
Request                     A host passes when
==========================  =================================================
hint ``reservation=R``      its compute node carries R's access trait for the
                            request's project (R is an active host
                            reservation of that project)
flavor ``resources:         its ``blazar_<host>`` child carries R's access
CUSTOM_RESERVATION_R``      trait for the request's project (an active
                            instance reservation of that project)
preemptible flavor, with    it carries no ``CUSTOM_BLAZAR_RESERVED``
``allow_preemptibles``
anything else               it carries no ``CUSTOM_BLAZAR_RESERVABLE``
==========================  =================================================

A malformed hint, several reservations in one request, an unknown, ended,
not yet started or foreign reservation: no host passes, and the log says
which of these the request itself shows. Each request costs at most one
Placement call and a set lookup per host. If Placement cannot be read the
filter fails closed: reserved and reservable hosts (as last known) fail,
others pass. Rebuilds are not filtered: a rebuild stays on its host, whose
use was checked when the server was scheduled (``RUN_ON_REBUILD = False``).
"""

from nova.scheduler.client import report
from nova.scheduler import filters
from nova.scheduler import utils as scheduler_utils
import nova.conf
from oslo_log import log as logging

from blazar_nova import conf as filter_conf
from blazar_nova.scheduler import placement_view
from blazar_nova.scheduler import request

LOG = logging.getLogger(__name__)
CONF = nova.conf.CONF
filter_conf.register_opts(CONF)


class BlazarFilter(filters.BaseHostFilter):
    """Only lease holders land on reserved hosts (see module docstring)."""

    run_filter_once_per_request = True
    RUN_ON_REBUILD = False

    def __init__(self):
        super().__init__()
        self._view = placement_view.PlacementView(
            report.report_client_singleton,
            CONF.blazar_filter.reservable_hosts_refresh)

    def host_passes(self, host_state, spec_obj):
        return bool(self.filter_all([host_state], spec_obj))

    def filter_all(self, filter_obj_list, spec_obj):
        hosts = list(filter_obj_list)
        if scheduler_utils.request_is_rebuild(spec_obj):
            return hosts
        allowed, refused = self._decide(spec_obj)
        if allowed is not None:
            return [h for h in hosts if h.uuid in allowed]
        return [h for h in hosts if h.uuid not in refused]

    def _decide(self, spec_obj):
        """``(allowed, refused)``: a set of the only hosts that may pass,
        or None and a set of hosts that may not."""
        claim = request.classify(
            spec_obj, CONF.blazar_filter.allow_preemptibles)
        request_id = _request_id(spec_obj)
        if claim.kind == request.REFUSED:
            LOG.info('BlazarFilter: no host for request %s: %s',
                     request_id, claim.reason)
            return set(), None
        if claim.kind in (request.HOST_RESERVATION,
                          request.INSTANCE_RESERVATION):
            return self._holders(claim, spec_obj, request_id), None
        if claim.kind == request.PREEMPTIBLE:
            return None, self._not_for_preemptibles(request_id)
        return None, self._reservable(request_id)

    def _holders(self, claim, spec_obj, request_id):
        try:
            allowed = self._view.holders(
                claim.trait,
                on_child=claim.kind == request.INSTANCE_RESERVATION)
        except placement_view.Unavailable as exc:
            LOG.error('BlazarFilter: Placement unreachable, failing every '
                      'host for %s %s of request %s: %s', claim.kind,
                      claim.reservation_id, request_id, exc)
            return set()
        if not allowed:
            LOG.info('BlazarFilter: %s %s is not active for project %s on '
                     'any host (unknown, not started, ended or not the '
                     "project's); request %s gets no host", claim.kind,
                     claim.reservation_id, spec_obj.project_id, request_id)
        return allowed

    def _not_for_preemptibles(self, request_id):
        try:
            return self._view.reserved()
        except placement_view.Unavailable as exc:
            known = self._view.known_reservable()
            LOG.error('BlazarFilter: Placement unreachable (%s); '
                      'preemptible request %s fails on %s', exc, request_id,
                      'every host' if known is None else
                      '%d reservable host(s)' % len(known))
            return known if known is not None else _EVERY_HOST

    def _reservable(self, request_id):
        try:
            hosts, fresh = self._view.reservable()
        except placement_view.Unavailable as exc:
            LOG.error('BlazarFilter: Placement unreachable and reservable '
                      'hosts never read (%s): failing every host for request '
                      '%s', exc, request_id)
            return _EVERY_HOST
        if not fresh:
            LOG.error('BlazarFilter: Placement unreachable; keeping request '
                      '%s off the %d reservable host(s) last read',
                      request_id, len(hosts))
        return hosts


class _Everything:
    """A set that contains every host."""

    def __contains__(self, item):
        return True


_EVERY_HOST = _Everything()


def _request_id(spec_obj):
    if spec_obj.obj_attr_is_set('instance_uuid'):
        return spec_obj.instance_uuid
    return None
