"""Tests of placement_ext.store.validation: Blazar v1 bodies to requests."""

import calendar
import datetime

from oslo_config import cfg
import pytest

from placement_ext.reservations import physical_host
from placement_ext.reservations.physical_host import request as host_request
from placement_ext.reservations import virtual_instance
from placement_ext.reservations.virtual_instance import request \
    as instance_request
from placement_ext import conf as bn_conf
from placement_ext.conf import leases as leases_conf
from placement_ext.exception import InvalidInput
from placement_ext.store import validation as v

UTC = datetime.timezone.utc
HOUR = 3600
DAY = 86400


def epoch(*args):
    return calendar.timegm(datetime.datetime(*args).timetuple())


NOW = epoch(2030, 1, 1, 12, 0, 0)


@pytest.fixture
def conf():
    conf = cfg.ConfigOpts()
    bn_conf.register_opts(conf)
    conf([])
    yield conf
    # oslo.config shares a registered group's options between ConfigOpts
    # objects, so overrides would leak into later tests.
    for opt in leases_conf.opts:
        conf.clear_override(opt.dest, group='leases')


def raises(field, fragment, func, *args, words=None, **kwargs):
    """Call ``func`` and check it raises InvalidInput about ``field``; its
    message is ``words`` (Blazar's sentence for the case) when given,
    else ``Invalid <field>: <reason>``."""
    with pytest.raises(InvalidInput) as info:
        func(*args, **kwargs)
    assert info.value.field == field
    assert fragment in info.value.reason
    if words is not None:
        assert str(info.value) == words
    else:
        assert str(info.value).startswith('Invalid %s: ' % field)
        assert fragment in str(info.value)
    return info.value


IN_PAST = 'Start date must be later than current date'
END_NOT_LATER = 'End date must be later than current and start date'


def bad_date(text):
    return '%s is an invalid date. Required format: %%Y-%%m-%%d %%H:%%M' % (
        text)


def host(**kwargs):
    values = {'resource_type': 'physical:host', 'min': 1, 'max': 2}
    values.update(kwargs)
    return values


def instance(**kwargs):
    values = {'resource_type': 'virtual:instance', 'amount': 2,
              'vcpus': 4, 'memory_mb': 4096, 'disk_gb': 20}
    values.update(kwargs)
    return values


def lease(**kwargs):
    body = {'name': 'lease-1', 'start_date': '2030-01-02 00:00',
            'end_date': '2030-01-03 00:00', 'reservations': [host()],
            'events': []}
    body.update(kwargs)
    return body


# parse_datetime

@pytest.mark.parametrize('text,expected', [
    ('2030-01-02 03:04', epoch(2030, 1, 2, 3, 4)),
    ('2030-01-02 03:04:05', epoch(2030, 1, 2, 3, 4, 5)),
    ('2030-01-02T03:04', epoch(2030, 1, 2, 3, 4)),
    ('2030-01-02T03:04:05', epoch(2030, 1, 2, 3, 4, 5)),
    ('2030-01-02T03:04:05.999999', epoch(2030, 1, 2, 3, 4, 5)),
    ('2030-01-02T03:04:05.5Z', epoch(2030, 1, 2, 3, 4, 5)),
    ('2030-01-02T03:04Z', epoch(2030, 1, 2, 3, 4)),
    ('2030-01-02T03:04:05+02:00', epoch(2030, 1, 2, 1, 4, 5)),
    ('2030-01-02T03:04:05-05:30', epoch(2030, 1, 2, 8, 34, 5)),
    ('2030-01-01T01:00:00+02:00', epoch(2029, 12, 31, 23, 0, 0)),
])
def test_parse_datetime_formats(text, expected):
    assert v.parse_datetime(text, 'start_date', NOW) == expected


@pytest.mark.parametrize('text,expected', [
    ('1970-01-01T00:00Z', 0),
    ('1970-01-01T01:00+01:00', 0),
    ('9999-12-31T00:00:00Z', 253402214400),
    ('9999-12-30T23:00-01:00', 253402214400),
])
def test_parse_datetime_bounds_are_accepted(text, expected):
    assert v.parse_datetime(text, 'x', NOW) == expected


@pytest.mark.parametrize('text', [
    # An offset that pushes the date past year 9999 had answered 500.
    '9999-12-31T23:59:59-14:00',
    '9999-12-31T23:59-01:00',
    '9999-12-31T00:00:01Z',
    '0001-01-01T00:00+01:00',
    '1969-12-31T23:59:59Z',
    '1970-01-01T00:00+00:01',
])
def test_parse_datetime_outside_the_range_is_refused(text):
    with pytest.raises(InvalidInput) as info:
        v.parse_datetime(text, 'end_date', NOW)
    assert info.value.field == 'end_date'
    assert 'must lie between 1970-01-01 00:00:00 UTC and 9999-12-31 ' \
        '00:00:00 UTC' in str(info.value)


def test_parse_datetime_now():
    assert v.parse_datetime('now', 'start_date', NOW) == NOW


def test_parse_datetime_naive_datetime_is_utc():
    moment = datetime.datetime(2030, 1, 2, 3, 4, 5, 600000)
    assert v.parse_datetime(moment, 'x', NOW) == epoch(2030, 1, 2, 3, 4, 5)


def test_parse_datetime_aware_datetime_is_converted():
    zone = datetime.timezone(datetime.timedelta(hours=-3))
    moment = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=zone)
    assert v.parse_datetime(moment, 'x', NOW) == epoch(2030, 1, 2, 6, 4, 5)


@pytest.mark.parametrize('value', [
    'tomorrow', 'NOW', '', '2030-01-02', '2030-01-02 3:04',
    '2030-13-01 00:00', '2030-02-30 00:00', '2030-01-02 24:00',
    '2030-01-02 00:00:61', '2030-01-02T03:04+25:00',
    '2030-01-02T03:04+02:75', '2030-01-02T03:04:05.1234567',
    ' 2030-01-02 03:04', '02/01/2030 03:04',
])
def test_parse_datetime_rejects_bad_strings(value):
    raises('end_date', "expected 'now' or YYYY-MM-DD HH:MM[:SS]",
           v.parse_datetime, value, 'end_date', NOW, words=bad_date(value))


@pytest.mark.parametrize('value', [None, 1893456000, 1.5, ['now'],
                                   datetime.date(2030, 1, 2)])
def test_parse_datetime_rejects_non_strings(value):
    raises('start_date', "expected 'now' or YYYY-MM-DD HH:MM[:SS]",
           v.parse_datetime, value, 'start_date', NOW)


# parse_duration

@pytest.mark.parametrize('value,expected', [
    ('1d', DAY), ('2h', 2 * HOUR), ('30m', 1800), ('45s', 45), ('90', 90),
    ('0', 0), ('0d', 0), ('3D', 3 * DAY), (120, 120), (0, 0),
])
def test_parse_duration(value, expected):
    assert v.parse_duration(value, 'prolong_for') == expected


@pytest.mark.parametrize('value', ['-1d', '-5', -1])
def test_parse_duration_rejects_negatives(value):
    raises('reduce_by', 'must not be negative',
           v.parse_duration, value, 'reduce_by')


@pytest.mark.parametrize('value', ['', 'd', '1w', '1.5h', '1d2h', 'soon',
                                   '1 d', '+1d'])
def test_parse_duration_rejects_garbage(value):
    raises('defer_by', 'is not a duration',
           v.parse_duration, value, 'defer_by')


@pytest.mark.parametrize('value', [True, None, 1.0, ['1d']])
def test_parse_duration_rejects_other_types(value):
    raises('advance_by', 'expected a duration',
           v.parse_duration, value, 'advance_by')


def test_parse_duration_rejects_huge():
    raises('prolong_for', 'at most', v.parse_duration, '30000d',
           'prolong_for')


# parse_reservation: common

def test_reservation_must_be_a_dict(conf):
    raises('reservations[2]', 'must be an object',
           v.parse_reservation, ['min', 1], 2, conf)


@pytest.mark.parametrize('values', [{'min': 1, 'max': 1},
                                    host(resource_type=None)])
def test_reservation_resource_type_missing(conf, values):
    raises('reservations[0].resource_type', 'is required',
           v.parse_reservation, values, 0, conf,
           words='Missing parameter resource_type')


@pytest.mark.parametrize('name', ['virtual:floatingip', 'flavor:nope'])
def test_reservation_resource_type_unknown(conf, name):
    exc = raises('reservations[0].resource_type', 'unknown resource type',
                 v.parse_reservation, host(resource_type=name), 0, conf,
                 words=str(v.reservations.unsupported(name)))
    assert str(exc).startswith(
        'The %s resource type is not supported: this service reserves '
        'compute only (' % name)
    assert 'physical:host' in str(exc) and 'virtual:instance' in str(exc)


# parse_reservation: physical:host

def test_host_reservation(conf):
    request = v.parse_reservation(
        host(min='2', max='3', hypervisor_properties='["=", "$a", "1"]',
             resource_properties=''), 0, conf)
    assert request == host_request.HostRequest(
        min_count=2, max_count=3,
        hypervisor_properties='["=", "$a", "1"]', resource_properties='')
    assert request.resource_type == physical_host.NAME


def test_host_reservation_properties_kept_as_given(conf):
    prop = ['=', '$gpu', 'true']
    request = v.parse_reservation(host(resource_properties=prop), 0, conf)
    assert request.resource_properties == prop
    assert request.hypervisor_properties is None


@pytest.mark.parametrize('key', ['hypervisor_properties',
                                 'resource_properties'])
@pytest.mark.parametrize('value', [{'a': 1}, 3, True])
def test_host_reservation_properties_type(conf, key, value):
    raises('reservations[1].' + key, 'must be a JSON string or a list',
           v.parse_reservation, host(**{key: value}), 1, conf)


def test_host_reservation_tolerated_keys(conf):
    request = v.parse_reservation(
        host(id='r1', lease_id='l1', status='pending',
             missing_resources=False, resources_changed=False,
             before_end='snapshot'), 0, conf)
    assert (request.min_count, request.max_count) == (1, 2)


@pytest.mark.parametrize('before_end', ['default', 'snapshot'])
def test_host_reservation_before_end_accepted(conf, before_end):
    v.parse_reservation(host(before_end=before_end), 0, conf)


def test_host_reservation_before_end_null_is_the_default(conf):
    # The schema lets null through; the store takes it as not given.
    request = v.parse_reservation(host(before_end=None), 0, conf)
    assert request.before_end == 'default'


@pytest.mark.parametrize('before_end', ['delete', ''])
def test_host_reservation_before_end_rejected(conf, before_end):
    raises('reservations[0].before_end', 'is not one of default, snapshot',
           v.parse_reservation, host(before_end=before_end), 0, conf)


@pytest.mark.parametrize('key', ['amount', 'on_start', 'flavor_id'])
def test_host_reservation_unknown_key(conf, key):
    raises('reservations[0].%s' % key, 'unknown field',
           v.parse_reservation, host(**{key: 1}), 0, conf)


@pytest.mark.parametrize('key', ['min', 'max'])
def test_host_reservation_requires_min_max(conf, key):
    values = host()
    del values[key]
    raises('reservations[0].%s' % key, 'is required',
           v.parse_reservation, values, 0, conf,
           words='Missing parameter %s' % key)


@pytest.mark.parametrize('value,fragment', [
    (0, 'at least 1'), ('0', 'at least 1'), (-1, 'at least 1'),
    (True, 'must be an integer'), (1.0, 'must be an integer'),
    ('1.0', 'must be an integer'), ('one', 'must be an integer'),
    (None, 'must be an integer'), (' 1', 'must be an integer'),
    (2 ** 31, 'at most 2147483647'),
])
def test_host_reservation_min_values(conf, value, fragment):
    raises('reservations[3].min', fragment,
           v.parse_reservation, host(min=value, max=5), 3, conf)


def test_host_reservation_max_below_min(conf):
    raises('reservations[0].max', 'min (3) is greater than max (2)',
           v.parse_reservation, host(min=3, max='2'), 0, conf,
           words='Invalid values for min/max of hosts. Max must be equal '
                 'to or larger than min.')


def test_host_reservation_largest_int(conf):
    request = v.parse_reservation(host(max=2 ** 31 - 1), 0, conf)
    assert request.max_count == 2 ** 31 - 1


# parse_reservation: virtual:instance

def test_instance_reservation(conf):
    request = v.parse_reservation(
        instance(amount='3', disk_gb=0, affinity='False',
                 resource_properties='["=", "$a", "b"]',
                 extra_resources={'CUSTOM_GPU': 1, 'VGPU': '2'}), 0, conf)
    assert request == instance_request.InstanceRequest(
        amount=3, vcpus=4, memory_mb=4096, disk_gb=0, affinity=False,
        extra_resources={'CUSTOM_GPU': 1, 'VGPU': 2},
        resource_properties='["=", "$a", "b"]')
    assert request.resource_type == virtual_instance.NAME


def test_instance_reservation_defaults(conf):
    request = v.parse_reservation(instance(), 0, conf)
    assert request.affinity is None
    assert request.extra_resources == {}
    assert request.resource_properties is None


@pytest.mark.parametrize('value,expected', [
    (True, True), (False, False), (None, None), ('true', True),
    ('True', True), ('FALSE', False), ('false', False), ('none', None),
    ('None', None), ('null', None), ('NULL', None),
])
def test_instance_affinity(conf, value, expected):
    request = v.parse_reservation(instance(affinity=value), 0, conf)
    assert request.affinity is expected


@pytest.mark.parametrize('value', ['yes', 1, 0, '', 'anti'])
def test_instance_affinity_rejected(conf, value):
    raises('reservations[0].affinity', 'is not true, false or none',
           v.parse_reservation, instance(affinity=value), 0, conf)


@pytest.mark.parametrize('key', ['amount', 'vcpus', 'memory_mb', 'disk_gb'])
def test_instance_reservation_required(conf, key):
    values = instance()
    del values[key]
    raises('reservations[1].%s' % key, 'is required',
           v.parse_reservation, values, 1, conf,
           words='Missing parameter %s' % key)


@pytest.mark.parametrize('key,value,fragment', [
    ('amount', 0, 'at least 1'), ('vcpus', 0, 'at least 1'),
    ('memory_mb', '0', 'at least 1'), ('disk_gb', -1, 'at least 0'),
    ('vcpus', False, 'must be an integer'),
    ('memory_mb', 2 ** 31, 'at most'), ('amount', '2x', 'must be an'),
])
def test_instance_reservation_bad_ints(conf, key, value, fragment):
    raises('reservations[0].%s' % key, fragment,
           v.parse_reservation, instance(**{key: value}), 0, conf)


@pytest.mark.parametrize('key', ['min', 'hypervisor_properties',
                                 'before_end', 'flavor_id'])
def test_instance_reservation_unknown_key(conf, key):
    raises('reservations[0].%s' % key, 'unknown field',
           v.parse_reservation, instance(**{key: '1'}), 0, conf)


@pytest.mark.parametrize('key', ['created_at', 'updated_at', 'allocations',
                                 'resource_id'])
def test_echoed_reservation_fields_are_ignored(conf, key):
    # Blazar returns them on GET; the schema had accepted them while the
    # store refused them as unknown fields.
    assert v.parse_reservation(host(**{key: [1]}), 0, conf).min_count == 1
    assert v.parse_reservation(instance(**{key: 'x'}), 0, conf).amount == 2


def test_instance_reservation_tolerated_keys(conf):
    request = v.parse_reservation(
        instance(id='r', lease_id='l', status='active',
                 missing_resources=True, resources_changed=False), 0, conf)
    assert request.amount == 2


@pytest.mark.parametrize('extra,field,fragment', [
    (['CUSTOM_GPU'], 'reservations[0].extra_resources', 'must be an object'),
    ({'custom_gpu': 1}, 'reservations[0].extra_resources',
     'not a resource class name'),
    ({'CUSTOM-GPU': 1}, 'reservations[0].extra_resources',
     'not a resource class name'),
    ({'': 1}, 'reservations[0].extra_resources', 'not a resource class'),
    ({'VCPU': 1}, 'reservations[0].extra_resources', 'given by vcpus'),
    ({'CUSTOM_GPU': 0}, 'reservations[0].extra_resources.CUSTOM_GPU',
     'at least 1'),
    ({'CUSTOM_GPU': True}, 'reservations[0].extra_resources.CUSTOM_GPU',
     'must be an integer'),
])
def test_instance_extra_resources_rejected(conf, extra, field, fragment):
    raises(field, fragment,
           v.parse_reservation, instance(extra_resources=extra), 0, conf)


def test_instance_slot_size_includes_extra_resources(conf):
    request = v.parse_reservation(
        instance(disk_gb=0, extra_resources={'CUSTOM_GPU': 2}), 0, conf)
    assert request.slot_size() == {'vcpus': 4, 'memory_mb': 4096,
                                   'CUSTOM_GPU': 2}


# parse_lease

def test_lease(conf):
    request = v.parse_lease(
        lease(reservations=[host(), instance()]), conf, NOW)
    assert request.name == 'lease-1'
    assert request.start == epoch(2030, 1, 2)
    assert request.end == epoch(2030, 1, 3)
    assert request.before_end == epoch(2030, 1, 3) - HOUR
    assert request.end_action == 'delete'
    assert request.start_is_now is False
    assert [r.resource_type for r in request.reservations] == [
        physical_host.NAME, virtual_instance.NAME]


def test_lease_blazarclient_body(conf):
    """What ``blazar lease-create --physical-reservation`` sends."""
    body = {'name': 'l', 'start_date': 'now', 'end_date': '2030-01-01 13:00',
            'events': [], 'before_end_date': None,
            'reservations': [{'min': '1', 'max': '1',
                              'hypervisor_properties': '',
                              'resource_properties': '',
                              'before_end': 'default',
                              'resource_type': 'physical:host'}]}
    request = v.parse_lease(body, conf, NOW)
    assert (request.start, request.end) == (NOW, NOW + HOUR)
    assert request.start_is_now is True
    assert request.reservations[0].hypervisor_properties == ''


@pytest.mark.parametrize('body', [None, [], 'lease'])
def test_lease_body_must_be_dict(conf, body):
    raises('body', 'must be a JSON object', v.parse_lease, body, conf, NOW)


@pytest.mark.parametrize('key', ['name', 'start_date', 'end_date'])
def test_lease_required_keys(conf, key):
    body = lease()
    del body[key]
    raises(key, 'is required', v.parse_lease, body, conf, NOW,
           words='Missing parameter %s' % key)


def test_lease_required_keys_all_named(conf):
    raises('name', 'is required', v.parse_lease, {'reservations': []}, conf,
           NOW, words='Missing parameter name, start_date, end_date')


@pytest.mark.parametrize('reservations', [[], None])
def test_lease_without_reservations(conf, reservations):
    """Accepted, as in Blazar (no key, or an empty list)."""
    body = lease()
    if reservations is None:
        del body['reservations']
    else:
        body['reservations'] = reservations
    assert v.parse_lease(body, conf, NOW).reservations == []


@pytest.mark.parametrize('name,fragment', [
    ('', 'non-empty'), ('   ', 'non-empty'), (None, 'non-empty'),
    (5, 'non-empty'), ('x' * 81, 'at most 80'),
])
def test_lease_name_rejected(conf, name, fragment):
    raises('name', fragment, v.parse_lease, lease(name=name), conf, NOW)


def test_lease_name_of_80_chars(conf):
    assert v.parse_lease(lease(name='x' * 80), conf, NOW).name == 'x' * 80


@pytest.mark.parametrize('reservations,fragment', [
    (None, 'must be a list'), (host(), 'must be a list'),
    ([host()] * 101, 'at most 100'),
])
def test_lease_reservations_list(conf, reservations, fragment):
    raises('reservations', fragment,
           v.parse_lease, lease(reservations=reservations), conf, NOW)


def test_lease_hundred_reservations(conf):
    request = v.parse_lease(lease(reservations=[host()] * 100), conf, NOW)
    assert len(request.reservations) == 100


def test_lease_reservation_errors_name_index(conf):
    raises('reservations[1].vcpus', 'at least 1', v.parse_lease,
           lease(reservations=[host(), instance(vcpus=0)]), conf, NOW)


def test_lease_unknown_key(conf):
    raises('flavor', 'unknown field',
           v.parse_lease, lease(flavor='m1'), conf, NOW)


def test_lease_tolerated_keys(conf):
    body = lease(id='x', project_id='p', user_id='u', trust_id='t',
                 status='PENDING', degraded=False)
    assert v.parse_lease(body, conf, NOW).name == 'lease-1'


def test_lease_events(conf):
    body = lease()
    del body['events']
    v.parse_lease(body, conf, NOW)
    raises('events', 'not supported', v.parse_lease,
           lease(events=[{'event_type': 'start_lease'}]), conf, NOW)


@pytest.mark.parametrize('action', ['delete', 'shelve', 'keep'])
def test_lease_end_action(conf, action):
    request = v.parse_lease(lease(end_action=action), conf, NOW)
    assert request.end_action == action


def test_lease_end_action_default_from_conf(conf):
    conf.set_override('default_end_action', 'shelve', group='leases')
    assert v.parse_lease(lease(), conf, NOW).end_action == 'shelve'


@pytest.mark.parametrize('action', ['destroy', None, ''])
def test_lease_end_action_rejected(conf, action):
    raises('end_action', 'is not one of delete, shelve, keep',
           v.parse_lease, lease(end_action=action), conf, NOW)


def test_lease_start_now(conf):
    request = v.parse_lease(lease(start_date='now'), conf, NOW)
    assert request.start == NOW
    assert request.start_is_now is True


def test_lease_start_within_grace_moves_to_now(conf):
    request = v.parse_lease(lease(start_date='2030-01-01 11:59'), conf, NOW)
    assert request.start == NOW
    assert request.start_is_now is True


def test_lease_start_at_grace_limit(conf):
    conf.set_override('start_grace', 0, group='leases')
    raises('start_date', 'is in the past', v.parse_lease,
           lease(start_date='2030-01-01 11:59:59'), conf, NOW,
           words=IN_PAST)
    request = v.parse_lease(lease(start_date='2030-01-01 12:00'), conf, NOW)
    assert request.start == NOW
    assert request.start_is_now is False


def test_lease_start_in_the_past(conf):
    exc = raises('start_date', 'is in the past', v.parse_lease,
                 lease(start_date='2030-01-01 11:58:59'), conf, NOW,
                 words=IN_PAST)
    assert '2030-01-01 11:58:59' in exc.reason


def test_lease_start_bad_format(conf):
    raises('start_date', 'expected', v.parse_lease,
           lease(start_date='01/02/2030'), conf, NOW,
           words=bad_date('01/02/2030'))


def test_lease_end_bad_format(conf):
    raises('end_date', 'expected', v.parse_lease,
           lease(end_date='2030-01-03'), conf, NOW,
           words=bad_date('2030-01-03'))


@pytest.mark.parametrize('end', ['2030-01-02 00:00', '2030-01-01 23:00'])
def test_lease_end_before_start(conf, end):
    raises('end_date', 'end_date must be after start_date',
           v.parse_lease, lease(end_date=end), conf, NOW,
           words='End date must be later than start date.')


def test_lease_end_before_moved_start(conf):
    body = lease(start_date='2030-01-01 11:59',
                 end_date='2030-01-01 11:59:30')
    raises('end_date', 'end_date must be after start_date', v.parse_lease,
           body, conf, NOW, words='End date must be later than start date.')


def test_lease_with_offsets(conf):
    request = v.parse_lease(
        lease(start_date='2030-01-02T02:00:00+02:00',
              end_date='2030-01-02T12:00:00Z'), conf, NOW)
    assert request.start == epoch(2030, 1, 2)
    assert request.end == epoch(2030, 1, 2, 12)


def test_lease_max_duration(conf):
    conf.set_override('max_lease_duration', DAY, group='leases')
    request = v.parse_lease(lease(), conf, NOW)
    assert request.end - request.start == DAY
    exc = raises('end_date', 'longer than the maximum', v.parse_lease,
                 lease(end_date='2030-01-03 00:00:01'), conf, NOW)
    assert '86401s' in exc.reason
    assert '86400s' in exc.reason


def test_lease_unlimited_duration(conf):
    request = v.parse_lease(lease(end_date='2040-01-01 00:00'), conf, NOW)
    assert request.end == epoch(2040, 1, 1)


def test_lease_before_end_default_clamped_to_start(conf):
    request = v.parse_lease(lease(end_date='2030-01-02 00:30'), conf, NOW)
    assert request.before_end == request.start
    conf.set_override('before_end_default', 0, group='leases')
    request = v.parse_lease(lease(), conf, NOW)
    assert request.before_end == request.end


def test_lease_before_end_given(conf):
    request = v.parse_lease(
        lease(before_end_date='2030-01-02 18:00'), conf, NOW)
    assert request.before_end == epoch(2030, 1, 2, 18)


@pytest.mark.parametrize('before_end', ['2030-01-02 00:00',
                                        '2030-01-03 00:00'])
def test_lease_before_end_at_bounds(conf, before_end):
    request = v.parse_lease(lease(before_end_date=before_end), conf, NOW)
    assert request.before_end == v.parse_datetime(before_end, 'x', NOW)


@pytest.mark.parametrize('before_end,fragment,words', [
    ('2030-01-01 23:59:59', 'is not between',
     'Datetime is out of lease limits'),
    ('2030-01-03 00:00:01', 'is not between',
     'Datetime is out of lease limits'),
    ('soon', 'expected', bad_date('soon')),
])
def test_lease_before_end_rejected(conf, before_end, fragment, words):
    raises('before_end_date', fragment,
           v.parse_lease, lease(before_end_date=before_end), conf, NOW,
           words=words)


# parse_lease_update

START = epoch(2030, 1, 2)
END = epoch(2030, 1, 3)


def update(conf, body, started=False, start=START, end=END, now=NOW):
    return v.parse_lease_update(body, start, end, conf, now, started)


def test_update_name_only(conf):
    assert update(conf, {'name': 'new'}) == {
        'name': 'new', 'start': START, 'end': END, 'before_end': None,
        'reservations': []}


def test_update_name_rejected(conf):
    raises('name', 'non-empty', update, conf, {'name': ''})


@pytest.mark.parametrize('body', [{}, None, []])
def test_update_empty_body(conf, body):
    fragment = 'nothing to update' if body == {} else 'JSON object'
    raises('body', fragment, update, conf, body)


def test_update_unknown_key(conf):
    raises('events', 'unknown field', update, conf, {'events': []})


def test_update_end_action_and_keep_grace(conf):
    result = update(conf, {'end_action': 'keep', 'keep_grace': '2h'})
    assert (result['end_action'], result['keep_grace']) == ('keep',
                                                            2 * HOUR)
    raises('end_action', 'is not one of', update, conf,
           {'end_action': 'explode'})
    raises('keep_grace', 'must not be negative', update, conf,
           {'keep_grace': '-1'})


def test_lease_end_action_and_keep_grace(conf):
    request = v.parse_lease(lease(), conf, NOW)
    assert (request.end_action, request.keep_grace) == ('delete', 3600)
    request = v.parse_lease(lease(end_action='keep', keep_grace=600), conf,
                            NOW)
    assert (request.end_action, request.keep_grace) == ('keep', 600)


def test_update_dates(conf):
    result = update(conf, {'start_date': '2030-01-02 06:00',
                           'end_date': '2030-01-04T00:00:00Z'})
    assert (result['start'], result['end']) == (START + 6 * HOUR, END + DAY)
    assert result['before_end'] is None
    assert 'name' not in result


@pytest.mark.parametrize('body,start,end', [
    ({'prolong_for': '1d'}, START, END + DAY),
    ({'reduce_by': '2h'}, START, END - 2 * HOUR),
    ({'defer_by': '30m'}, START + 1800, END),
    ({'advance_by': '3600'}, START - HOUR, END),
    ({'defer_by': '1h', 'prolong_for': '1h'}, START + HOUR, END + HOUR),
    ({'start_date': '2030-01-02 01:00', 'reduce_by': '1h'},
     START + HOUR, END - HOUR),
])
def test_update_relative(conf, body, start, end):
    result = update(conf, body)
    assert (result['start'], result['end']) == (start, end)


@pytest.mark.parametrize('first,second', [
    ('start_date', 'defer_by'), ('start_date', 'advance_by'),
    ('end_date', 'prolong_for'), ('end_date', 'reduce_by'),
    ('defer_by', 'advance_by'), ('prolong_for', 'reduce_by'),
])
def test_update_exclusive_keys(conf, first, second):
    values = {'start_date': '2030-01-02 01:00',
              'end_date': '2030-01-03 01:00', 'defer_by': '1h',
              'advance_by': '1h', 'prolong_for': '1h', 'reduce_by': '1h'}
    raises(first, 'cannot be combined with %s' % second, update, conf,
           {first: values[first], second: values[second]})


@pytest.mark.parametrize('body,field', [
    ({'start_date': '2030-01-01 13:00'}, 'start_date'),
    ({'start_date': 'now'}, 'start_date'),
    ({'defer_by': '1h'}, 'defer_by'),
    ({'advance_by': '1m'}, 'advance_by'),
])
def test_update_started_lease_cannot_move_start(conf, body, field):
    raises(field, 'cannot change the start of a lease that has started',
           update, conf, body, started=True, start=NOW - HOUR,
           words='Cannot modify the start date of already started leases')


def test_update_started_lease_same_start_allowed(conf):
    start = epoch(2030, 1, 1, 11)
    result = update(conf, {'start_date': '2030-01-01 11:00',
                           'prolong_for': '1d'}, started=True, start=start)
    assert (result['start'], result['end']) == (start, END + DAY)
    result = update(conf, {'defer_by': '0'}, started=True, start=start)
    assert result['start'] == start


def test_update_started_lease_end_changes(conf):
    result = update(conf, {'reduce_by': '23h'}, started=True,
                    start=NOW - HOUR)
    assert result['end'] == END - 23 * HOUR


def test_update_start_in_the_past(conf):
    raises('start_date', 'is in the past', update, conf,
           {'start_date': '2030-01-01 11:58'}, words=IN_PAST)
    raises('advance_by', 'is in the past', update, conf,
           {'advance_by': '13h'}, words=IN_PAST)


def test_update_start_within_grace_moves_to_now(conf):
    assert update(conf, {'start_date': '2030-01-01 11:59:30'})['start'] == NOW
    assert update(conf, {'start_date': 'now'})['start'] == NOW


def test_update_end_in_the_past(conf):
    raises('reduce_by', 'is in the past', update, conf,
           {'reduce_by': '2h'}, started=True, start=NOW - 3 * HOUR,
           end=NOW + HOUR, words=END_NOT_LATER)
    raises('end_date', 'is in the past', update, conf,
           {'end_date': '2030-01-01 11:00'}, started=True,
           start=NOW - 3 * HOUR, words=END_NOT_LATER)


def test_update_end_within_grace_moves_to_now(conf):
    result = update(conf, {'end_date': '2030-01-01 11:59:30'}, started=True,
                    start=NOW - HOUR)
    assert result['end'] == NOW


@pytest.mark.parametrize('body,field', [
    ({'end_date': '2030-01-02 00:00'}, 'end_date'),
    ({'reduce_by': '1d'}, 'reduce_by'),
    ({'defer_by': '2d'}, 'defer_by'),
    ({'start_date': '2030-01-03 00:00'}, 'start_date'),
    ({'start_date': '2030-01-05 00:00', 'prolong_for': '1d'}, 'prolong_for'),
])
def test_update_end_after_start(conf, body, field):
    raises(field, 'end_date must be after start_date', update, conf, body,
           words=END_NOT_LATER)


def test_update_moves_past_year_9999_are_refused(conf):
    far = v.parse_datetime('9999-12-30 00:00', 'x', NOW)
    exc = raises('defer_by', 'must lie between', update,
                 conf, {'defer_by': '20000d'}, start=far, end=far + DAY)
    assert 'seconds since the epoch' in exc.reason
    raises('prolong_for', 'must lie between', update, conf,
           {'prolong_for': '2d'}, start=far - DAY, end=far)
    raises('advance_by', 'must lie between', update, conf,
           {'advance_by': '24000d'})


def test_update_max_duration(conf):
    conf.set_override('max_lease_duration', DAY, group='leases')
    raises('prolong_for', 'longer than the maximum', update, conf,
           {'prolong_for': '1s'})
    raises('advance_by', 'longer than the maximum', update, conf,
           {'advance_by': '1h'})
    result = update(conf, {'defer_by': '1h', 'prolong_for': '1h'})
    assert result['end'] - result['start'] == DAY


def test_update_max_duration_not_applied_to_unchanged_window(conf):
    conf.set_override('max_lease_duration', HOUR, group='leases')
    assert update(conf, {'name': 'renamed'})['end'] == END


def test_update_bad_durations(conf):
    raises('prolong_for', 'is not a duration', update, conf,
           {'prolong_for': 'a while'})
    raises('defer_by', 'must not be negative', update, conf,
           {'defer_by': '-1h'})


def test_update_before_end(conf):
    result = update(conf, {'before_end_date': '2030-01-02 12:00'})
    assert result['before_end'] == START + 12 * HOUR
    result = update(conf, {'prolong_for': '1d',
                           'before_end_date': '2030-01-03 12:00'})
    assert result['before_end'] == END + 12 * HOUR


@pytest.mark.parametrize('body', [
    {'before_end_date': '2030-01-03 00:00:01'},
    {'before_end_date': '2030-01-01 23:59'},
    {'before_end_date': '2030-01-02 23:30', 'reduce_by': '1h'},
])
def test_update_before_end_outside_window(conf, body):
    raises('before_end_date', 'is not between', update, conf, body,
           words='Datetime is out of lease limits')


def test_update_reservations(conf):
    result = update(conf, {'reservations': [
        {'id': 'a', 'min': '2', 'max': 3, 'hypervisor_properties': ''},
        {'id': 'b', 'amount': 4, 'vcpus': '2', 'memory_mb': 512,
         'disk_gb': 0, 'affinity': 'None', 'resource_properties': ['a']},
        {'id': 'c'},
    ]})
    assert result['reservations'] == [
        {'id': 'a', 'min': 2, 'max': 3, 'hypervisor_properties': ''},
        {'id': 'b', 'amount': 4, 'vcpus': 2, 'memory_mb': 512,
         'disk_gb': 0, 'affinity': None, 'resource_properties': ['a']},
        {'id': 'c'},
    ]
    assert (result['start'], result['end']) == (START, END)


def test_update_reservation_tolerated_keys_dropped(conf):
    result = update(conf, {'reservations': [
        {'id': 'a', 'lease_id': 'l', 'status': 'active', 'max': 2}]})
    assert result['reservations'] == [{'id': 'a', 'max': 2}]


def test_update_reservation_max_below_min(conf):
    raises('reservations[1].max', 'min (4) is greater than max (3)', update,
           conf, {'reservations': [{'id': 'a'},
                                   {'id': 'b', 'min': 4, 'max': '3'}]},
           words='Invalid values for min/max of hosts. Max must be equal '
                 'to or larger than min.')


def test_update_reservation_without_id(conf):
    raises('reservations[1].id', 'is required', update, conf,
           {'reservations': [{'id': 'a'}, {'max': 2}]},
           words='Missing parameter reservation ID')


@pytest.mark.parametrize('change,field,fragment', [
    ({'id': '', 'max': 2}, 'reservations[1].id', 'is required'),
    ({'id': 7, 'max': 2}, 'reservations[1].id', 'is required'),
    ({'id': 'a'}, 'reservations[1].id', 'given twice'),
    ({'id': 'b', 'min': 0}, 'reservations[1].min', 'at least 1'),
    ({'id': 'b', 'max': True}, 'reservations[1].max', 'must be an integer'),
    ({'id': 'b', 'disk_gb': -1}, 'reservations[1].disk_gb', 'at least 0'),
    ({'id': 'b', 'vcpus': 2 ** 31}, 'reservations[1].vcpus', 'at most'),
    ({'id': 'b', 'affinity': 'maybe'}, 'reservations[1].affinity',
     'is not true, false or none'),
    ({'id': 'b', 'resource_properties': {}},
     'reservations[1].resource_properties', 'JSON string or a list'),
    ({'id': 'b', 'extra_resources': {}},
     'reservations[1].extra_resources', 'unknown field'),
    ('b', 'reservations[1]', 'must be an object'),
])
def test_update_reservation_rejected(conf, change, field, fragment):
    raises(field, fragment, update, conf,
           {'reservations': [{'id': 'a'}, change]})


def test_update_reservations_must_be_list(conf):
    raises('reservations', 'must be a list', update, conf,
           {'reservations': {'id': 'a'}})


def test_default_before_end(conf):
    assert v.default_before_end(START, END, conf) == END - HOUR
    assert v.default_before_end(START, START + 60, conf) == START
