"""Lease bodies: Blazar's, plus ``end_action`` and ``keep_grace``.

A reservation's fields and their shapes are its type's
(``placement_ext.reservations``, the same ``Field`` objects the store
parses with); the fields Blazar returns on GET and clients send back are
the store's (``store.validation``), accepted and ignored.
"""

from placement_ext.api import schemas as common
from placement_ext.conf import leases as leases_conf
from placement_ext import limits
from placement_ext import reservations
from placement_ext import states
from placement_ext.store import validation

# Shapes of the echoed fields the store reads; every other echoed field is
# accepted as any JSON value and ignored.
_ECHOES = {'id': common.UUID_LIKE, 'lease_id': common.UUID_LIKE,
           'status': common.NULLABLE_STR}


def _properties(fields):
    """The schema's properties: ``fields``' shapes, ``resource_type`` and
    the echoes."""
    properties = {name: _ECHOES.get(name, {})
                  for name in validation.RESERVATION_TOLERATED_KEYS}
    properties.update({name: field.shape for name, field in fields.items()})
    properties['resource_type'] = {'type': 'string',
                                   'enum': list(reservations.names())}
    return dict(sorted(properties.items()))


RESERVATION = {
    'type': 'object',
    'properties': _properties(reservations.request_fields()),
    'required': ['resource_type'],
    'additionalProperties': False,
}

# Seconds, or digits with a unit (``"2h"``): the store parses them.
_DURATION = {'type': ['integer', 'string'], 'maxLength': 32}
_END = {
    'end_action': {'type': 'string', 'enum': list(leases_conf.END_ACTIONS)},
    'keep_grace': _DURATION,
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
        **_END,
        # A lease without reservations is accepted, as in Blazar.
        reservations={'type': 'array', 'items': RESERVATION,
                      'maxItems': validation.MAX_RESERVATIONS},
        events={'type': 'array', 'maxItems': 16,
                'items': {'type': 'object', 'maxProperties': 16}}),
    'required': ['name', 'start_date', 'end_date'],
    'additionalProperties': False,
}

# A change names the reservation it changes, with the fields a change may
# set; its type may be restated but not changed (the store refuses that
# in Blazar's words).
_RESERVATION_CHANGE = {
    'type': 'object',
    'properties': dict(_properties(reservations.change_fields()),
                       resource_type={'type': 'string',
                                      'maxLength': 255}),
    'required': ['id'],
    'additionalProperties': False,
}

_MOVE = {'type': 'string', 'maxLength': 32}

UPDATE = {
    'type': 'object',
    'properties': dict(
        _NAME_AND_DATES,
        **_END,
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
