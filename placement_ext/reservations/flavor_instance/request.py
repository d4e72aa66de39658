"""What a ``flavor:instance`` reservation asks: ``amount`` instances of an
existing Nova flavor (``flavor_id``), Blazar 18's request.

Rules: ``flavor_id`` is a non-empty string of at most 255 characters and
``amount`` an integer of at least 1; ``affinity`` is true (every slot on one
host), false (each on a different host) or none (the policy decides) --
Blazar refuses anything but none; ``resource_properties`` is a property
filter on the hosts, as for ``virtual:instance``.

The flavor is read from Nova once, when the reservation is created
(``source.read``, before the allocator lock), and kept on the row
(``reservations.flavor``), with the slot size it resolves to in the
``vcpus``, ``memory_mb``, ``disk_gb`` and ``extra_resources`` columns as
Placement amounts (``VCPU``, ``MEMORY_MB``, ``DISK_GB``, the other
classes): every later decision (an update, a host's replacement) uses
those, not whatever the flavor has become.

On update, ``flavor_id`` and ``amount`` cannot change (Blazar 18 refuses
every update of such a lease with a 409 "Flavor-based reservation update
not yet supported"; here only these two are refused, with its words:
dates, ``affinity`` and ``resource_properties`` may change).
"""

import dataclasses
import typing

from placement_ext import exception
from placement_ext import json_shapes
from placement_ext import limits
from placement_ext.reservations import fields
from placement_ext.reservations.flavor_instance import source
from placement_ext.reservations.virtual_instance import request as slots

NAME = 'flavor:instance'
NOT_CHANGEABLE = ('flavor_id', 'amount')
BLAZAR_REFUSAL = 'Flavor-based reservation update not yet supported'


def _parse_flavor_id(value, name):
    if value is None:
        raise exception.InvalidInput(name, 'is required')
    if not isinstance(value, str) or not value.strip():
        raise exception.InvalidInput(name, 'must be a non-empty string')
    if len(value) > 255:
        raise exception.InvalidInput(name, 'must be at most 255 characters '
                                     'long')
    problem = limits.text_problem(value)
    if problem:
        raise exception.InvalidInput(name, problem)
    return value


FIELDS = {
    # The same Field objects as virtual:instance's (one schema for both).
    'amount': slots.FIELDS['amount'],
    'flavor_id': fields.Field(dict(json_shapes.UUID_LIKE), _parse_flavor_id,
                              required=True),
    'affinity': fields.AFFINITY,
    'resource_properties': fields.RESOURCE_PROPERTIES,
}


@dataclasses.dataclass
class FlavorRequest:
    """``amount`` instances of the flavor ``flavor_id``.

    ``flavor`` is the flavor as Nova gave it at creation (``source.read``),
    None until the type resolves it; the slot size comes from it.
    """

    amount: int
    flavor_id: str
    affinity: typing.Optional[bool] = None
    resource_properties: typing.Any = None
    flavor: typing.Optional[dict] = None
    resource_type: str = NAME

    @property
    def resources(self):
        """``{resource class: amount}`` of one slot, in Placement terms."""
        return source.resources(self.flavor)

    @property
    def traits(self):
        """``{trait: "required" | "forbidden"}`` a host must match."""
        return source.traits(self.flavor)

    # The slot as virtual:instance's decision and messages read it.
    @property
    def vcpus(self):
        return self.resources.get('VCPU', 0)

    @property
    def memory_mb(self):
        return self.resources.get('MEMORY_MB', 0)

    @property
    def disk_gb(self):
        return self.resources.get('DISK_GB', 0)

    @property
    def extra_resources(self):
        return {rc: n for rc, n in self.resources.items()
                if rc not in source.STANDARD}

    def slot_size(self):
        """Capacity keys and the amount one slot takes of each."""
        return {source.capacity_key(rc): n
                for rc, n in self.resources.items()}


def build(values, prefix):
    """A ``FlavorRequest`` from parsed fields (its flavor not read yet)."""
    return FlavorRequest(**{key: values[key] for key in FIELDS})


def check_update(row, change, prefix):
    """A lease update may not change ``flavor_id`` or ``amount``."""
    for name in NOT_CHANGEABLE:
        if name in change and change[name] != getattr(row, name):
            raise exception.Conflict(
                '%s: the %s of a flavor:instance reservation cannot be '
                'changed (%s%s: %r, not %r).'
                % (BLAZAR_REFUSAL, name, prefix, name, getattr(row, name),
                   change[name]))


def to_row(row, request):
    """Copy a resolved request onto a ``reservations`` row: the flavor,
    and the slot size as Placement amounts (which the shared booking
    loader reads as it reads a ``virtual:instance`` row's)."""
    row.resource_properties = fields.expression_text(
        request.resource_properties)
    row.amount = request.amount
    row.affinity = request.affinity
    row.flavor_id = request.flavor_id
    row.flavor = dict(request.flavor)
    row.vcpus = request.vcpus
    row.memory_mb = request.memory_mb
    row.disk_gb = request.disk_gb
    row.extra_resources = request.extra_resources or None


def row_as_body(row):
    """The row as a creation body."""
    return {'resource_type': NAME, 'amount': row.amount,
            'flavor_id': row.flavor_id, 'affinity': row.affinity,
            'resource_properties': row.resource_properties or ''}


def from_row(request, row):
    """The request re-read from its row, with the flavor it was made
    from."""
    request.flavor = dict(row.flavor)
    return request


def view(row):
    """The type's fields of a row: Blazar's (``vcpus``, ``memory_mb``,
    ``disk_gb`` are the flavor's, as Blazar shows them), plus what a slot
    asks of Placement and the traits a host must match; its
    ``server_group_id`` as ``virtual:instance``'s (the start makes it)."""
    flavor = row.flavor or {}
    return {'amount': row.amount, 'flavor_id': row.flavor_id,
            'affinity': row.affinity, 'server_group_id': row.server_group_id,
            'vcpus': flavor.get('vcpus'),
            'memory_mb': flavor.get('ram'), 'disk_gb': flavor.get('disk'),
            'resources': source.resources(flavor) if flavor else {},
            'traits': source.traits(flavor) if flavor else {}}
