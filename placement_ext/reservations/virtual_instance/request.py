"""What a ``virtual:instance`` reservation asks: ``amount`` instance slots of
one size (``vcpus``, ``memory_mb``, ``disk_gb`` and any extra resource
classes).

Rules: ``amount``, ``vcpus`` and ``memory_mb`` are integers of at least 1,
``disk_gb`` of at least 0; ``affinity`` is true (every slot on one host),
false (each on a different host) or none (the policy decides);
``extra_resources`` maps Placement resource class names (not VCPU,
MEMORY_MB or DISK_GB) to positive integers and cannot be changed by an
update.
"""

import dataclasses
import typing

from placement_ext import blazar_words
from placement_ext import exception
from placement_ext.reservations import fields

NAME = 'virtual:instance'


@dataclasses.dataclass
class InstanceRequest:
    """A ``virtual:instance`` reservation: ``amount`` slots of one size.

    ``affinity`` True puts every slot on one host, False puts each slot on a
    different host, None lets the policy decide.
    """

    amount: int
    vcpus: int
    memory_mb: int
    disk_gb: int
    affinity: typing.Optional[bool] = None
    extra_resources: dict = dataclasses.field(default_factory=dict)
    resource_properties: typing.Any = None
    resource_type: str = NAME

    def slot_size(self):
        """Capacity keys and the amount one slot takes of each."""
        return slot_size(self.vcpus, self.memory_mb, self.disk_gb,
                         self.extra_resources)


def slot_size(vcpus, memory_mb, disk_gb, extra_resources):
    """Capacity keys and the amount one slot takes of each (zeros left
    out)."""
    size = {'vcpus': vcpus, 'memory_mb': memory_mb, 'local_gb': disk_gb}
    size.update(extra_resources or {})
    return {key: value for key, value in size.items() if value > 0}


FIELDS = {
    'amount': fields.integer(1),
    'vcpus': fields.integer(1),
    'memory_mb': fields.integer(1),
    'disk_gb': fields.integer(0),
    'affinity': fields.AFFINITY,
    'extra_resources': fields.EXTRA_RESOURCES,
    'resource_properties': fields.RESOURCE_PROPERTIES,
}


def build(values, prefix):
    """An ``InstanceRequest`` from parsed fields."""
    return InstanceRequest(**{key: values[key] for key in FIELDS})


def to_row(row, request):
    """Copy a request onto a ``reservations`` row."""
    row.resource_properties = fields.expression_text(
        request.resource_properties)
    row.amount = request.amount
    row.vcpus = request.vcpus
    row.memory_mb = request.memory_mb
    row.disk_gb = request.disk_gb
    row.affinity = request.affinity
    # NULL when empty: most rows then need no JSON decoding on load.
    row.extra_resources = dict(request.extra_resources) or None


def check_started_change(row, change):
    """Blazar's rule for an active instance reservation: only ``amount``
    may change, and it may only grow (slots held are never given back or
    moved)."""
    if any(key in FIELDS for key in change if key != 'amount'):
        raise exception.Conflict(blazar_words.ACTIVE_ONLY_AMOUNT)
    if change.get('amount', row.amount) < row.amount:
        raise exception.Conflict(blazar_words.ACTIVE_NO_REDUCE)


def row_as_body(row):
    """The row as a creation body."""
    return {'resource_type': NAME, 'amount': row.amount,
            'vcpus': row.vcpus, 'memory_mb': row.memory_mb,
            'disk_gb': row.disk_gb, 'affinity': row.affinity,
            'extra_resources': dict(row.extra_resources or {}),
            'resource_properties': row.resource_properties or ''}


def view(row):
    """The type's fields of a row, in Blazar's names."""
    return {'amount': row.amount, 'vcpus': row.vcpus,
            'memory_mb': row.memory_mb, 'disk_gb': row.disk_gb,
            'affinity': row.affinity,
            'extra_resources': dict(row.extra_resources or {}),
            # Blazar's key: the Nova server group to boot into (``--hint
            # group=``); made at the lease's start, None before then and
            # when affinity is None.
            'server_group_id': row.server_group_id}
