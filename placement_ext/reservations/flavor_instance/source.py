"""The flavor a ``flavor:instance`` reservation is made from: read from Nova
once, at creation, and what it asks of Placement.

Where it is read: the API process's Nova client (``[nova]`` options),
``GET /flavors/{id}`` at compute microversion 2.61 (which includes the
extra specs; ``/os-extra_specs`` when they are missing). The service reads
it with its own credentials, so a private flavor is refused as not found
unless the caller's project is on its access list or the caller is an
admin, as Nova would answer the caller. Without a Nova client the type is
refused with a 409 saying so.

What the flavor asks of Placement (as Nova turns a flavor into a request):
``VCPU`` = vcpus, ``MEMORY_MB`` = ram, ``DISK_GB`` = disk + ephemeral +
swap rounded up to GiB; ``hw:cpu_policy=dedicated`` asks ``PCPU`` instead
of ``VCPU``; every ``resources:<CLASS>=<N>`` extra spec sets that class
(0 removes it). ``trait:<NAME>=required`` or ``forbidden`` extra specs say
which hosts qualify. Numbered request groups (``resources1:``,
``trait1:``...) are refused: a slot is counted on the compute node alone.
"""

import math
import re
from urllib import parse

from placement_ext import exception

STANDARD = {'VCPU': 'vcpus', 'MEMORY_MB': 'memory_mb', 'DISK_GB': 'local_gb'}
TRAIT_VALUES = ('required', 'forbidden')
# What the snapshot keeps of Nova's flavor body, under our names.
_NOVA_FIELDS = {'name': 'name', 'vcpus': 'vcpus', 'ram': 'ram',
                'disk': 'disk', 'OS-FLV-EXT-DATA:ephemeral': 'ephemeral',
                'swap': 'swap'}
_CLASS_RE = re.compile(r'^[A-Z0-9_]{1,255}$')
_TRAIT_RE = re.compile(r'^[A-Z0-9_]{1,255}$')
_GROUPED_RE = re.compile(r'^(resources|trait)[^:]+:')
NO_NOVA = ('flavor:instance reservations need Nova to read the flavor, and '
           'this service has no Nova configured ([nova] auth_type or '
           'endpoint_override).')
NO_PLACEMENT = ('flavor:instance reservations read the compute nodes from '
                'Placement, and this service has no Placement configured '
                '([placement]).')


def _refuse(field, message):
    return exception.InvalidInput(field, message)


def read(compute, flavor_id, context, field):
    """The flavor ``flavor_id`` as a snapshot (``{"id", "name", "vcpus",
    "ram", "disk", "ephemeral", "swap", "extra_specs"}``) if the caller
    may use it; refused naming ``field`` otherwise."""
    if compute is None:
        raise exception.Conflict(NO_NOVA)
    url = '/flavors/%s' % parse.quote(flavor_id, safe='')
    resp = compute.get(url, expect=(200, 404))
    if resp.status == 404:
        raise _refuse(field, 'Nova has no flavor %r' % flavor_id)
    flavor = resp.body['flavor']
    private = not flavor.get('os-flavor-access:is_public', True)
    if private and not context.is_admin and not _has_access(
            compute, url, context.project_id):
        raise _refuse(field, 'Nova has no flavor %r' % flavor_id)
    specs = flavor.get('extra_specs')
    if specs is None:
        specs = compute.get(url + '/os-extra_specs').body['extra_specs']
    snapshot = {ours: flavor.get(theirs)
                for theirs, ours in _NOVA_FIELDS.items()}
    snapshot['id'] = flavor_id
    snapshot['ephemeral'] = snapshot['ephemeral'] or 0
    snapshot['swap'] = snapshot['swap'] or 0  # Nova shows no swap as ""
    snapshot['extra_specs'] = dict(specs)
    resources(snapshot, field)  # refuse what cannot be reserved now
    return snapshot


def _has_access(compute, url, project_id):
    access = compute.get(url + '/os-flavor-access').body['flavor_access']
    return project_id in {a['tenant_id'] for a in access}


def resources(snapshot, field='flavor_id'):
    """``{resource class: amount}`` one instance of the flavor asks of
    Placement (zeros left out)."""
    asked = {'VCPU': snapshot['vcpus'], 'MEMORY_MB': snapshot['ram'],
             'DISK_GB': (snapshot['disk'] + snapshot['ephemeral']
                         + math.ceil(snapshot['swap'] / 1024))}
    specs = snapshot['extra_specs']
    if specs.get('hw:cpu_policy') == 'dedicated':
        asked['PCPU'], asked['VCPU'] = asked['VCPU'], 0
    for key, value in sorted(specs.items()):
        if _GROUPED_RE.match(key):
            raise _refuse(field, 'flavor %s asks for a numbered request '
                          'group (%s), which flavor:instance does not '
                          'reserve' % (snapshot['id'], key))
        if key.startswith('resources:'):
            rc = key[len('resources:'):]
            if not _CLASS_RE.match(rc) or not str(value).isdigit():
                raise _refuse(field, 'flavor %s has an extra spec %s=%s '
                              'that is not a resource class and a count'
                              % (snapshot['id'], key, value))
            asked[rc] = int(value)
    traits(snapshot, field)
    return {rc: n for rc, n in sorted(asked.items()) if n > 0}


def traits(snapshot, field='flavor_id'):
    """``{trait: "required" | "forbidden"}`` of the flavor's extra specs."""
    found = {}
    for key, value in snapshot['extra_specs'].items():
        if not key.startswith('trait:'):
            continue
        name = key[len('trait:'):]
        if not _TRAIT_RE.match(name) or value not in TRAIT_VALUES:
            raise _refuse(field, 'flavor %s has an extra spec %s=%s; a '
                          'trait is "required" or "forbidden"'
                          % (snapshot['id'], key, value))
        found[name] = value
    return dict(sorted(found.items()))


def capacity_key(resource_class):
    """The allocator's capacity key of a Placement resource class (the
    standard classes by the host's field names, the others as they are)."""
    return STANDARD.get(resource_class, resource_class)
