"""How the filter reads a scheduling request's claim on reservations."""

import uuid

import pytest
from nova import objects

from blazar_nova.scheduler import request
from blazar_nova import names

objects.register_all()

RID = '6e1c0b63-2f7d-4f57-9d0a-3b0c5c9f0f3a'
OTHER = 'a7c64a1b-0d53-4a59-8b8e-6f2de3a61b5f'
PROJECT = '9f2b4c1e0d8a4b7c9e6f5a4b3c2d1e0f'


def spec(hint=None, extra_specs=None, project=PROJECT, hints=None):
    values = {'project_id': project,
              'flavor': objects.Flavor(name='m1.small',
                                       extra_specs=extra_specs or {})}
    if hints is not None:
        values['scheduler_hints'] = hints
    elif hint is not None:
        # Nova keeps every hint as a list of strings ('abc' -> ['abc'],
        # 5 -> ['5']); RequestSpec refuses anything else.
        if not isinstance(hint, list):
            hint = [hint]
        values['scheduler_hints'] = {'reservation': [str(h) for h in hint]}
    return objects.RequestSpec(**values)


def klass(rid):
    return 'resources:' + names.resource_class(rid)


@pytest.mark.parametrize('hint', [
    RID, [RID], RID.upper(), '  %s ' % RID, RID.replace('-', ''),
    [RID, RID.upper()],
])
def test_hint_forms_that_name_one_reservation(hint):
    claim = request.classify(spec(hint), allow_preemptibles=False)
    assert claim.kind == request.HOST_RESERVATION
    assert claim.reservation_id == RID
    assert claim.trait == names.access_trait(RID, PROJECT)


@pytest.mark.parametrize('hint', [
    '', 'not-a-uuid', [''], ['x', RID], 5, RID + '0',
])
def test_garbage_hints_refuse_every_host(hint):
    claim = request.classify(spec(hint), allow_preemptibles=True)
    assert claim.kind == request.REFUSED
    assert 'reservation' in claim.reason


def test_two_reservations_are_refused():
    claim = request.classify(spec([RID, OTHER]), allow_preemptibles=False)
    assert claim.kind == request.REFUSED
    assert RID in claim.reason and OTHER in claim.reason


def test_reservation_flavor_is_an_instance_claim():
    for key in (klass(RID), 'resources1:' + names.resource_class(RID)):
        claim = request.classify(spec(extra_specs={key: '1'}), False)
        assert claim.kind == request.INSTANCE_RESERVATION
        assert claim.reservation_id == RID
        assert claim.trait == names.access_trait(RID, PROJECT)


def test_hint_and_flavor_for_the_same_reservation_agree():
    claim = request.classify(spec(RID, {klass(RID): '1'}), False)
    assert claim.kind == request.INSTANCE_RESERVATION


def test_hint_and_flavor_for_different_reservations_are_refused():
    claim = request.classify(spec(OTHER, {klass(RID): '1'}), False)
    assert claim.kind == request.REFUSED


def test_malformed_reservation_class_is_refused():
    claim = request.classify(
        spec(extra_specs={'resources:CUSTOM_RESERVATION_FOO': '1'}), False)
    assert claim.kind == request.REFUSED


def test_trait_depends_on_the_requesting_project():
    mine = request.classify(spec(RID), False)
    theirs = request.classify(spec(RID, project=uuid.uuid4().hex), False)
    assert mine.trait != theirs.trait


@pytest.mark.parametrize('allow, value, kind', [
    (True, 'true', request.PREEMPTIBLE),
    (True, 'True', request.PREEMPTIBLE),
    (True, 'false', request.ORDINARY),
    (False, 'true', request.ORDINARY),
])
def test_preemptible_needs_the_option_and_the_flavor(allow, value, kind):
    claim = request.classify(
        spec(extra_specs={request.PREEMPTIBLE_KEY: value}), allow)
    assert claim.kind == kind


def test_no_hints_at_all_is_ordinary():
    assert request.classify(spec(), False).kind == request.ORDINARY
    assert request.classify(spec(hints={}), False).kind == request.ORDINARY
    empty = spec(hints={'reservation': []})
    assert request.classify(empty, False).kind == request.ORDINARY
    unset = objects.RequestSpec(project_id=PROJECT, flavor=objects.Flavor(
        name='m1', extra_specs={}))
    assert request.classify(unset, False).kind == request.ORDINARY
