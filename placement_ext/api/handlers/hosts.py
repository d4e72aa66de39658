"""``/v1/os-hosts``: enrolled compute nodes (administrators only).

Enrolling looks the node up in Placement by its hypervisor hostname,
records its capacity in the store and marks it reservable in Placement;
if the mark cannot be written the store row is removed again, so a
refused enrolment leaves nothing behind.
"""

from oslo_log import log as logging

from placement_ext.api import errors
from placement_ext import blazar_words
from placement_ext.api import policy
from placement_ext.api.policies import hosts as rules
from placement_ext.api.schemas import hosts as schemas
from placement_ext.api import util
from placement_ext.api import views
from placement_ext import enrolment
from placement_ext import exception
from placement_ext import limits
from placement_ext.placement import encoding
from placement_ext.store import snapshot
from placement_ext import timeconv

LOG = logging.getLogger(__name__)


def _authorize(req, rule):
    policy.authorize(util.services(req).conf, util.context(req), rule)


def _check_property_names(names):
    # The store refuses its own fields (vcpus...) with its own message.
    clashing = sorted(set(names) & views.HOST_FIELDS
                      - set(snapshot.STANDARD_PROPERTIES))
    if clashing:
        raise errors.HTTPError(
            400, 'Invalid property name(s) %s: a host field has that name.'
            % ', '.join(clashing))


def _check_key_lengths(body):
    """Refuse extra capabilities (host properties) whose name is longer
    than Blazar allows, in Blazar's words."""
    if isinstance(body, dict) and any(
            isinstance(key, str) and len(key) > limits.MAX_PROPERTY_NAME_LENGTH
            for key in body):
        raise errors.HTTPError(400, blazar_words.EXTRA_CAPABILITY_TOO_LONG)


def _reservable(value):
    """``reservable`` as a boolean: JSON's, or the text "true"/"false" in
    any case (what ``host set --extra reservable=false`` sends)."""
    return value if isinstance(value, bool) else value.lower() == 'true'


def _mark(services, ctx, host):
    """Show the host's reservable flag in Placement now; if Placement
    cannot take it, ``blazar-nova-manage reconcile`` does later. A host
    made unreservable that reservations still hold (started leases, or
    pending ones that found no other host) keeps the mark until they end,
    so that ordinary requests stay off it (reconcile's rule too)."""
    held = (not host['reservable'] and services.store.reservations_on_host(
        ctx, int(host['id'])))
    if held:
        LOG.info('Host %s is not reservable; Placement keeps it closed to '
                 'ordinary requests while reservation(s) %s hold it',
                 host['hypervisor_hostname'],
                 ', '.join(r.reservation_id for r in held))
    try:
        placement = services.placement.for_context(ctx)
        if host['reservable'] or held:
            encoding.enrol_host(placement, host['uuid'])
        else:
            encoding.withdraw_host(placement, host['uuid'])
    except (exception.ReservationError, errors.HTTPError) as exc:
        LOG.warning('Host %s is %sreservable in the store, but Placement '
                    'shows it at the next reconcile: %s',
                    host['hypervisor_hostname'],
                    '' if host['reservable'] else 'not ', exc)


def list_hosts(req):
    _authorize(req, rules.GET)
    util.query(req, {'type': 'object', 'additionalProperties': False})
    found = util.services(req).store.list_hosts(util.context(req))
    return util.respond({'hosts': [views.host(h) for h in found]})


def create(req):
    _authorize(req, rules.POST)
    body = util.json_body(req, schemas.CREATE,
                          precheck=_check_key_lengths)
    services = util.services(req)
    ctx = util.context(req)
    name = body.pop('name')
    reservable = _reservable(body.pop('reservable', True))
    _check_property_names(body)
    host = enrolment.enrol(services.store,
                           services.placement.for_context(ctx), ctx, name,
                           reservable=reservable, properties=body)
    return util.respond({'host': views.host(host)}, status=201)


def show(req, host_id):
    _authorize(req, rules.GET)
    host = util.services(req).store.get_host(util.context(req), host_id)
    return util.respond({'host': views.host(host)})


def update(req, host_id):
    """``{"gpu": "true", "rack": null}``: properties to set (``null``
    unsets one) and ``reservable``, as python-blazarclient sends them;
    merged into the host's properties by the store in one transaction.

    ``reservable`` false also moves the reservations of leases that have
    not started off the host, in that transaction (those that cannot move
    keep it and their lease is marked degraded; ``moved_reservations``
    lists both), and Placement shows the change before the answer.
    """
    _authorize(req, rules.PUT)
    changes = util.json_body(req, schemas.UPDATE,
                             precheck=_check_key_lengths)
    values = {}
    if 'reservable' in changes:
        values['reservable'] = _reservable(changes.pop('reservable'))
    _check_property_names(changes)
    services = util.services(req)
    ctx = util.context(req)
    host, outcomes = services.store.update_host_moving(
        ctx, host_id, values, property_changes=changes)
    body = {'host': views.host(host)}
    if 'reservable' in values:
        _mark(services, ctx, host)
        body['moved_reservations'] = [
            {'lease_id': o.lease_id, 'reservation_id': o.reservation_id,
             'moved': o.replaced, 'message': o.message} for o in outcomes]
        for outcome in outcomes:
            (LOG.info if outcome.replaced else LOG.warning)(
                'Lease %s, reservation %s: %s', outcome.lease_id,
                outcome.reservation_id, outcome.message)
    return util.respond(body)


def delete(req, host_id):
    """Remove a host no current or future reservation holds; its
    reservable mark leaves Placement too (or at the next reconcile, if
    Placement cannot be reached now)."""
    _authorize(req, rules.DELETE)
    services = util.services(req)
    ctx = util.context(req)
    host = services.store.get_host(ctx, host_id)
    services.store.delete_host(ctx, host['id'])
    try:
        encoding.withdraw_host(services.placement.for_context(ctx),
                               host['uuid'])
    except (exception.ReservationError, errors.HTTPError) as exc:
        LOG.warning('Host %s left the store but its reservable mark stays '
                    'in Placement until blazar-nova-manage reconcile: %s',
                    host['hypervisor_hostname'], exc)
    return util.no_content()


def _allocations(req, params, host_ids=None):
    store = util.services(req).store
    ctx = util.context(req)
    now = store.now()
    by_host = store.allocations_between(ctx, now, timeconv.FAR_FUTURE)
    if host_ids is None:
        host_ids = sorted(int(h['id']) for h in store.list_hosts(ctx))
    shown = []
    for host_id in host_ids:
        bookings = [b for b in by_host.get(host_id, [])
                    if params.get('lease_id', b['lease_id']) == b['lease_id']
                    and params.get('reservation_id', b['reservation_id'])
                    == b['reservation_id']]
        shown.append(views.allocation(str(host_id), bookings))
    return shown


def list_allocations(req):
    """Every host with the current and future reservations holding it
    (``lease_id``, ``reservation_id`` narrow them)."""
    _authorize(req, rules.GET_ALLOCATIONS)
    params = util.query(req, schemas.ALLOCATIONS_QUERY)
    return util.respond({'allocations': _allocations(req, params)})


def show_allocation(req, host_id):
    _authorize(req, rules.GET_ALLOCATIONS)
    params = util.query(req, schemas.ALLOCATIONS_QUERY)
    host = util.services(req).store.get_host(util.context(req), host_id)
    (allocation,) = _allocations(req, params, [int(host['id'])])
    return util.respond({'allocation': allocation})


def list_properties(req):
    """Property names hosts carry (``detail``: with their values; ``all``:
    private ones too)."""
    _authorize(req, rules.GET_PROPERTIES)
    params = util.query(req, schemas.PROPERTIES_QUERY)
    found = util.services(req).store.list_resource_properties(
        util.context(req), detail=util.flag(params.get('detail')),
        include_private=util.flag(params.get('all')))
    return util.respond({'resource_properties': found})


def update_property(req, name):
    _authorize(req, rules.UPDATE_PROPERTIES)
    body = util.json_body(req, schemas.PROPERTY_UPDATE)
    found = util.services(req).store.update_resource_property(
        util.context(req), name, body['private'])
    return util.respond({'resource_property': found})
