"""Plain-dict views of store rows, in Blazar's field names."""

from placement_ext import reservations
from placement_ext import timeconv


def host_view(host):
    return {
        'id': str(host.id),
        'uuid': host.uuid,
        'hypervisor_hostname': host.hypervisor_hostname,
        'reservable': host.reservable,
        'vcpus': host.vcpus,
        'memory_mb': host.memory_mb,
        'local_gb': host.local_gb,
        'extra_capacity': dict(host.extra_capacity or {}),
        'properties': dict(host.properties or {}),
        'created_at': timeconv.to_text(host.created_at),
        'updated_at': timeconv.to_text(host.updated_at),
    }


def reservation_view(row, allocations=None):
    """``row``: a reservation (ORM object or Core row); ``allocations``:
    its ``(host_id, hypervisor_hostname, slots)``, read from the ORM
    object's when not given."""
    if allocations is None:
        allocations = [(a.host_id, a.host.hypervisor_hostname, a.slots)
                       for a in row.allocations]
    view = {
        'id': row.id,
        'lease_id': row.lease_id,
        'resource_type': row.resource_type,
        'status': row.status,
        'resource_properties': row.resource_properties or '',
        'allocations': [
            {'host_id': str(host_id), 'hypervisor_hostname': hostname,
             'slots': slots}
            for host_id, hostname, slots in sorted(allocations)],
    }
    view.update(reservations.kind(row.resource_type).view(row))
    return view


def lease_view(lease, reservations=None, events=None):
    """``lease``: an ORM object, or a Core row with its ``reservations``
    (views, in order) and ``events`` (rows with ``event_type``, ``time``
    and ``status``, in order)."""
    if reservations is None:
        # In the order the database gives them (``Lease.reservations``),
        # also for a lease just created, whose list is in request order.
        reservations = [reservation_view(r) for r in sorted(
            lease.reservations, key=lambda r: (r.created_at, r.id))]
    if events is None:
        events = lease.events
    return {
        'id': lease.id,
        'name': lease.name,
        'project_id': lease.project_id,
        'user_id': lease.user_id,
        'start_date': timeconv.to_text(lease.start_date),
        'end_date': timeconv.to_text(lease.end_date),
        'before_end_date': timeconv.to_text(lease.before_end_date),
        'status': lease.status,
        'end_action': lease.end_action,
        'keep_grace': lease.keep_grace,
        'degraded': lease.degraded_reason is not None,
        'degraded_reason': lease.degraded_reason,
        'reservations': reservations,
        'events': [{'event_type': e.event_type,
                    'time': timeconv.to_text(e.time),
                    'status': e.status} for e in events],
        'created_at': timeconv.to_text(lease.created_at),
        'updated_at': timeconv.to_text(lease.updated_at),
    }
