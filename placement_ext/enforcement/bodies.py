"""The JSON bodies Blazar's enforcement sends, built from store rows.

``context``: ``user_id``, ``project_id`` (the lease's), ``auth_url`` and
``region_name`` (``[enforcement] context_auth_url`` and
``context_region_name``). ``lease``: the lease in the API's field names,
its dates in Blazar's ``isoformat()`` form (``2030-01-01T01:00:00``),
each reservation with ``allocations``: the hosts it holds (the API's host
fields, plus ``slots``), as Blazar's lists of compute hosts. A lease not yet
created has no ``id``, ``status``, ``events`` or timestamps, and its
reservations no ``id``, ``lease_id`` or ``status``.
"""

from placement_ext.store import views

_NEW_LEASE_DROPS = ('id', 'status', 'events', 'degraded', 'degraded_reason',
                    'created_at', 'updated_at')
_NEW_RESERVATION_DROPS = ('id', 'lease_id', 'status')


def iso(moment):
    """Blazar's form of a naive UTC datetime (None stays None)."""
    return moment.isoformat() if moment is not None else None


def context_body(conf, lease):
    return {'user_id': lease.user_id, 'project_id': lease.project_id,
            'auth_url': conf.enforcement.context_auth_url,
            'region_name': conf.enforcement.context_region_name}


def host_body(host, slots):
    body = views.host_view(host)
    body['created_at'] = iso(host.created_at)
    body['updated_at'] = iso(host.updated_at)
    body['slots'] = slots
    return body


def reservation_body(row, new=False):
    body = views.reservation_view(row)
    body['allocations'] = [
        host_body(allocation.host, allocation.slots)
        for allocation in sorted(row.allocations, key=lambda a: a.host_id)]
    for key in _NEW_RESERVATION_DROPS if new else ():
        body.pop(key, None)
    return body


def lease_body(lease, new=False):
    """The ORM ``lease`` (flushed) as Blazar's ``lease`` body; ``new``
    for a lease that is not created yet. Reservations come in the lease's
    order: a new lease's is the request's."""
    body = views.lease_view(lease, reservations=[
        reservation_body(row, new) for row in lease.reservations])
    for key in ('start_date', 'end_date', 'before_end_date', 'created_at',
                'updated_at'):
        body[key] = iso(getattr(lease, key))
    for event, row in zip(body['events'], lease.events):
        event['time'] = iso(row.time)
    for key in _NEW_LEASE_DROPS if new else ():
        body.pop(key, None)
    return body
