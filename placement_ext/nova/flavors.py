"""The private flavor of an instance reservation.

Its id is the reservation id (as Blazar does), its name
``reservation:<id>``, its size the reserved slot size, and its extra specs
ask Placement for one unit of ``CUSTOM_RESERVATION_<ID>`` per instance; only
the lease's project has access. A ``flavor:instance`` reservation's flavor
also has its source flavor's ephemeral disk, swap and extra specs (its
``resources:`` and ``trait:`` ones among them), so that an instance of it
asks Placement what the source flavor asks, plus its slot. Both functions
may be repeated at will and return the changes they made.
"""

from urllib import parse

from oslo_log import log as logging

from placement_ext.nova import compute as compute_api
from blazar_nova import names

LOG = logging.getLogger(__name__)


def _flavor_url(reservation_id):
    return '/flavors/%s' % parse.quote(reservation_id, safe='')


def flavor_name(reservation_id):
    return 'reservation:%s' % reservation_id


def extra_specs(reservation_id, extra_resources=None, more=None):
    """The flavor's extra specs: ``more`` (a source flavor's), the extra
    resources and the reserved slot."""
    specs = {key: str(value) for key, value in (more or {}).items()}
    for resource_class, amount in sorted((extra_resources or {}).items()):
        specs['resources:%s' % resource_class] = str(amount)
    specs['resources:%s' % names.resource_class(reservation_id)] = '1'
    return specs


def ensure_flavor(compute, reservation_id, project_id, vcpus, memory_mb,
                  disk_gb, extra_resources=None, more_specs=None,
                  ephemeral_gb=0, swap_mb=0):
    """Create the reservation's flavor with access for ``project_id``."""
    changes = []
    url = _flavor_url(reservation_id)
    if compute.get(url, expect=(200, 404)).status == 404:
        body = {'flavor': {'id': reservation_id,
                           'name': flavor_name(reservation_id),
                           'vcpus': vcpus, 'ram': memory_mb,
                           'disk': disk_gb,
                           'os-flavor-access:is_public': False}}
        if ephemeral_gb:
            body['flavor']['OS-FLV-EXT-DATA:ephemeral'] = ephemeral_gb
        if swap_mb:
            body['flavor']['swap'] = swap_mb
        if compute.post('/flavors', body, expect=(200, 409)).status == 200:
            changes.append('created flavor %s' % flavor_name(reservation_id))
    specs = extra_specs(reservation_id, extra_resources, more_specs)
    current = compute.get(url + '/os-extra_specs').body['extra_specs']
    if any(current.get(k) != v for k, v in specs.items()):
        compute.post(url + '/os-extra_specs', {'extra_specs': specs})
        changes.append('set extra specs of flavor %s'
                       % flavor_name(reservation_id))
    access = compute.get(url + '/os-flavor-access').body['flavor_access']
    if project_id not in {a['tenant_id'] for a in access}:
        compute.post(url + '/action',
                     {'addTenantAccess': {'tenant': project_id}},
                     expect=(200, 409))
        changes.append('gave project %s access to flavor %s'
                       % (project_id, flavor_name(reservation_id)))
    return changes


def delete_flavor(compute, reservation_id):
    """Delete the reservation's flavor if it exists."""
    resp = compute.delete(_flavor_url(reservation_id), expect=(202, 404))
    if resp.status == 202:
        return ['deleted flavor %s' % flavor_name(reservation_id)]
    return []


def reservation_flavors(compute):
    """Ids of every flavor named ``reservation:<id>`` (private ones
    included), as ``{reservation_id: flavor_id}``."""
    prefix = flavor_name('')
    return {flavor['name'][len(prefix):]: flavor['id']
            for _url, flavor in compute_api.paginated(
                compute, '/flavors/detail', {'is_public': 'None'}, 'flavors')
            if flavor['name'].startswith(prefix)}
