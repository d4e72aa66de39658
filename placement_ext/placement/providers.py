"""Idempotent Placement writes, each retried on generation conflicts.

Every function may be called again after a crash or a lost answer and ends
in the same state; "already there" and "already gone" count as success.
Writes that carry a provider generation re-read the provider and retry when
another writer (Nova's compute service, another agent) moved it first
(``generations``).
"""

from urllib import parse

from oslo_log import log as logging

from placement_ext import exception
from placement_ext.placement import client as pclient
from placement_ext.placement import generations

LOG = logging.getLogger(__name__)


def _path(template, *values):
    """``template`` with each value percent-encoded as one path segment:
    every value put into a URL is encoded, whatever it holds."""
    return template % tuple(parse.quote(str(value), safe='')
                            for value in values)


def _refused(method, url, resp):
    return exception.PlacementRefused('Placement', method, url, resp.status,
                                      pclient.error_detail(resp))


def ensure_trait(client, name):
    """Create the custom trait ``name`` unless it exists; True when this
    call created it (then no provider can carry it yet)."""
    url = _path('/traits/%s', name)
    return client.put(url, expect=(201, 204)).status == 201


def delete_trait(client, name):
    """Delete the custom trait ``name``; True when this call deleted it,
    False when it was already gone or a provider still carries it."""
    return delete_trait_status(client, name) == 204


def delete_trait_status(client, name):
    """Delete the custom trait ``name``; Placement's answer: 204 deleted,
    404 already gone, 409 some provider still carries it."""
    url = _path('/traits/%s', name)
    return client.delete(url, expect=(204, 404, 409)).status


def ensure_resource_class(client, name):
    """Create the custom resource class ``name`` unless it exists."""
    client.put(_path('/resource_classes/%s', name), expect=(201, 204))


def delete_resource_class(client, name):
    """Delete the custom resource class ``name``; True when this call
    deleted it, False when it was gone or inventory of it remains."""
    resp = client.delete(_path('/resource_classes/%s', name),
                         expect=(204, 404, 409))
    return resp.status == 204


def get_provider(client, uuid):
    """The provider's JSON, or None when it does not exist."""
    resp = client.get(_path('/resource_providers/%s', uuid), expect=(200, 404))
    return resp.body if resp.status == 200 else None


def list_providers(client, required=None, name=None, resources=None):
    """Providers carrying every trait of ``required``, named ``name``,
    and with ``resources`` ({class: amount}) free, as Placement lists
    them."""
    query = []
    if required:
        query.append(('required', ','.join(sorted(required))))
    if resources:
        query.append(('resources', ','.join(
            '%s:%d' % item for item in sorted(resources.items()))))
    if name:
        query.append(('name', name))
    url = '/resource_providers'
    if query:
        url += '?' + parse.urlencode(query, safe=',:', quote_via=parse.quote)
    resp = client.get(url, expect=(200, 400))
    if resp.status == 200:
        return resp.body['resource_providers']
    if pclient.is_unknown_trait(resp):
        return []
    raise _refused('GET', url, resp)


def get_traits(client, uuid):
    """``(traits, generation)`` of a provider, or ``(None, None)`` when
    it is gone."""
    resp = client.get(_path('/resource_providers/%s/traits', uuid),
                      expect=(200, 404))
    if resp.status == 404:
        return None, None
    return (set(resp.body['traits']),
            resp.body['resource_provider_generation'])


def change_traits(client, uuid, add=(), remove=(), known=None, rule=None):
    """Add and remove traits on a provider, keeping all others.

    ``rule``, when given, replaces ``add`` and ``remove``: it maps the
    provider's current traits to the wanted ones, and is applied again to
    fresh traits after a generation conflict.
    ``known`` is the provider's ``(traits, generation)`` as the caller has
    just read them (``get_traits``), which saves reading them again; a
    stale one only costs a generation conflict and a fresh read.
    The write is tried first; custom traits Placement does not know yet
    are created only when it answers that they are missing.
    Returns ``(added, removed)``, the traits actually changed; a provider
    that no longer exists counts as nothing to change.
    """
    if rule is None:
        add, remove = set(add), set(remove)

        def rule(current):
            return (current | add) - remove

    url = _path('/resource_providers/%s/traits', uuid)

    def attempt():
        nonlocal known
        if known is not None:
            (current, generation), known = known, None
        else:
            current, generation = get_traits(client, uuid)
        if current is None:
            if rule(set()):
                raise exception.NotFound(
                    'resource provider %s is not in Placement' % uuid)
            return set(), set()
        wanted = set(rule(current))
        if wanted == current:
            return set(), set()
        body = {'traits': sorted(wanted),
                'resource_provider_generation': generation}
        resp = generations.write(client.put, url, body, expect=(200, 400))
        if pclient.is_unknown_trait(resp):
            # Only traits the provider lacks may be missing (Placement
            # does not delete a trait a provider carries).
            for name in sorted(wanted - current):
                ensure_trait(client, name)
            resp = generations.write(client.put, url, body)
        if resp.status != 200:
            raise _refused('PUT', url, resp)
        return wanted - current, current - wanted

    return generations.retry(attempt, 'changing traits of %s' % uuid)


def ensure_child(client, uuid, name, parent_uuid):
    """Create the child provider ``uuid`` under ``parent_uuid``; return
    True when it was created, False when it already existed."""
    existing = get_provider(client, uuid)
    if existing is None:
        body = {'uuid': uuid, 'name': name,
                'parent_provider_uuid': parent_uuid}
        resp = client.post('/resource_providers', body, expect=(200, 409))
        if resp.status == 200:
            return True
        existing = get_provider(client, uuid)
        if existing is None:
            raise _refused('POST', '/resource_providers', resp)
    if existing.get('parent_provider_uuid') != parent_uuid:
        raise exception.Conflict(
            'resource provider %s (%s) exists with another parent'
            % (uuid, existing.get('name')))
    return False


def delete_provider(client, uuid):
    """Delete a provider; True when this call deleted it, False when it
    was gone or allocations or children keep it."""
    resp = client.delete(_path('/resource_providers/%s', uuid),
                         expect=(204, 404, 409))
    return resp.status == 204


def get_inventories(client, uuid):
    """``(inventories, generation)`` of a provider, or ``(None, None)``."""
    resp = client.get(_path('/resource_providers/%s/inventories', uuid),
                      expect=(200, 404))
    if resp.status == 404:
        return None, None
    return (resp.body['inventories'],
            resp.body['resource_provider_generation'])


def set_inventory(client, uuid, resource_class, total):
    """Make the provider hold ``total`` units of ``resource_class``, one
    per allocation; True when something changed."""
    wanted = {'total': total, 'reserved': 0, 'min_unit': 1, 'max_unit': 1,
              'step_size': 1, 'allocation_ratio': 1.0}
    url = _path('/resource_providers/%s/inventories', uuid)

    def attempt():
        inventories, generation = get_inventories(client, uuid)
        if inventories is None:
            raise exception.NotFound(
                'resource provider %s is not in Placement' % uuid)
        current = inventories.get(resource_class)
        if current and all(current.get(k) == v for k, v in wanted.items()):
            return False
        inventories[resource_class] = wanted
        body = {'inventories': inventories,
                'resource_provider_generation': generation}
        resp = generations.write(client.put, url, body)
        if resp.status != 200:
            raise _refused('PUT', url, resp)
        return True

    return generations.retry(attempt, 'setting %s inventory on %s'
                             % (resource_class, uuid))


def usage(client, uuid, resource_class):
    """Units of ``resource_class`` allocated on the provider (0 if the
    provider is gone)."""
    resp = client.get(_path('/resource_providers/%s/usages', uuid),
                      expect=(200, 404))
    if resp.status == 404:
        return 0
    return resp.body['usages'].get(resource_class, 0)


def delete_inventory(client, uuid, resource_class):
    """Remove ``resource_class`` inventory from a provider.

    Returns True when removed or already absent. Raises
    ``InventoryInUse`` while instances hold some of it.
    """
    url = _path('/resource_providers/%s/inventories/%s', uuid,
                resource_class)

    def attempt():
        resp = client.delete(url, expect=(204, 404, 409))
        if resp.status != 409:
            return resp.status == 204
        # Placement gives "in use" and a moved generation the same code,
        # so ask for the usage to tell them apart.
        used = usage(client, uuid, resource_class)
        if used:
            raise exception.InventoryInUse(
                '%d unit(s) of %s on provider %s are still in use'
                % (used, resource_class, uuid))
        raise generations.Moved(url)

    return generations.retry(attempt, 'removing %s inventory from %s'
                             % (resource_class, uuid))
