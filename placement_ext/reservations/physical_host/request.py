"""What a ``physical:host`` reservation asks: between ``min`` and ``max``
whole hosts matching its property filters.

Rules: ``min`` and ``max`` are integers of at least 1 and ``max`` is not
below ``min``; ``before_end`` is Blazar's ``default`` (notify only) or
``snapshot`` (snapshot the holder's instances at the before-end time);
``hypervisor_properties`` and ``resource_properties`` are Blazar's property
filters. ``before_end`` cannot be changed by an update.
"""

import dataclasses
import typing

from placement_ext import blazar_words
from placement_ext.exception import InvalidInput
from placement_ext import json_shapes
from placement_ext.reservations import fields

NAME = 'physical:host'
BEFORE_END_VALUES = ('default', 'snapshot')


@dataclasses.dataclass
class HostRequest:
    """A ``physical:host`` reservation: between min and max whole hosts."""

    min_count: int
    max_count: int
    hypervisor_properties: typing.Any = None
    resource_properties: typing.Any = None
    resource_type: str = NAME
    # Blazar's before-end action: 'default' (notify only) or 'snapshot'.
    before_end: str = 'default'


def _parse_before_end(value, name):
    if value is None:
        return 'default'
    if value not in BEFORE_END_VALUES:
        raise InvalidInput(name, '%r is not one of %s'
                           % (value, ', '.join(BEFORE_END_VALUES)))
    return value


FIELDS = {
    'min': fields.integer(1),
    'max': fields.integer(1),
    'before_end': fields.Field(json_shapes.NULLABLE_STR, _parse_before_end,
                               changeable=False),
    'hypervisor_properties': fields.Field(json_shapes.PROPERTY_FILTER,
                                          fields.check_properties),
    'resource_properties': fields.RESOURCE_PROPERTIES,
}


def check_min_max(min_count, max_count, prefix):
    """max must be at least min; the error names the max field."""
    if min_count > max_count:
        raise InvalidInput(prefix + 'max', 'min (%d) is greater than max (%d)'
                           % (min_count, max_count),
                           message=blazar_words.INVALID_RANGE)


def build(values, prefix):
    """A ``HostRequest`` from parsed fields."""
    check_min_max(values['min'], values['max'], prefix)
    return HostRequest(
        min_count=values['min'], max_count=values['max'],
        hypervisor_properties=values['hypervisor_properties'],
        resource_properties=values['resource_properties'],
        before_end=values['before_end'])


def check_change(change, prefix):
    """A change giving both min and max keeps max not below min."""
    if 'min' in change and 'max' in change:
        check_min_max(change['min'], change['max'], prefix)


def to_row(row, request):
    """Copy a request onto a ``reservations`` row."""
    row.resource_properties = fields.expression_text(
        request.resource_properties)
    row.min_count = request.min_count
    row.max_count = request.max_count
    row.hypervisor_properties = fields.expression_text(
        request.hypervisor_properties)
    row.before_end = request.before_end


def row_as_body(row):
    """The row as a creation body."""
    return {'resource_type': NAME, 'min': row.min_count,
            'max': row.max_count,
            'hypervisor_properties': row.hypervisor_properties or '',
            'resource_properties': row.resource_properties or '',
            'before_end': row.before_end or 'default'}


def view(row):
    """The type's fields of a row, in Blazar's names."""
    return {'min': row.min_count, 'max': row.max_count,
            'hypervisor_properties': row.hypervisor_properties or '',
            'before_end': row.before_end or 'default'}
