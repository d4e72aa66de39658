"""Availability requests: a reservation request and a window."""

from placement_ext.api import schemas as common
from placement_ext.api.schemas import leases

QUERY = {
    'type': 'object',
    'properties': {
        'reservation': leases.RESERVATION,
        'start_date': common.DATE,
        'end_date': common.DATE,
        'duration': {'type': ['integer', 'string'], 'maxLength': 32,
                     'minimum': 1},
    },
    'required': ['reservation', 'start_date', 'end_date'],
    'additionalProperties': False,
}
