"""Store dicts as Blazar's API shows them.

Dates are Blazar's ``YYYY-MM-DDTHH:MM:SS.ffffff`` (python-blazarclient
parses them so to prolong or defer a lease); a host's properties appear
as top-level fields, as Blazar shows extra capabilities.
"""

from placement_ext import timeconv


def lease(view):
    shown = dict(view)
    for field in ('start_date', 'end_date', 'before_end_date', 'created_at',
                  'updated_at'):
        shown[field] = timeconv.blazar_text(view.get(field))
    shown['trust_id'] = None
    shown['reservations'] = [reservation(r) for r in view['reservations']]
    shown['events'] = [
        dict(e, lease_id=view['id'], time=timeconv.blazar_text(e['time']))
        for e in view['events']]
    return shown


def reservation(view):
    shown = dict(view)
    # Blazar's field for what the reservation made in Nova/Placement.
    shown['resource_id'] = view['id']
    shown['missing_resources'] = False
    shown['resources_changed'] = False
    return shown


# Fields of Blazar's compute host this service does not record (it reads a
# host's capacity from Placement, not Nova's hypervisor details, and keeps
# no trust): shown as null, for clients that read every field of Blazar's
# host (blazar-dashboard's host calendar reads cpu_info and
# hypervisor_type, and fails on a host without them).
UNRECORDED_HOST_FIELDS = ('cpu_info', 'hypervisor_type',
                          'hypervisor_version', 'status', 'trust_id')

# A host's own fields; a property may not take one of these names, or the
# host body could not show it.
HOST_FIELDS = frozenset([
    'id', 'uuid', 'name', 'hypervisor_hostname', 'service_name', 'vcpus',
    'memory_mb', 'local_gb', 'extra_capacity', 'reservable', 'created_at',
    'updated_at'] + list(UNRECORDED_HOST_FIELDS))


def host(view):
    shown = {
        'id': view['id'],
        'uuid': view['uuid'],
        'hypervisor_hostname': view['hypervisor_hostname'],
        'service_name': view['hypervisor_hostname'],
        'vcpus': view['vcpus'],
        'memory_mb': view['memory_mb'],
        'local_gb': view['local_gb'],
        'extra_capacity': view['extra_capacity'],
        'reservable': view['reservable'],
        'created_at': timeconv.blazar_text(view['created_at']),
        'updated_at': timeconv.blazar_text(view['updated_at']),
    }
    shown.update(dict.fromkeys(UNRECORDED_HOST_FIELDS))
    for name, value in view['properties'].items():
        shown.setdefault(name, value)
    return shown


def allocation(host_id, bookings):
    """Blazar's allocation of one host: the reservations holding it."""
    return {
        'resource_id': host_id,
        'reservations': [
            {'id': b['reservation_id'], 'lease_id': b['lease_id'],
             'start_date': timeconv.epoch_blazar_text(b['start']),
             'end_date': timeconv.epoch_blazar_text(b['end'])}
            for b in bookings],
    }
