"""What a scheduling request asks of reserved capacity.

A request claims a reservation through the ``reservation`` scheduler hint
(host reservations, as with Blazar) or through its flavor's
``resources[N]:CUSTOM_RESERVATION_<ID>`` extra spec (instance
reservations). ``classify`` turns the request into one ``Claim``; any
malformed or contradictory claim becomes a refusal with a reason that names
only what the request itself sent.
"""

import dataclasses
import re

from oslo_utils import strutils

from blazar_nova import names

PREEMPTIBLE_KEY = 'blazar:preemptible'
HINT = 'reservation'

# Kinds of claim.
HOST_RESERVATION = 'host reservation'
INSTANCE_RESERVATION = 'instance reservation'
PREEMPTIBLE = 'preemptible'
ORDINARY = 'ordinary'
REFUSED = 'refused'

_FLAVOR_KEY = re.compile(r'^resources[A-Za-z0-9_-]*:(CUSTOM_RESERVATION_\w+)$')


@dataclasses.dataclass(frozen=True)
class Claim:
    kind: str
    reservation_id: str = None
    trait: str = None
    reason: str = None


def _hint_values(spec_obj):
    if not spec_obj.obj_attr_is_set('scheduler_hints'):
        return []
    hints = spec_obj.scheduler_hints or {}
    value = hints.get(HINT)
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _flavor_reservations(extra_specs):
    found = set()
    for key in extra_specs:
        match = _FLAVOR_KEY.match(key)
        if match:
            found.add(names.reservation_of_class(match.group(1))
                      or match.group(1))
    return found


def classify(spec_obj, allow_preemptibles):
    """Return the ``Claim`` a RequestSpec makes."""
    extra_specs = dict(spec_obj.flavor.extra_specs or {})
    hinted = set()
    for value in _hint_values(spec_obj):
        canonical = names.canonical_reservation_id(
            value.strip() if isinstance(value, str) else value)
        if canonical is None:
            return Claim(REFUSED, reason='hint reservation=%r is not a '
                         'reservation id' % (value,))
        hinted.add(canonical)
    flavored = _flavor_reservations(extra_specs)
    if any(names.canonical_reservation_id(r) is None for r in flavored):
        return Claim(REFUSED, reason='flavor %s asks for a malformed '
                     'reservation resource class' % spec_obj.flavor.name)
    claimed = hinted | flavored
    if len(claimed) > 1:
        return Claim(REFUSED, reason='the request names several '
                     'reservations (%s); use one' % ', '.join(sorted(claimed)))
    if claimed:
        rid = claimed.pop()
        trait = names.access_trait(rid, spec_obj.project_id)
        kind = INSTANCE_RESERVATION if flavored else HOST_RESERVATION
        return Claim(kind, reservation_id=rid, trait=trait)
    if allow_preemptibles and strutils.bool_from_string(
            extra_specs.get(PREEMPTIBLE_KEY, False)):
        return Claim(PREEMPTIBLE)
    return Claim(ORDINARY)
