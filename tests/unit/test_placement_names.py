"""The names of the encoding's traits, resource classes and providers."""

import itertools
import re
import uuid

import pytest

from blazar_nova import names

RID = '6e1c0b63-2f7d-4f57-9d0a-3b0c5c9f0f3a'
RID_NAME = '6E1C0B63_2F7D_4F57_9D0A_3B0C5C9F0F3A'
# What Placement accepts as a custom trait or resource class name
# (placement/schemas/common.py CUSTOM_TRAIT / resource class schema).
CUSTOM = re.compile(r'CUSTOM_[A-Z0-9_]+')
MAX_NAME = 255

PROJECTS = [
    '9f2b4c1e0d8a4b7c9e6f5a4b3c2d1e0f',  # a Keystone id
    'abc', 'ABC', 'Abc', 'a-b', 'a_b', 'ab', 'a b', 'a.b', '_61', '_',
    '', '0', '00', 'x' * 64, 'X' * 64, 'projet-\u00e9t\u00e9',
    '\u30d7\u30ed\u30b8\u30a7\u30af\u30c8', 'domain:proj/1', 'a\nb',
    '\U0001f600',
]


def test_resource_class_is_blazars():
    assert names.resource_class(RID) == 'CUSTOM_RESERVATION_' + RID_NAME
    assert names.resource_class(RID.upper()) == names.resource_class(RID)
    assert names.resource_class(RID.replace('-', '')) == (
        names.resource_class(RID))


@pytest.mark.parametrize('value', [
    'not-a-uuid', '', None, 5, RID + '0', RID[:-1], b'x'])
def test_not_a_reservation_id(value):
    assert names.canonical_reservation_id(value) is None
    with pytest.raises(ValueError):
        names.resource_class(value)
    with pytest.raises(ValueError):
        names.access_trait(value, 'p1')


def test_canonical_reservation_id():
    assert names.canonical_reservation_id(RID.upper()) == RID
    assert names.canonical_reservation_id('{%s}' % RID) == RID
    assert names.canonical_reservation_id(RID.replace('-', '')) == RID


def test_keystone_project_ids_keep_their_characters():
    project = PROJECTS[0]
    assert names.access_trait(RID, project) == (
        'CUSTOM_RESERVATION_%s_PROJECT_%s' % (RID_NAME, project.upper()))


@pytest.mark.parametrize('project', PROJECTS)
def test_every_project_id_gives_a_valid_trait(project):
    trait = names.access_trait(RID, project)
    assert CUSTOM.fullmatch(trait), repr(trait)
    assert len(trait) <= MAX_NAME
    assert names.reservation_of_trait(trait) == RID
    # An access trait is never taken for a resource class, nor the reverse.
    assert names.reservation_of_class(trait) is None
    assert names.reservation_of_trait(names.resource_class(RID)) is None


def test_project_ids_never_share_a_trait():
    traits = [names.access_trait(RID, p) for p in PROJECTS]
    assert len(set(traits)) == len(PROJECTS)


def test_reservations_never_share_a_trait():
    rids = [str(uuid.uuid4()) for _ in range(50)]
    traits = {names.access_trait(r, p)
              for r, p in itertools.product(rids, PROJECTS[:5])}
    assert len(traits) == 250
    assert {names.reservation_of_trait(t) for t in traits} == set(rids)


def test_keystone_length_ids_fit_placement():
    # Keystone ids are at most 64 characters; ASCII ones of any kind fit.
    for project in ('a' * 64, 'A' * 64, '-' * 64):
        assert len(names.access_trait(RID, project)) <= MAX_NAME


@pytest.mark.parametrize('name', [
    'CUSTOM_RESERVATION_' + RID_NAME.lower(),
    'CUSTOM_RESERVATION_' + RID_NAME + '_',
    'CUSTOM_RESERVATION_' + RID_NAME[:-1],
    'CUSTOM_RESERVATION_' + RID_NAME + '_PROJECT_',
    'CUSTOM_RESERVATION_' + RID_NAME + '_PROJECT_abc',
    'CUSTOM_RESERVATION_' + RID_NAME + '_OWNER_ABC',
    'CUSTOM_BLAZAR_RESERVED', 'CUSTOM_BLAZAR_RESERVABLE', 'VCPU',
    'HW_CPU_X86_AVX2', '',
])
def test_other_names_are_not_ours(name):
    assert names.reservation_of_trait(name) is None
    if not name.startswith('CUSTOM_RESERVATION_' + RID_NAME + '_'):
        assert names.reservation_of_class(name) is None


def test_reservation_of_class():
    assert names.reservation_of_class(names.resource_class(RID)) == RID
    assert names.reservation_of_class(
        names.access_trait(RID, 'p1')) is None


def test_child_providers():
    node = str(uuid.uuid4())
    assert names.child_provider_name('cn-1.example.org') == (
        'blazar_cn-1.example.org')
    child = names.child_provider_uuid(node)
    assert child == names.child_provider_uuid(node)
    assert child == names.child_provider_uuid(uuid.UUID(node))
    assert child != node
    assert uuid.UUID(child).version == 5
    others = {names.child_provider_uuid(str(uuid.uuid4()))
              for _ in range(100)}
    assert len(others) == 100 and child not in others


def test_a_trailing_newline_is_not_a_simple_project_id():
    trait = names.access_trait(RID, 'ab\n')
    assert CUSTOM.fullmatch(trait), repr(trait)
    assert trait != names.access_trait(RID, 'ab')
    # Nor is a name with a newline after it taken for ours.
    assert names.reservation_of_trait(
        names.access_trait(RID, 'ab') + '\n') is None
    assert names.reservation_of_class(names.resource_class(RID) + '\n') is (
        None)
