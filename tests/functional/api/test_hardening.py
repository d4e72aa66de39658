"""Defects found by fuzzing the API, each reproduced on every backend.

Every request here was answered with a 500, a wrong status or a wrong
result before its fix (issue 15); each test asserts the clear answer, and
that a refused request changed nothing in the store.
"""

import concurrent.futures
import datetime
import json

import pytest

from placement_ext.api.schemas import leases as lease_schemas
from placement_ext import context as bn_context
from placement_ext import exception
from placement_ext import limits
from placement_ext import reservations
from placement_ext.store import validation
from tests.functional.api import backends

NOW = backends.NOW
HOUR = 3600


def at(seconds):
    """Blazar's date form of ``NOW + seconds``."""
    return datetime.datetime.fromtimestamp(
        NOW + seconds, datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S')


def host_lease(name, start=HOUR, end=2 * HOUR, count=1):
    return {'name': name, 'start_date': at(start), 'end_date': at(end),
            'events': [], 'reservations': [{
                'resource_type': 'physical:host', 'min': count,
                'max': count}]}


def enrol(api, *names):
    ids = []
    for name in names:
        resp = api.request('POST', '/v1/os-hosts', {'name': name})
        assert resp.status_int == 201, resp.text
        ids.append(resp.json['host']['id'])
    return ids


def refused(api, status, method, path, body=None, raw=None, token='admin',
            message=None):
    """Send a request that must be refused with ``status`` (and a
    message matching ``message``), and leave every row as it was."""
    before = api.rows()
    resp = api.request(method, path, body=body, raw=raw, token=token)
    assert resp.status_int == status, (api.backend, resp.status, resp.text)
    error = backends.strict_json(resp.text)
    assert error['error_code'] == status
    if message is not None:
        assert message in error['error_message'], error
    assert api.rows() == before, 'a refused request changed the store'
    return error


def nested(depth):
    return ('[' * depth + ']' * depth).encode()


# Deeply nested bodies: RecursionError in the JSON decoder or jsonschema.

@pytest.mark.parametrize('depth', [33, 1000, 100000])
def test_deeply_nested_bodies_are_refused(api, depth):
    (host_id,) = enrol(api, 'cn1')
    for method, path in (('POST', '/v1/leases'),
                         ('PUT', '/v1/os-hosts/%s' % host_id),
                         ('POST', '/v1/availability')):
        body = b'{"name": ' + nested(depth) + b'}'
        refused(api, 400, method, path, raw=body,
                message='nested deeper than 32 levels')


def test_nesting_up_to_the_limit_reaches_the_schema(api):
    body = (b'{"start_date": "now", "end_date": "2030-01-01 00:00", '
            b'"name": ' + nested(31) + b'}')
    error = refused(api, 400, 'POST', '/v1/leases', raw=body)
    assert error['error_message'].startswith('Invalid body'), error
    assert 'nested deeper' not in error['error_message']


# Host ids in paths: str.isdigit() takes Unicode digits.

@pytest.mark.parametrize('path', [
    '/v1/os-hosts/%C2%B2',           # superscript two: was a 500
    '/v1/os-hosts/%D9%A3',           # Arabic-Indic three: was host 3
    '/v1/os-hosts/%EF%BC%93',        # full-width three: was host 3
    '/v1/os-hosts/%EF%BC%93/allocation',
])
def test_unicode_digits_are_no_host_id(api, path):
    enrol(api, 'cn1', 'cn2', 'cn3')
    assert api.request('GET', '/v1/os-hosts/3').status_int == 200
    refused(api, 404, 'GET', path, message='not found')
    refused(api, 404, 'DELETE', path.replace('/allocation', ''))


def test_a_host_id_beyond_any_integer_column_is_not_found(api):
    enrol(api, 'cn1')
    refused(api, 404, 'GET', '/v1/os-hosts/' + '9' * 30)
    refused(api, 404, 'GET', '/v1/os-hosts/0')


# Dates whose offset pushes them past year 9999.

@pytest.mark.parametrize('end', ['9999-12-31T23:59:59-14:00',
                                 '9999-12-31T00:00:01Z'])
def test_dates_past_the_range_are_refused(api, end):
    enrol(api, 'cn1')
    body = dict(host_lease('far'), end_date=end)
    refused(api, 400, 'POST', '/v1/leases', body,
            message='must lie between 1970-01-01 00:00:00 UTC and '
                    '9999-12-31 00:00:00 UTC')
    refused(api, 400, 'POST', '/v1/availability', {
        'reservation': {'resource_type': 'physical:host', 'min': 1,
                        'max': 1},
        'start_date': at(0), 'end_date': end})


def test_a_lease_may_end_on_the_last_accepted_date(api):
    enrol(api, 'cn1')
    resp = api.request('POST', '/v1/leases', dict(
        host_lease('far'), end_date='9999-12-30T23:00-01:00'))
    assert resp.status_int == 201, resp.text
    assert resp.json['lease']['end_date'] == '9999-12-31T00:00:00.000000'
    lease_id = resp.json['lease']['id']
    refused(api, 400, 'PUT', '/v1/leases/%s' % lease_id,
            {'prolong_for': '1s'}, message='must lie between')


# NUL characters: PostgreSQL cannot store them.

def test_nul_in_any_text_is_refused(api):
    enrol(api, 'cn1')
    lease = api.request('POST', '/v1/leases', host_lease('ok'))
    assert lease.status_int == 201, lease.text
    lease_id = lease.json['lease']['id']
    for path in ('/v1/leases?status=ACTIVE%00',
                 '/v1/leases?project_id=p%001',
                 '/v1/leases?a%00b=1',
                 '/v1/leases/%s%%00' % lease_id,
                 '/v1/os-hosts/cn%001',
                 '/v1/os-hosts/1%00'):
        refused(api, 400, 'GET', path, message='NUL character (U+0000)')
    refused(api, 400, 'PATCH', '/v1/os-hosts/properties/gp%00u',
            {'private': True}, message='NUL character')
    refused(api, 400, 'POST', '/v1/leases', dict(
        host_lease('na\x00me')), message='body field name')
    refused(api, 400, 'PUT', '/v1/leases/%s' % lease_id,
            {'name': 'x\x00'}, message='NUL character')
    refused(api, 400, 'PUT', '/v1/os-hosts/1', {'rack': 'r\x001'},
            message='body field rack')
    refused(api, 400, 'POST', '/v1/os-hosts', {'name': 'cn2',
                                               'gp\x00u': 'x'},
            message='NUL character')


# Project and user ids longer than the store's columns.

@pytest.mark.parametrize('token', [
    'u:' + 'p' * 65, 'u' * 65 + ':p', 'u:' + '\u00e9' * 65])
def test_noauth_ids_longer_than_keystones_are_refused(api, token):
    enrol(api, 'cn1')
    refused(api, 401, 'POST', '/v1/leases', host_lease('long'),
            token=token.encode('utf-8').decode('latin-1'))


@pytest.mark.parametrize('project,user', [
    ('p' * 65, 'u'), ('p', 'u' * 200), ('p\x00', 'u'), ('', 'u')])
def test_the_store_refuses_a_caller_it_cannot_record(api, project, user):
    # SQLite stored 200 characters; PostgreSQL and MariaDB answered 500.
    enrol(api, 'cn1')
    before = api.rows()
    ctx = bn_context.RequestContext(project_id=project, user_id=user)
    with pytest.raises(exception.InvalidInput) as info:
        api.store.create_lease(ctx, host_lease('long'))
    assert "the caller's" in str(info.value)
    assert api.rows() == before


def test_ids_of_64_characters_of_anything_are_stored(api):
    enrol(api, 'cn1')
    project, user = '\U0001F600' * 64, '\u00e9' * 64
    token = ('%s:%s' % (user, project)).encode('utf-8').decode('latin-1')
    resp = api.request('POST', '/v1/leases', host_lease('emoji'),
                       token=token)
    assert resp.status_int == 201, resp.text
    assert resp.json['lease']['project_id'] == project
    listed = api.request('GET', '/v1/leases', token=token)
    assert [lease['name'] for lease in listed.json['leases']] == ['emoji']


# Projects differing only in case or accent (MariaDB's default collation).

def test_projects_differing_in_case_or_accent_see_nothing_of_each_other(
        api):
    enrol(api, 'cn1', 'cn2', 'cn3')
    projects = ('pa', 'pA', 'p\u00e1')
    ids = {}
    for hour, project in enumerate(projects):
        token = ('u:%s' % project).encode('utf-8').decode('latin-1')
        resp = api.request('POST', '/v1/leases', host_lease(
            'Dup', start=(hour + 1) * HOUR, end=(hour + 2) * HOUR),
            token=token)
        assert resp.status_int == 201, (project, resp.text)
        ids[project] = resp.json['lease']['id']
    for project in projects:
        token = ('u:%s' % project).encode('utf-8').decode('latin-1')
        listed = api.request('GET', '/v1/leases', token=token).json
        assert [lease['id'] for lease in listed['leases']] == [ids[project]]
        for other in projects:
            if other != project:
                assert api.request('GET', '/v1/leases/%s' % ids[other],
                                   token=token).status_int == 404
    assert api.request('GET', '/v1/os-hosts/CN1').status_int == 404


# NaN, Infinity and numbers that overflow a double.

@pytest.mark.parametrize('number', [b'NaN', b'Infinity', b'-Infinity',
                                    b'1e400', b'-1e400'])
def test_non_finite_numbers_are_refused(api, number):
    enrol(api, 'cn1')
    refused(api, 400, 'PUT', '/v1/os-hosts/1', raw=b'{"speed": %s}' % number,
            message='not valid JSON')
    refused(api, 400, 'POST', '/v1/os-hosts',
            raw=b'{"name": "cn2", "speed": %s}' % number)
    listed = api.request('GET', '/v1/os-hosts')
    backends.strict_json(listed.text)


def test_finite_numbers_are_stored_and_shown_as_strict_json(api):
    enrol(api, 'cn1')
    resp = api.request('PUT', '/v1/os-hosts/1', raw=b'{"speed": 1.5e300, '
                       b'"cores": 123456789012345678901234567890}')
    assert resp.status_int == 200, resp.text
    shown = backends.strict_json(api.request('GET', '/v1/os-hosts').text)
    assert shown['hosts'][0]['speed'] == 1.5e300
    assert shown['hosts'][0]['cores'] == 123456789012345678901234567890


# Host names went unencoded into Placement's query string.

@pytest.mark.parametrize('name', ['x&name=cn1', 'cn1#zzz', "cn1'", 'cn1?',
                                  'cn1/..', 'cn1 ', '%63n1'])
def test_host_names_are_encoded_when_asking_placement(api, name):
    error = refused(api, 404, 'POST', '/v1/os-hosts', {'name': name},
                    message='Placement has no compute node named')
    assert name in error['error_message']
    assert api.request('GET', '/v1/os-hosts').json['hosts'] == []


# A status filter that names no status.

@pytest.mark.parametrize('status', ['BOGUS', 'ACTIVE ', ''])
def test_unknown_status_filters_are_refused(api, status):
    refused(api, 400, 'GET', '/v1/leases?status=%s' % status,
            message='query parameter status')


@pytest.mark.parametrize('status', ['PENDING', 'pending'])
def test_known_status_filters_work(api, status):
    enrol(api, 'cn1')
    api.request('POST', '/v1/leases', host_lease('a'))
    listed = api.request('GET', '/v1/leases?status=%s' % status).json
    assert [lease['name'] for lease in listed['leases']] == ['a']
    assert api.request('GET', '/v1/leases?status=ACTIVE').json == {
        'leases': []}


# Growing an active lease was judged over its whole window, past included.

def test_an_active_lease_grows_over_what_is_left_of_its_window(api):
    enrol(api, 'cn1', 'cn2')
    grown = api.request('POST', '/v1/leases', host_lease(
        'grown', start=HOUR, end=4 * HOUR)).json['lease']
    other = api.request('POST', '/v1/leases', host_lease(
        'other', start=HOUR, end=2 * HOUR)).json['lease']
    held = grown['reservations'][0]['allocations'][0]['hypervisor_hostname']
    freed = other['reservations'][0]['allocations'][0]['hypervisor_hostname']
    assert {held, freed} == {'cn1', 'cn2'}

    api.clock.now = NOW + 3 * HOUR     # "other" has ended
    reservation = grown['reservations'][0]['id']
    resp = api.request('PUT', '/v1/leases/%s' % grown['id'], {
        'reservations': [{'id': reservation, 'min': 2, 'max': 2}]})
    assert resp.status_int == 200, resp.text
    hosts = {a['hypervisor_hostname']
             for a in resp.json['lease']['reservations'][0]['allocations']}
    assert hosts == {'cn1', 'cn2'}
    # The added host is held from now, not from the lease's past start.
    allocations = api.request('GET', '/v1/os-hosts/allocations').json
    windows = {a['resource_id']: [(r['id'], r['start_date'])
                                  for r in a['reservations']]
               for a in allocations['allocations']}
    freed_id = api.request('GET', '/v1/os-hosts/%s' % freed).json[
        'host']['id']
    assert windows[freed_id] == [(reservation,
                                  '2030-01-01T03:00:00.000000')]


def test_a_pending_lease_is_still_judged_over_its_whole_window(api):
    enrol(api, 'cn1', 'cn2')
    grown = api.request('POST', '/v1/leases', host_lease(
        'grown', start=2 * HOUR, end=4 * HOUR)).json['lease']
    api.request('POST', '/v1/leases',
                host_lease('other', start=HOUR, end=3 * HOUR))
    refused(api, 409, 'PUT', '/v1/leases/%s' % grown['id'], {
        'reservations': [{'id': grown['reservations'][0]['id'],
                          'min': 2, 'max': 2}]},
            message='Not enough hosts')


# Concurrent host updates lost one another's changes.

def test_concurrent_host_updates_all_land(api):
    (host_id,) = enrol(api, 'cn1')
    names = ['p%02d' % n for n in range(16)]

    def set_one(name):
        return api.request('PUT', '/v1/os-hosts/%s' % host_id,
                           {name: name.upper()}).status_int

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(set_one, names))
    assert statuses == [200] * len(names)
    host = api.request('GET', '/v1/os-hosts/%s' % host_id).json['host']
    assert {name: host.get(name) for name in names} == {
        name: name.upper() for name in names}


# The schema and the store disagreed on what a body may hold.

def test_names_the_schema_lets_through_the_store_accepts(api):
    enrol(api, 'cn1')
    longest = 'n' * limits.MAX_NAME_LENGTH
    resp = api.request('POST', '/v1/leases', host_lease(longest))
    assert resp.status_int == 201, resp.text
    error = refused(api, 400, 'POST', '/v1/leases',
                    host_lease(longest + 'n'))
    assert 'body field name' in error['error_message']


def test_echoed_reservation_fields_are_ignored(api):
    enrol(api, 'cn1')
    body = host_lease('echo')
    body['reservations'][0].update(
        created_at='2029-01-01T00:00:00.000000', updated_at=None,
        allocations=[{'host_id': '9'}], resource_id='x', status='active',
        missing_resources=False, resources_changed=False)
    resp = api.request('POST', '/v1/leases', body)
    assert resp.status_int == 201, resp.text
    lease = resp.json['lease']
    # What a client read, sent back with its change.
    change = dict(lease['reservations'][0], max=1)
    for key in ('resource_type', 'before_end', 'hypervisor_properties'):
        change.pop(key)
    resp = api.request('PUT', '/v1/leases/%s' % lease['id'],
                       {'reservations': [change]})
    assert resp.status_int == 200, resp.text


def test_schema_fields_are_the_stores():
    reservation = set(lease_schemas.RESERVATION['properties'])
    assert reservation == (set(reservations.request_fields())
                           | {'resource_type'}
                           | validation.RESERVATION_TOLERATED_KEYS)
    for name, field in reservations.request_fields().items():
        # The very shapes the store's fields declare: one authority.
        assert lease_schemas.RESERVATION['properties'][name] is field.shape
    change = set(lease_schemas.UPDATE['properties']['reservations']['items']
                 ['properties'])
    # A change may restate its type (changing it is refused, in Blazar's
    # words).
    assert change == (set(reservations.change_fields()) | {'resource_type'}
                      | validation.RESERVATION_TOLERATED_KEYS)
    assert 'before_end' not in change and 'extra_resources' not in change
    assert set(lease_schemas.CREATE['properties']) == (
        validation.LEASE_KEYS | validation.LEASE_TOLERATED_KEYS)
    assert set(lease_schemas.UPDATE['properties']) == validation.UPDATE_KEYS
    assert lease_schemas.CREATE['properties']['name']['maxLength'] == \
        validation.MAX_NAME_LENGTH


# A 409 for a lease of several reservations did not say which one failed.

def test_a_refusal_names_the_reservation_that_failed(api):
    enrol(api, 'cn1', 'cn2')
    body = host_lease('two')
    body['reservations'].append({'resource_type': 'physical:host',
                                 'min': 2, 'max': 2})
    error = refused(api, 409, 'POST', '/v1/leases', body)
    assert error['error_message'].startswith(
        'Not enough hosts available: Reservation 2 of 2 (reservations[1], '
        'physical:host): 2 reservable hosts'), error

    body['reservations'][1].update(min=1, max=1)
    created = api.request('POST', '/v1/leases', body).json['lease']
    lease = api.request('GET', '/v1/leases/%s' % created['id']).json[
        'lease']
    assert lease['reservations'] == created['reservations']
    second = lease['reservations'][1]['id']
    error = refused(api, 409, 'PUT', '/v1/leases/%s' % lease['id'], {
        'reservations': [{'id': second, 'min': 2, 'max': 2}]})
    assert error['error_message'].startswith(
        'Not enough hosts available: Reservation 2 of 2 (reservations[1], '
        'physical:host, id %s): ' % second), error


# noauth tokens: only what doc/api.md documents.

@pytest.mark.parametrize('token', ['admin:pB', 'admin:admin'])
def test_a_user_named_admin_is_no_administrator(api, token):
    refused(api, 403, 'GET', '/v1/os-hosts', token=token)
    refused(api, 403, 'POST', '/v1/os-hosts', {'name': 'cn1'}, token=token)


@pytest.mark.parametrize('token', [':pA', 'u:', ':', 'alone', 'Admin',
                                   ' admin:', '\u00ff'])
def test_tokens_that_doc_api_does_not_document_are_refused(api, token):
    refused(api, 401, 'GET', '/v1/leases', token=token,
            message='Authentication required')


def test_documented_tokens_work(api):
    assert api.request('GET', '/v1/os-hosts').status_int == 200
    member = api.request('GET', '/v1/leases', token='u1:p1')
    assert member.status_int == 200
    assert json.loads(member.text) == {'leases': []}


# server_group_id of instance reservations (Blazar's key): None until the
# agent records the group it made at the start, then shown by GET and the
# listing; a client sending it back changes nothing.

GROUP = '5c1f3a0e-9d2b-4c8a-b7e6-0f4d2a1b3c5e'


def test_server_group_id_is_shown_once_recorded(api):
    enrol(api, 'cn1')
    body = host_lease('slots')
    body['reservations'] = [{
        'resource_type': 'virtual:instance', 'amount': 1, 'vcpus': 1,
        'memory_mb': 512, 'disk_gb': 1, 'affinity': True}]
    created = api.request('POST', '/v1/leases', body).json['lease']
    (res,) = created['reservations']
    assert res['server_group_id'] is None

    # What the agent does once Nova made the group.
    admin = bn_context.admin_context()
    assert api.store.record_server_group(admin, res['id'], GROUP) is True
    assert api.store.record_server_group(
        admin, '00000000-0000-4000-8000-000000000000', GROUP) is False

    path = '/v1/leases/%s' % created['id']
    shown = api.request('GET', path).json['lease']
    assert shown['reservations'][0]['server_group_id'] == GROUP
    (listed,) = api.request('GET', '/v1/leases').json['leases']
    assert listed['reservations'][0]['server_group_id'] == GROUP

    # Sent back from a GET, as clients do: ignored.
    echoed = api.request('PUT', path, {'reservations': [
        {'id': res['id'], 'server_group_id': 'mine', 'amount': 1}]})
    assert echoed.status_int == 200, echoed.text
    assert api.request('GET', path).json['lease']['reservations'][0][
        'server_group_id'] == GROUP


def test_host_reservations_have_no_server_group(api):
    enrol(api, 'cn1')
    created = api.request('POST', '/v1/leases',
                          host_lease('hosts')).json['lease']
    assert 'server_group_id' not in created['reservations'][0]
