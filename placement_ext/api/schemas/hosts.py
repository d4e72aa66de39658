"""Host bodies: enrol by hypervisor hostname, change properties."""

from placement_ext.api import schemas as common

# Extra capabilities (Blazar's name for host properties): flat strings.
_PROPERTY_NAME = r'^[A-Za-z0-9_.:-]{1,64}$'
_PROPERTY_VALUE = {'type': ['string', 'number', 'boolean'],
                   'maxLength': 255}

CREATE = {
    'type': 'object',
    'properties': {
        'name': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'reservable': {'type': 'boolean'},
    },
    'patternProperties': {_PROPERTY_NAME: _PROPERTY_VALUE},
    'required': ['name'],
    'additionalProperties': False,
}

# What python-blazarclient sends (``host set --extra k=v``, ``host unset
# --extra k``): the changes themselves, ``null`` unsetting a property.
UPDATE = {
    'type': 'object',
    'minProperties': 1,
    'properties': {'reservable': {'type': 'boolean'}},
    'patternProperties': {
        _PROPERTY_NAME: {'type': ['string', 'number', 'boolean', 'null'],
                         'maxLength': 255}},
    'additionalProperties': False,
}

ALLOCATIONS_QUERY = {
    'type': 'object',
    'properties': {
        'lease_id': {'type': 'string', 'maxLength': 36},
        'reservation_id': {'type': 'string', 'maxLength': 36},
    },
    'additionalProperties': False,
}

PROPERTIES_QUERY = {
    'type': 'object',
    'properties': {'detail': common.BOOL_QUERY, 'all': common.BOOL_QUERY},
    'additionalProperties': False,
}

PROPERTY_UPDATE = {
    'type': 'object',
    'properties': {'private': {'type': 'boolean'}},
    'required': ['private'],
    'additionalProperties': False,
}
