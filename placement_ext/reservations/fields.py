"""The fields a reservation body may hold, each with its shape and its
meaning in one place.

A ``Field`` gives the JSON-schema shape the API checks and the parser the
store runs; the API's schema is built from the same ``Field`` objects the
store parses with, so the two cannot disagree. Parsers are pure and raise
``InvalidInput`` naming the field (``reservations[0].min``).
"""

import dataclasses
import json
import re
import typing

from placement_ext import blazar_words
from placement_ext.exception import InvalidInput
from placement_ext import json_shapes
from placement_ext import limits

MAX_INT = limits.MAX_INT
_INT_RE = re.compile(r'^-?\d+$')
_AFFINITY = {'true': True, 'false': False, 'none': None, 'null': None}
_RESOURCE_CLASS_RE = re.compile(r'^[A-Z0-9_]{1,255}$')
# Extra resource classes must not repeat what vcpus/memory_mb/disk_gb say.
STANDARD_CLASSES = frozenset(['VCPU', 'MEMORY_MB', 'DISK_GB'])


@dataclasses.dataclass(frozen=True)
class Field:
    """One field of a reservation body.

    ``parse(value, name)`` gives the value the request holds (``name`` is
    the field's full name for messages); ``required`` fields must be
    given at creation; ``changeable`` ones may be given in a lease update.
    """

    shape: dict
    parse: typing.Callable
    required: bool = False
    changeable: bool = True


def parse_int(value, field, minimum):
    """An integer from ``minimum`` to 2**31-1, given as a JSON integer or a
    decimal string; booleans and floats are refused."""
    if isinstance(value, str) and _INT_RE.match(value):
        if len(value.lstrip('-').lstrip('0')) > limits.MAX_DIGITS:
            # Too many digits for any accepted integer (and for int()).
            value = '-%d' % (MAX_INT + 1) if value[0] == '-' \
                else str(MAX_INT + 1)
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raise InvalidInput(field, 'must be an integer, got %r' % (value,))
    if number < minimum:
        raise InvalidInput(field, 'must be at least %d, got %d'
                           % (minimum, number))
    if number > MAX_INT:
        raise InvalidInput(field, 'must be at most %d' % MAX_INT)
    return number


def parse_affinity(value, field):
    """True, False or None, also given as "true"/"false"/"none"/"null" in
    any case."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in _AFFINITY:
        return _AFFINITY[value.lower()]
    raise InvalidInput(field, '%r is not true, false or none' % (value,))


def check_properties(value, field):
    """Property filters stay as given; only their type is checked here
    (``property_filter`` reads them when the allocator needs them)."""
    if value is not None and not isinstance(value, (str, list)):
        raise InvalidInput(field, 'must be a JSON string or a list, got %s'
                           % type(value).__name__)
    return value


def parse_extra_resources(value, field):
    """A dict of Placement resource class names to positive integers."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInput(field, 'must be an object of resource class '
                           'names to amounts')
    extra = {}
    for name, amount in value.items():
        if not isinstance(name, str) or not _RESOURCE_CLASS_RE.match(name):
            raise InvalidInput(field, '%r is not a resource class name '
                               '(A-Z, 0-9 and _ only)' % (name,))
        if name in STANDARD_CLASSES:
            raise InvalidInput(field, '%s is given by vcpus, memory_mb or '
                               'disk_gb, not extra_resources' % name)
        extra[name] = parse_int(amount, '%s.%s' % (field, name), 1)
    return extra


def check_keys(values, allowed, prefix):
    """Refuse the first (in sorted order) key not in ``allowed``."""
    unknown = sorted(str(key) for key in values if key not in allowed)
    if unknown:
        raise InvalidInput(prefix + unknown[0], 'unknown field')


def integer(minimum, required=True):
    """A required integer field of at least ``minimum``."""
    return Field(json_shapes.INT,
                 lambda value, name: parse_int(value, name, minimum),
                 required=required)


def parse_all(fields, values, prefix):
    """``{name: parsed value}`` of every field in ``fields`` (None when an
    optional one is absent), in the order ``fields`` lists them."""
    parsed = {}
    for name, field in fields.items():
        if name in values:
            parsed[name] = field.parse(values[name], prefix + name)
        elif field.required:
            raise InvalidInput(prefix + name, 'is required',
                               message=blazar_words.missing_parameter(name))
        else:
            parsed[name] = field.parse(None, prefix + name)
    return parsed


def expression_text(expression):
    """A property filter as the store keeps it: Blazar's JSON text, or
    '' for none."""
    if expression in (None, '', []):
        return ''
    if isinstance(expression, str):
        return expression
    return json.dumps(expression)


RESOURCE_PROPERTIES = Field(json_shapes.PROPERTY_FILTER, check_properties)
AFFINITY = Field({'type': ['string', 'boolean', 'null'], 'maxLength': 16},
                 parse_affinity)
EXTRA_RESOURCES = Field({'type': ['object', 'null'], 'maxProperties': 32,
                         'additionalProperties': json_shapes.INT},
                        parse_extra_resources, changeable=False)
