"""The server group of an instance reservation.

As Blazar's: named ``reservation:<id>`` (the flavor's name), with policy
``affinity`` when the reservation's ``affinity`` is true and
``anti-affinity`` when it is false; a reservation whose ``affinity`` is
none has no group. Users boot with ``--hint group=<server_group_id>`` and
the reservation's flavor, and Nova's ServerGroup(Anti)AffinityFilter keep
the servers together or apart, as the reserved slots are.

The group is found by its name before one is made, across every project,
so a crash between Nova's answer and the store's record makes no second
group. Both functions may be repeated at will and return the changes they
made.
"""

from urllib import parse

from oslo_log import log as logging

from placement_ext.nova import flavors

LOG = logging.getLogger(__name__)

# Nova's server group listing pages by limit and offset (no links); its
# ``[api] max_limit`` may cut a page shorter, so only an empty page ends.
PAGE = 1000


def group_name(reservation_id):
    """The group's name: the flavor's, ``reservation:<id>``."""
    return flavors.flavor_name(reservation_id)


def policy_of(affinity):
    """The Nova policy for a reservation's ``affinity``; None: no group."""
    if affinity is None:
        return None
    return 'affinity' if affinity else 'anti-affinity'


def _policy(group):
    # Microversion 2.64 replaced ``policies`` (a list) by ``policy``.
    if group.get('policy'):
        return group['policy']
    return (group.get('policies') or [None])[0]


def _all_groups(compute):
    offset = 0
    while True:
        query = parse.urlencode({'all_projects': 'True', 'limit': PAGE,
                                 'offset': offset})
        page = compute.get('/os-server-groups?%s' % query).body.get(
            'server_groups') or []
        if not page:
            return
        yield from page
        offset += len(page)


def find(compute, reservation_id):
    """The reservation's groups (normally one), oldest id first."""
    name = group_name(reservation_id)
    return sorted((g for g in _all_groups(compute) if g['name'] == name),
                  key=lambda g: g['id'])


def _exists(compute, group_id):
    url = '/os-server-groups/%s' % parse.quote(group_id, safe='')
    return compute.get(url, expect=(200, 404)).status == 200


def ensure_server_group(compute, reservation_id, affinity, known_id=None,
                        creator=None):
    """``(group_id, changes)``: the reservation's group, made if missing
    (None and no change when ``affinity`` is none). ``compute`` (an
    administrator's client) looks for it; ``creator`` (``compute`` when
    None) makes it, in its own project. ``known_id``, the group the store
    recorded, is kept while Nova has it (one request, no listing).

    A group found under the name is kept, even with another policy (an
    update of ``affinity`` after the start; Nova cannot change a group's
    policy and its members stay): a warning says so."""
    policy = policy_of(affinity)
    if policy is None:
        return None, []
    if known_id and _exists(compute, known_id):
        return known_id, []
    found = find(compute, reservation_id)
    if found:
        group = found[0]
        if _policy(group) != policy:
            LOG.warning('Server group %s of reservation %s has policy %s, '
                        'not %s: kept', group['id'], reservation_id,
                        _policy(group), policy)
        return group['id'], []
    body = {'server_group': {'name': group_name(reservation_id),
                             'policies': [policy]}}
    group = (creator or compute).post('/os-server-groups',
                                      body).body['server_group']
    return group['id'], ['created %s server group %s (%s)'
                         % (policy, group_name(reservation_id), group['id'])]


def delete_server_group(compute, reservation_id, group_id=None):
    """Delete the reservation's groups: ``group_id`` (the recorded one)
    and any found under its name."""
    ids = {g['id'] for g in find(compute, reservation_id)}
    if group_id:
        ids.add(group_id)
    return delete_groups(compute, reservation_id, ids)


def delete_groups(compute, reservation_id, group_ids):
    """Delete these groups of the reservation (gone ones are no change)."""
    changes = []
    for gid in sorted(group_ids):
        resp = compute.delete('/os-server-groups/%s'
                              % parse.quote(gid, safe=''),
                              expect=(204, 404))
        if resp.status == 204:
            changes.append('deleted server group %s (%s)'
                           % (group_name(reservation_id), gid))
    return changes


def reservation_groups(compute):
    """Every group named ``reservation:<id>``, as ``{reservation_id:
    [group_id, ...]}``."""
    prefix = group_name('')
    found = {}
    for group in _all_groups(compute):
        if group['name'].startswith(prefix):
            found.setdefault(group['name'][len(prefix):], []).append(
                group['id'])
    return found
