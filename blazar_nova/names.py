"""Names of the traits, resource classes and providers of the encoding.

The rules, which the scheduler filter and operators rely on:

* ``CUSTOM_BLAZAR_RESERVABLE`` marks the compute node provider of every
  enrolled reservable host.
* ``CUSTOM_BLAZAR_RESERVED`` marks a compute node while any reservation is
  active on it.
* ``CUSTOM_RESERVATION_<RID>_PROJECT_<PID>`` grants project PID the use of
  reservation RID: on the compute node for a host reservation, on the
  host's ``blazar_<hostname>`` child provider for an instance reservation.
* ``CUSTOM_RESERVATION_<RID>`` is the resource class of an instance
  reservation's slots (Blazar's naming), inventoried on the child provider.

``<RID>`` is the reservation UUID in upper case with ``-`` as ``_``.
``<PID>`` is the project id in upper case when it is made only of lower-case
letters and digits (every id Keystone generates is), otherwise ``_``
followed by the hex of its UTF-8 bytes. When that would make the trait
longer than Placement's 255 characters (a project id of more than 95
bytes, which Keystone allows: 64 characters of anything), ``<PID>`` is
``__`` followed by the SHA-256 of its UTF-8 bytes in hex. The three forms
cannot collide: the first never contains ``_``, the second never starts
with ``__``.
"""

import hashlib
import re
import uuid

from oslo_utils import uuidutils

# The Placement microversion both sides speak: the filter reads the
# encoding with it, the service writes it (doc/placement.md says why).
PLACEMENT_MICROVERSION = '1.29'

RESERVABLE_TRAIT = 'CUSTOM_BLAZAR_RESERVABLE'
RESERVED_TRAIT = 'CUSTOM_BLAZAR_RESERVED'
RESERVATION_PREFIX = 'CUSTOM_RESERVATION_'
CHILD_PREFIX = 'blazar_'

# Child provider uuids are derived from the compute node's, so that writing
# them again finds the same provider.
_CHILD_NAMESPACE = uuid.UUID('5e8bd1bb-5ae3-4c52-9a3c-2f5d0d2a8f43')
_SIMPLE_PROJECT = re.compile(r'[a-z0-9]+')
_RID = r'[0-9A-F]{8}_[0-9A-F]{4}_[0-9A-F]{4}_[0-9A-F]{4}_[0-9A-F]{12}'
_CLASS_RE = re.compile(r'%s(%s)' % (RESERVATION_PREFIX, _RID))
_ACCESS_RE = re.compile(r'%s(%s)_PROJECT_([A-Z0-9_]+)'
                        % (RESERVATION_PREFIX, _RID))


def canonical_reservation_id(value):
    """Return ``value`` as a lower-case dashed UUID, or None if it is not
    a UUID."""
    if not isinstance(value, str) or not uuidutils.is_uuid_like(value):
        return None
    return str(uuid.UUID(value))


def _rid(reservation_id):
    canonical = canonical_reservation_id(reservation_id)
    if canonical is None:
        raise ValueError('not a reservation id: %r' % (reservation_id,))
    return canonical.upper().replace('-', '_')


# Placement's longest trait name, and what of it a project id may take
# after ``CUSTOM_RESERVATION_<RID>_PROJECT_``.
MAX_TRAIT_LENGTH = 255
_MAX_PID_LENGTH = MAX_TRAIT_LENGTH - len(
    '%s%s_PROJECT_' % (RESERVATION_PREFIX, '0' * 36))


def _pid(project_id):
    if _SIMPLE_PROJECT.fullmatch(project_id):
        pid = project_id.upper()
    else:
        pid = '_' + project_id.encode('utf-8').hex().upper()
    if len(pid) <= _MAX_PID_LENGTH:
        return pid
    return '__' + hashlib.sha256(
        project_id.encode('utf-8')).hexdigest().upper()


def resource_class(reservation_id):
    """The resource class of an instance reservation's slots."""
    return RESERVATION_PREFIX + _rid(reservation_id)


def access_trait(reservation_id, project_id):
    """The trait that lets ``project_id`` use ``reservation_id``."""
    return '%s%s_PROJECT_%s' % (RESERVATION_PREFIX, _rid(reservation_id),
                                _pid(project_id))


def reservation_of_class(name):
    """The reservation id a resource class names, or None."""
    match = _CLASS_RE.fullmatch(name)
    if not match:
        return None
    return match.group(1).replace('_', '-').lower()


def reservation_of_trait(name):
    """The reservation id an access trait names, or None."""
    match = _ACCESS_RE.fullmatch(name)
    if not match:
        return None
    return match.group(1).replace('_', '-').lower()


def child_provider_name(hypervisor_hostname):
    """Blazar's name for the provider holding a host's reserved slots."""
    return CHILD_PREFIX + hypervisor_hostname


def child_provider_uuid(compute_node_uuid):
    """The fixed uuid of a compute node's reservation child provider."""
    return str(uuid.uuid5(_CHILD_NAMESPACE, str(compute_node_uuid)))
