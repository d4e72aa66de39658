"""Tests for placement_ext.property_filter."""

import json
import types

import pytest

from placement_ext import exception
from placement_ext import property_filter as pf

FIELD = 'hypervisor_properties'


def match(expression, host, **kwargs):
    return pf.parse(expression, FIELD, **kwargs).matches(host)


def assert_invalid(expression, fragment, field=FIELD, **kwargs):
    with pytest.raises(exception.InvalidInput) as info:
        pf.parse(expression, field, **kwargs)
    message = str(info.value)
    # Text that is no JSON list gets Blazar's words for it.
    if not message.startswith('Malformed requirements '):
        assert message.startswith('Invalid %s: ' % field)
    assert fragment in info.value.reason
    assert info.value.field == field
    assert info.value.code == 400
    return message


# --- operators ------------------------------------------------------------

@pytest.mark.parametrize('op,value,expected', [
    ('==', 4096, True), ('==', 2048, False),
    ('=', 4096, True), ('=', 1024, False),
    ('!=', 2048, True), ('!=', 4096, False),
    ('<', 8192, True), ('<', 4096, False),
    ('<=', 4096, True), ('<=', 4095, False),
    ('>', 2048, True), ('>', 4096, False),
    ('>=', 4096, True), ('>=', 4097, False),
])
def test_each_comparison_operator(op, value, expected):
    assert match([op, '$memory_mb', value], {'memory_mb': 4096}) is expected


def test_in_operator():
    expr = ['in', '$zone', 'a', 'b']
    assert match(expr, {'zone': 'a'})
    assert match(expr, {'zone': 'b'})
    assert not match(expr, {'zone': 'c'})


def test_in_mixes_numbers_booleans_and_text():
    expr = ['in', '$x', 10, 'true', 'abc']
    assert match(expr, {'x': '10.0'})
    assert match(expr, {'x': True})
    assert match(expr, {'x': 'abc'})
    assert not match(expr, {'x': 'false'})
    assert not match(expr, {'x': '11'})


# --- numbers versus strings ----------------------------------------------

def test_numeric_strings_compare_as_numbers():
    assert match(['>', '$n', '9'], {'n': '10'})
    assert not match(['<', '$n', '9'], {'n': '10'})
    assert match(['>=', '$memory_mb', '4096'], {'memory_mb': '16384'})


def test_mixed_number_types_compare_numerically():
    assert match(['==', '$n', '4096'], {'n': 4096})
    assert match(['==', '$n', 4096], {'n': '4096.0'})
    assert match(['==', '$n', 8], {'n': ' 8 '})


def test_float_comparison():
    assert match(['>', '$ratio', '1.5'], {'ratio': '1.75'})
    assert not match(['>', '$ratio', 1.5], {'ratio': 1.25})
    assert match(['==', '$ratio', 1.5], {'ratio': '1.50'})
    assert match(['<', '$ratio', '1e3'], {'ratio': 999})


def test_negative_numbers():
    assert match(['<', '$t', '-5'], {'t': '-10'})
    assert not match(['>', '$t', -5], {'t': -10})
    assert match(['==', '$t', '-0.5'], {'t': -0.5})


def test_str_subclass_values_are_numeric_too():
    class Text(str):
        pass

    assert match(['>', '$n', '9'], {'n': Text('10')})


def test_non_numeric_strings_compare_as_text():
    assert match(['<', '$name', 'b'], {'name': 'abc'})
    assert not match(['>', '$name', 'b'], {'name': 'abc'})
    assert match(['==', '$cpu', 'Haswell'], {'cpu': 'Haswell'})
    assert not match(['==', '$cpu', 'haswell'], {'cpu': 'Haswell'})


def test_number_against_text_ordering_is_false():
    assert not match(['>', '$n', 'abc'], {'n': 5})
    assert not match(['<', '$n', 'abc'], {'n': 5})
    assert not match(['<', '$n', 5], {'n': 'abc'})
    assert not match(['>=', '$n', 5], {'n': 'abc'})


def test_number_against_text_equality():
    assert not match(['==', '$n', 5], {'n': 'five'})
    assert match(['!=', '$n', 5], {'n': 'five'})


def test_strings_that_only_look_numeric_are_text():
    # nan/inf and underscores are not numbers here.
    assert not match(['==', '$n', '1000'], {'n': '1_000'})
    assert match(['==', '$n', 'nan'], {'n': 'nan'})
    assert not match(['>', '$n', 5], {'n': 'inf'})
    assert not match(['>', '$n', 5], {'n': '1e999'})
    assert not match(['>', '$n', 5], {'n': float('inf')})
    assert match(['>', '$n', '5'], {'n': '9' * 400})


# --- booleans --------------------------------------------------------------

@pytest.mark.parametrize('host', [True, 'true', 'True', 'TRUE'])
@pytest.mark.parametrize('value', [True, 'true', 'True', 'TRUE'])
def test_true_variants_are_equal(host, value):
    assert match(['==', '$gpu', value], {'gpu': host})
    assert not match(['!=', '$gpu', value], {'gpu': host})


@pytest.mark.parametrize('host', [False, 'false', 'False', 'FALSE'])
def test_false_is_not_true(host):
    assert not match(['==', '$gpu', 'true'], {'gpu': host})
    assert match(['==', '$gpu', False], {'gpu': host})
    assert match(['!=', '$gpu', True], {'gpu': host})


def test_booleans_are_not_numbers():
    assert not match(['==', '$gpu', 1], {'gpu': True})
    assert not match(['==', '$gpu', True], {'gpu': 1})
    assert not match(['==', '$gpu', 'true'], {'gpu': 'yes'})


# --- missing properties ----------------------------------------------------

@pytest.mark.parametrize('op', ['==', '=', '!=', '<', '<=', '>', '>='])
def test_missing_property_matches_no_comparison(op):
    assert not match([op, '$gpu', 'x'], {'memory_mb': 4096})
    assert not match([op, '$gpu', 'x'], {'gpu': None})


def test_missing_property_and_in_or_not():
    assert not match(['in', '$gpu', 'a', 'b'], {})
    assert match(['not', ['==', '$gpu', 'true']], {})
    assert match(['not', ['!=', '$gpu', 'true']], {})


# --- logic ------------------------------------------------------------------

HOST = {'memory_mb': '8192', 'vcpus': 16, 'gpu': 'true', 'zone': 'a'}


def test_and():
    assert match(['and', ['>=', '$memory_mb', 4096],
                  ['==', '$gpu', True]], HOST)
    assert not match(['and', ['>=', '$memory_mb', 4096],
                      ['==', '$gpu', False]], HOST)


def test_or():
    assert match(['or', ['==', '$zone', 'b'], ['>', '$vcpus', 8]], HOST)
    assert not match(['or', ['==', '$zone', 'b'], ['>', '$vcpus', 32]],
                     HOST)


def test_not():
    assert match(['not', ['==', '$zone', 'b']], HOST)
    assert not match(['not', ['==', '$zone', 'a']], HOST)


def test_single_operand_and_or():
    assert match(['and', ['==', '$zone', 'a']], HOST)
    assert not match(['or', ['==', '$zone', 'b']], HOST)


def test_nested_logic():
    expr = ['and',
            ['or', ['==', '$zone', 'b'], ['>=', '$vcpus', 16]],
            ['not', ['and', ['==', '$gpu', 'false'],
                     ['<', '$memory_mb', 4096]]]]
    assert match(expr, HOST)
    assert not match(expr, dict(HOST, vcpus=8))
    assert not match(expr, {'zone': 'b', 'gpu': 'false',
                            'memory_mb': 1024})


# --- Blazar's forms and input kinds -----------------------------------------

def test_blazar_legacy_single_comparison():
    expr = '["=", "$memory_mb", "4096"]'
    assert match(expr, {'memory_mb': '4096'})
    assert match(expr, {'memory_mb': 4096})
    assert not match(expr, {'memory_mb': '2048'})


def test_blazar_and_form():
    expr = '["and", [">=", "$memory_mb", "4096"], ["==", "$gpu", "true"]]'
    assert match(expr, {'memory_mb': '8192', 'gpu': 'True'})
    assert not match(expr, {'memory_mb': '8192', 'gpu': 'false'})
    assert not match(expr, {'memory_mb': '2048', 'gpu': 'true'})


def test_json_string_and_decoded_list_are_equivalent():
    expr = ['or', ['<', '$vcpus', 4], ['in', '$zone', 'a']]
    from_json = pf.parse(json.dumps(expr), FIELD)
    from_list = pf.parse(expr, FIELD)
    assert from_json.expression == from_list.expression == expr
    assert from_json.matches(HOST) and from_list.matches(HOST)
    assert not from_json.matches({'vcpus': 8, 'zone': 'c'})


@pytest.mark.parametrize('expression', [None, '', '   ', '[]', ' [ ] ', []])
def test_empty_inputs_match_everything(expression):
    f = pf.parse(expression, FIELD)
    assert f.is_empty
    assert f.properties == frozenset()
    assert f.expression == []
    assert f.matches({})
    assert f.matches(HOST)


def test_non_empty_filter_is_not_empty():
    f = pf.parse(['==', '$zone', 'a'], FIELD)
    assert not f.is_empty
    assert not f.matches({})


# --- filter object ----------------------------------------------------------

def test_properties_lists_referenced_names():
    f = pf.parse(['and', ['==', '$zone', 'a'],
                  ['not', ['in', '$gpu', 'x']], ['>', '$zone', 'a']], FIELD)
    assert f.properties == frozenset({'zone', 'gpu'})


def test_expression_is_a_copy_and_repr_shows_it():
    source = ['==', '$zone', 'a']
    f = pf.parse(source, FIELD)
    source[2] = 'b'
    assert f.expression == ['==', '$zone', 'a']
    assert f.matches({'zone': 'a'})
    assert repr(f) == 'PropertyFilter(["==", "$zone", "a"])'


def test_no_properties_is_a_host_without_any():
    assert pf.parse(['==', '$zone', 'a'], FIELD).matches(None) is False
    assert pf.parse(['not', ['==', '$zone', 'a']], FIELD).matches(None)


@pytest.mark.parametrize('host', ['zone=a', 42, ['zone', 'a']])
def test_matches_raises_on_a_host_that_is_not_a_mapping(host):
    # A caller's bug, not a host that fails the filter.
    for expression in (['==', '$zone', 'a'], ['not', ['==', '$zone', 'a']]):
        with pytest.raises(TypeError, match='must be a mapping'):
            pf.parse(expression, FIELD).matches(host)


def test_container_values_compare_as_their_text():
    host = {'n': [1, 2], 'm': {'a': 1}}
    assert not match(['>', '$n', 1], host)
    assert match(['==', '$m', "{'a': 1}"], host)
    assert match(['!=', '$n', 'x'], host)


def test_matches_raises_what_a_value_raises():
    class Unprintable(object):
        def __str__(self):
            raise RuntimeError('boom')

    host = {'zone': Unprintable()}
    for expression in (['==', '$zone', 'a'], ['<', '$zone', 'a'],
                       ['not', ['!=', '$zone', 'a']]):
        with pytest.raises(RuntimeError, match='boom'):
            match(expression, host)


def test_matches_raises_what_the_mapping_raises():
    class Exploding(dict):
        def get(self, key, default=None):
            raise RuntimeError('boom')

    f = pf.parse(['not', ['==', '$zone', 'a']], FIELD)
    with pytest.raises(RuntimeError, match='boom'):
        f.matches(Exploding(zone='b'))
    assert f.matches({'zone': 'b'}) is True


def test_mapping_that_is_not_a_dict():
    class Props(dict):
        pass

    class Attrs(object):
        get = {'zone': 'a'}.get

    assert match(['==', '$zone', 'a'], Props(zone='a'))
    assert match(['==', '$zone', 'a'],
                 types.MappingProxyType({'zone': 'a'}))
    with pytest.raises(TypeError, match='not Attrs'):
        match(['==', '$zone', 'a'], Attrs())


# --- known_properties ------------------------------------------------------

def test_known_properties_accepts_known_names():
    f = pf.parse(['and', ['==', '$zone', 'a'], ['>', '$vcpus', 2]], FIELD,
                 known_properties=['zone', 'vcpus'])
    assert f.matches(HOST)


def test_known_properties_rejects_unknown_name():
    assert_invalid(['and', ['==', '$zone', 'a'], ['==', '$gpu', 'true']],
                   "unknown property '$gpu'",
                   known_properties={'zone', 'vcpus'})


def test_known_properties_empty_rejects_everything():
    assert_invalid(['==', '$zone', 'a'], "unknown property '$zone'",
                   known_properties=())


def test_without_known_properties_anything_goes():
    assert pf.parse(['==', '$anything', 'a'], FIELD).properties == {
        'anything'}


# --- malformed input --------------------------------------------------------

@pytest.mark.parametrize('expression,fragment', [
    ('["==", "$a", ', 'not valid JSON'),
    ("['==', '$a', 1]", 'not valid JSON'),
    ('{"a": 1}', 'must be a JSON list'),
    ('"text"', 'must be a JSON list'),
    (42, 'must be a JSON list'),
    ({'==': 1}, 'must be a JSON list'),
    (['and', []], 'empty expression'),
    ([5, '$a', 1], 'operator must be a string'),
    ([['==', '$a', 1]], 'operator must be a string'),
    (['=~', '$a', 'x'], "unknown operator '=~'"),
    (['AND', ['==', '$a', 1]], "unknown operator 'AND'"),
    (['==', '$a'], 'comparison needs a property and a value'),
    (['==', '$a', 1, 2], 'comparison needs a property and a value'),
    (['>'], 'comparison needs a property and a value'),
    (['in', '$a'], "'in' needs a property and at least one value"),
    (['==', 'a', 1], "property must be a string like '$name'"),
    (['==', '$', 1], "property must be a string like '$name'"),
    (['==', 5, 1], "property must be a string like '$name'"),
    (['==', '$a', None], 'value must be a string, number or boolean'),
    (['==', '$a', [1]], 'value must be a string, number or boolean'),
    (['==', '$a', {'b': 1}], 'value must be a string, number or boolean'),
    (['in', '$a', 1, [2, 3]], 'value must be a string, number or boolean'),
    (['not'], "'not' takes exactly one expression"),
    (['not', ['==', '$a', 1], ['==', '$b', 1]],
     "'not' takes exactly one expression"),
    (['and'], "'and' needs at least one expression"),
    (['or'], "'or' needs at least one expression"),
    (['and', 'x'], 'expected an expression list'),
    (['or', ['==', '$a', 1], 7], 'expected an expression list'),
])
def test_malformed_expressions(expression, fragment):
    assert_invalid(expression, fragment)


@pytest.mark.parametrize('expression,words', [
    ('["==", "$a", ', 'Malformed requirements ["==", "$a", '),
    ('{"a": 1}', 'Malformed requirements {"a": 1}'),
    (42, 'Malformed requirements 42'),
])
def test_no_json_list_in_blazar_words(expression, words):
    with pytest.raises(exception.InvalidInput) as info:
        pf.parse(expression, FIELD)
    assert str(info.value) == words


def test_field_name_is_in_the_message():
    message = assert_invalid(['=~', '$a', 1], "unknown operator '=~'",
                             field='resource_properties')
    assert message.startswith('Invalid resource_properties: ')


def test_unknown_operator_lists_valid_ones():
    message = assert_invalid(['like', '$a', 'x'], "unknown operator 'like'")
    assert '>=' in message and 'not' in message


def test_error_shows_the_offending_part():
    message = assert_invalid(['and', ['==', '$a']],
                             'comparison needs a property and a value')
    assert '["==", "$a"]' in message


def nested(depth):
    expr = ['==', '$a', 1]
    for _ in range(depth - 1):
        expr = ['not', expr]
    return expr


def test_depth_limit():
    assert match(nested(pf.MAX_DEPTH), {'a': 1}) is (pf.MAX_DEPTH % 2 == 1)
    assert_invalid(nested(pf.MAX_DEPTH + 1), 'nested deeper than 32')


def test_very_deep_json_is_rejected_not_crashing():
    text = '[' * 100000 + ']' * 100000
    assert_invalid(text, 'not valid JSON')


def test_self_referencing_list_is_rejected():
    expr = ['not']
    expr.append(expr)
    assert_invalid(expr, 'nested deeper than 32')


def test_size_limit():
    small = ['in', '$a'] + list(range(pf.MAX_NODES - 1))
    assert match(small, {'a': 5})
    assert_invalid(['in', '$a'] + list(range(pf.MAX_NODES)),
                   'too large (more than 1000 terms)')
    wide = ['or'] + [['==', '$a', i] for i in range(600)]
    assert_invalid(wide, 'too large')


def test_bad_known_properties_are_a_callers_bug_not_bad_input():
    with pytest.raises(TypeError):
        pf.parse(['==', '$a', 1], FIELD, known_properties=5)


# --- combine --------------------------------------------------------------

def test_combine_is_an_and():
    hyper = pf.parse(['>=', '$memory_mb', 4096], FIELD)
    resource = pf.parse('["==", "$gpu", "true"]', 'resource_properties')
    both = pf.combine(hyper, resource)
    assert both.matches({'memory_mb': 8192, 'gpu': 'true'})
    assert not both.matches({'memory_mb': 8192, 'gpu': 'false'})
    assert not both.matches({'memory_mb': 1024, 'gpu': 'true'})
    assert both.properties == {'memory_mb', 'gpu'}
    assert both.expression == ['and', ['>=', '$memory_mb', 4096],
                               ['==', '$gpu', 'true']]


def test_combine_flattens_and_and_round_trips():
    a = pf.parse(['and', ['==', '$a', 1], ['==', '$b', 2]], FIELD)
    c = pf.parse(['or', ['==', '$c', 3], ['==', '$d', 4]], FIELD)
    both = pf.combine(a, c)
    assert both.expression == ['and', ['==', '$a', 1], ['==', '$b', 2],
                               ['or', ['==', '$c', 3], ['==', '$d', 4]]]
    again = pf.parse(json.dumps(both.expression), FIELD)
    host = {'a': 1, 'b': 2, 'd': 4}
    assert both.matches(host) and again.matches(host)
    assert not both.matches(dict(host, d=5))


def test_combine_ignores_empty_filters():
    only = pf.parse(['==', '$a', 1], FIELD)
    empty = pf.parse(None, FIELD)
    assert pf.combine(empty, only, pf.parse('[]', FIELD)) is only
    assert pf.combine(empty, empty).is_empty
    assert pf.combine().is_empty
    assert pf.combine().matches({})
