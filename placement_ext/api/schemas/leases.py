"""Lease bodies: Blazar's, plus ``end_action``.

The fields each body may hold are the store's (``store.validation``):
what it reads, and what it tolerates because Blazar returns it on GET and
clients send it back.
"""

from placement_ext.allocator import model
from placement_ext.api import schemas as common
from placement_ext.conf import leases as leases_conf
from placement_ext import limits
from placement_ext import states
from placement_ext.store import validation

# Shapes of the fields the store reads; every other field the store
# tolerates is accepted as any JSON value and ignored.
_SHAPES = {
    'id': common.UUID_LIKE, 'lease_id': common.UUID_LIKE,
    'status': common.NULLABLE_STR,
    'resource_type': {'type': 'string', 'enum': list(model.RESOURCE_TYPES)},
    'min': common.INT, 'max': common.INT, 'amount': common.INT,
    'vcpus': common.INT, 'memory_mb': common.INT, 'disk_gb': common.INT,
    'hypervisor_properties': common.PROPERTY_FILTER,
    'resource_properties': common.PROPERTY_FILTER,
    'before_end': common.NULLABLE_STR,
    'affinity': {'type': ['string', 'boolean', 'null'], 'maxLength': 16},
    'extra_resources': {'type': ['object', 'null'], 'maxProperties': 32,
                        'additionalProperties': common.INT},
}


def _fields(names):
    return {name: _SHAPES.get(name, {}) for name in sorted(names)}


RESERVATION = {
    'type': 'object',
    'properties': _fields(validation.HOST_KEYS | validation.INSTANCE_KEYS
                          | validation.RESERVATION_TOLERATED_KEYS),
    'required': ['resource_type'],
    'additionalProperties': False,
}

_NAME_AND_DATES = {
    'name': {'type': 'string', 'minLength': 1,
             'maxLength': limits.MAX_NAME_LENGTH},
    'start_date': common.DATE,
    'end_date': common.DATE,
    'before_end_date': common.DATE,
}

CREATE = {
    'type': 'object',
    'properties': dict(
        {name: {} for name in validation.LEASE_TOLERATED_KEYS},
        **_NAME_AND_DATES,
        reservations={'type': 'array', 'items': RESERVATION,
                      'minItems': 1,
                      'maxItems': validation.MAX_RESERVATIONS},
        events={'type': 'array', 'maxItems': 16,
                'items': {'type': 'object', 'maxProperties': 16}},
        end_action={'type': 'string',
                    'enum': list(leases_conf.END_ACTIONS)}),
    'required': ['name', 'start_date', 'end_date', 'reservations'],
    'additionalProperties': False,
}

# A change names the reservation it changes, with the fields a change may
# set (its type may not change).
_RESERVATION_CHANGE = {
    'type': 'object',
    'properties': _fields(set(validation.UPDATE_INT_MINIMUMS)
                          | set(validation.UPDATE_OTHER_KEYS)
                          | validation.RESERVATION_TOLERATED_KEYS),
    'required': ['id'],
    'additionalProperties': False,
}

_MOVE = {'type': 'string', 'maxLength': 32}

UPDATE = {
    'type': 'object',
    'properties': dict(
        _NAME_AND_DATES,
        # Blazar's relative moves are strings ("1h", "2d").
        prolong_for=_MOVE, reduce_by=_MOVE, defer_by=_MOVE,
        advance_by=_MOVE,
        reservations={'type': 'array', 'items': _RESERVATION_CHANGE,
                      'maxItems': validation.MAX_RESERVATIONS}),
    'minProperties': 1,
    'additionalProperties': False,
}

_STATUSES = sorted(states.LeaseStatus.ALL)

LIST_QUERY = {
    'type': 'object',
    'properties': {
        'all_projects': common.BOOL_QUERY,
        'project_id': {'type': 'string', 'minLength': 1,
                       'maxLength': limits.MAX_ID_LENGTH},
        # Blazar's statuses, in upper or lower case.
        'status': {'type': 'string',
                   'enum': _STATUSES + [s.lower() for s in _STATUSES]},
    },
    'additionalProperties': False,
}
