"""Lease bodies: Blazar's, plus ``end_action``."""

from placement_ext.api import schemas as common

# Fields Blazar returns on GET that clients may send back; the store
# ignores them.
_ECHOED_RESERVATION = {
    'id': common.UUID_LIKE, 'lease_id': common.UUID_LIKE,
    'status': common.NULLABLE_STR, 'missing_resources': {},
    'resources_changed': {}, 'resource_id': {}, 'allocations': {},
    'created_at': {}, 'updated_at': {},
}

_RESERVATION_FIELDS = dict(_ECHOED_RESERVATION, **{
    'resource_type': {'type': 'string',
                      'enum': ['physical:host', 'virtual:instance']},
    'min': common.INT, 'max': common.INT, 'amount': common.INT,
    'vcpus': common.INT, 'memory_mb': common.INT, 'disk_gb': common.INT,
    'hypervisor_properties': common.NULLABLE_STR,
    'resource_properties': common.NULLABLE_STR,
    'before_end': common.NULLABLE_STR,
    'affinity': {'type': ['string', 'boolean', 'null'], 'maxLength': 16},
    'extra_resources': {'type': 'object', 'maxProperties': 32,
                        'additionalProperties': common.INT},
})

RESERVATION = {
    'type': 'object',
    'properties': _RESERVATION_FIELDS,
    'required': ['resource_type'],
    'additionalProperties': False,
}

_EVENT = {'type': 'object', 'maxProperties': 16}

_NAME_AND_DATES = {
    'name': {'type': 'string', 'maxLength': 255},
    'start_date': common.DATE,
    'end_date': common.DATE,
    'before_end_date': common.DATE,
}

CREATE = {
    'type': 'object',
    'properties': dict(_NAME_AND_DATES, **{
        'reservations': {'type': 'array', 'items': RESERVATION,
                         'minItems': 1, 'maxItems': 100},
        'events': {'type': 'array', 'items': _EVENT, 'maxItems': 16},
        'end_action': {'type': 'string',
                       'enum': ['delete', 'shelve', 'keep']},
        # Echoed lease fields, ignored.
        'id': {}, 'project_id': {}, 'user_id': {}, 'trust_id': {},
        'status': {}, 'degraded': {},
    }),
    'required': ['name', 'start_date', 'end_date', 'reservations'],
    'additionalProperties': False,
}

# A change names the reservation it changes; its type may be left out.
_RESERVATION_CHANGE = dict(RESERVATION, required=['id'])

UPDATE = {
    'type': 'object',
    'properties': dict(_NAME_AND_DATES, **{
        'prolong_for': {'type': 'string', 'maxLength': 32},
        'reduce_by': {'type': 'string', 'maxLength': 32},
        'defer_by': {'type': 'string', 'maxLength': 32},
        'advance_by': {'type': 'string', 'maxLength': 32},
        'reservations': {'type': 'array', 'items': _RESERVATION_CHANGE,
                         'maxItems': 100},
    }),
    'minProperties': 1,
    'additionalProperties': False,
}

LIST_QUERY = {
    'type': 'object',
    'properties': {
        'all_projects': common.BOOL_QUERY,
        'project_id': {'type': 'string', 'maxLength': 255},
        'status': {'type': 'string', 'maxLength': 32},
    },
    'additionalProperties': False,
}
