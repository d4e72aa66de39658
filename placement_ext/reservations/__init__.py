"""Reservation types: one package per type, found by Blazar's
``resource_type``.

Each type (``physical_host``, ``virtual_instance``, ``flavor_instance``)
owns everything about it: its fields and their validation, row to body and
back, its view, its allocation decision, how Placement shows it, and what
its lease events do in Nova. Shared code reaches a type only through
``kind(name)`` and the interface in ``base.py``. Types are registered as
entry points in the ``placement_ext.reservation_types`` namespace
(setup.cfg), loaded once with stevedore, as Blazar loads its resource
plugins.
"""

import functools

from stevedore import extension

from placement_ext import blazar_words
from placement_ext.exception import InvalidInput
from placement_ext.reservations.base import Sources  # noqa: F401

NAMESPACE = 'placement_ext.reservation_types'


def _refuse_broken(manager, entry_point, error):
    raise RuntimeError('reservation type %s (%s) cannot be loaded: %s'
                       % (entry_point.name, entry_point.value, error))


@functools.cache
def registry():
    """``{resource_type: ReservationType}`` of every registered type."""
    manager = extension.ExtensionManager(
        NAMESPACE, invoke_on_load=True,
        on_load_failure_callback=_refuse_broken)
    kinds = {ext.obj.name: ext.obj for ext in manager}
    if not kinds:
        raise RuntimeError('no reservation type is registered under the '
                           'entry point namespace %s: is this project '
                           'installed (pip install -e .)?' % NAMESPACE)
    check_fields(kinds.values())
    return dict(sorted(kinds.items()))


def check_fields(kinds):
    """A field name two types share must be the same ``Field``: the API has
    one schema for every type's reservations."""
    seen = {}
    for kind in kinds:
        for name, field in kind.fields.items():
            other = seen.setdefault(name, (kind, field))
            if other[1] != field:
                raise RuntimeError(
                    'reservation types %s and %s declare the field %s '
                    'differently' % (other[0].name, kind.name, name))


def names():
    """Every registered ``resource_type``, sorted."""
    return tuple(registry())


def kind(name, field='resource_type'):
    """The type named ``name``; unknown is refused naming ``field``."""
    found = registry().get(name) if isinstance(name, str) else None
    if found is None:
        if name is None:
            raise InvalidInput(field, 'is required', message=(
                blazar_words.missing_parameter('resource_type')))
        raise InvalidInput(field, 'unknown resource type %r' % (name,),
                           message=unsupported(name))
    return found


def unsupported(name):
    """Blazar's refusal of a resource type, saying which ones this
    service reserves (compute only: no ``virtual:floatingip``)."""
    return ('%s: this service reserves compute only (%s).'
            % (blazar_words.unsupported_resource_type(name),
               ', '.join(names())))


def request_fields():
    """``{name: Field}`` over every type, for the API's schema."""
    merged = {}
    for each in registry().values():
        merged.update(each.fields)
    return merged


def change_fields():
    """``{name: Field}`` a lease update may change, over every type."""
    return {name: field for name, field in request_fields().items()
            if field.changeable}


def slot_kind():
    """The first type Placement shows as slots on child providers: how a
    leftover reservation class or child trait of an unknown reservation
    is removed."""
    return next(k for k in registry().values() if k.slots_on_child)


def activate(client, plan):
    """``kind(plan.resource_type).activate``."""
    return kind(plan.resource_type).activate(client, plan)


def revoke_access(client, plan):
    """``kind(plan.resource_type).revoke_access``."""
    return kind(plan.resource_type).revoke_access(client, plan)


def deactivate(client, plan):
    """``kind(plan.resource_type).deactivate``."""
    return kind(plan.resource_type).deactivate(client, plan)
