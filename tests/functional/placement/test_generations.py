"""The retry of generation-checked writes against a real Placement: a
stale generation is a conflict, and the retry reads again and lands."""

import pytest

from placement_ext import exception
from placement_ext.placement import generations
from placement_ext.placement import providers
from placement_ext.testing import placement_service as ps


def _traits_url(uuid):
    return '/resource_providers/%s/traits' % uuid


def _put_traits(client, uuid, traits, generation):
    return generations.write(client.put, _traits_url(uuid), {
        'traits': sorted(traits), 'resource_provider_generation': generation})


def test_a_stale_generation_is_moved_and_a_fresh_one_lands(placement, node):
    host = node()
    traits, generation = providers.get_traits(placement, host)

    with pytest.raises(generations.Moved):
        _put_traits(placement, host, traits | {'HW_CPU_X86_AVX'},
                    generation - 1)

    resp = _put_traits(placement, host, traits | {'HW_CPU_X86_AVX'},
                       generation)
    assert resp.status == 200
    assert ps.traits_of(placement, host) == traits | {'HW_CPU_X86_AVX'}


def test_retry_reads_again_after_another_writer_moved_the_provider(
        placement, node):
    host = node()
    attempts = []

    def attempt():
        traits, generation = providers.get_traits(placement, host)
        attempts.append(generation)
        if len(attempts) < 3:
            # Another writer commits between this read and this write.
            providers.change_traits(placement, host,
                                    add={'CUSTOM_OTHER_%d' % len(attempts)})
        return _put_traits(placement, host, traits | {'HW_CPU_X86_AVX'},
                           generation).status

    assert generations.retry(attempt, 'adding AVX') == 200
    assert len(attempts) == 3
    assert ps.traits_of(placement, host) == {
        ps.NODE_TRAIT, 'CUSTOM_OTHER_1', 'CUSTOM_OTHER_2',
        'HW_CPU_X86_AVX'}


def test_retry_gives_up_when_the_generation_always_moves(placement, node):
    host = node()
    attempts = []

    def attempt():
        traits, generation = providers.get_traits(placement, host)
        attempts.append(generation)
        return _put_traits(placement, host, traits, generation - 1)

    with pytest.raises(exception.PlacementUnavailable) as exc:
        generations.retry(attempt, 'changing traits of %s' % host)

    assert len(attempts) == generations.ATTEMPTS
    assert str(exc.value) == (
        'gave up changing traits of %s after %d generation conflicts'
        % (host, generations.ATTEMPTS))
