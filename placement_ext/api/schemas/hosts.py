"""Host bodies: enrol by hypervisor hostname, change properties."""

from placement_ext.api import schemas as common
from placement_ext import limits

# Extra capabilities (Blazar's name for host properties): flat values.
_PROPERTY_NAME = limits.PROPERTY_NAME_PATTERN
_PROPERTY_VALUE = {'type': ['string', 'number', 'boolean'],
                   'maxLength': limits.MAX_PROPERTY_VALUE_LENGTH}
# python-blazarclient sends ``--extra reservable=false`` as the string.
RESERVABLE = {'type': ['boolean', 'string'],
              'pattern': '^(?i:true|false)$'}

CREATE = {
    'type': 'object',
    'properties': {
        'name': {'type': 'string', 'minLength': 1,
                 'maxLength': limits.MAX_HOSTNAME_LENGTH},
        'reservable': RESERVABLE,
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
    'properties': {'reservable': RESERVABLE},
    'patternProperties': {
        _PROPERTY_NAME: dict(_PROPERTY_VALUE,
                             type=['string', 'number', 'boolean', 'null'])},
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
