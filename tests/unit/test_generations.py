"""The retry of generation-checked Placement writes, over a fake client.

A fake stands in for Placement here only to script the answers in a
given order (a conflict, Placement's lost race, success); the same helper
against a real Placement is in tests/functional/placement/
test_generations.py and test_encoding.py.
"""

import pytest

from placement_ext import exception
from placement_ext.placement import generations
from placement_ext import rest_client

CONFLICT = rest_client.Response(
    409, {'errors': [{'code': 'placement.concurrent_update',
                      'detail': 'generation moved'}]})
IN_USE = rest_client.Response(
    409, {'errors': [{'code': 'placement.inventory.inuse',
                      'detail': 'in use'}]})
DONE = rest_client.Response(200, {})
LOST_RACE = exception.PlacementUnavailable('Placement failed PUT: HTTP 500')


class ScriptedPut:
    """``put`` answering from ``answers`` in turn (raising exceptions)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []

    def __call__(self, url, body=None, expect=(200,)):
        self.calls.append((url, body, expect))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    pauses = []
    monkeypatch.setattr(generations.time, 'sleep', pauses.append)
    return pauses


def test_write_returns_the_answer_and_lets_409_through_to_look_at():
    put = ScriptedPut(DONE, IN_USE)
    assert generations.write(put, '/x', {'a': 1}, expect=(200, 400)) is DONE
    assert put.calls == [('/x', {'a': 1}, (200, 400, 409))]
    assert generations.write(put, '/x', {'a': 1}) is IN_USE


def test_write_raises_moved_on_a_generation_conflict(no_pause):
    with pytest.raises(generations.Moved):
        generations.write(ScriptedPut(CONFLICT), '/x', {})
    assert no_pause == []


def test_write_raises_moved_after_a_pause_when_placement_lost_its_race(
        no_pause):
    with pytest.raises(generations.Moved):
        generations.write(ScriptedPut(LOST_RACE), '/x', {})
    assert no_pause == [generations.RETRY_PAUSE]


def test_retry_reads_and_writes_again_until_the_write_lands():
    put = ScriptedPut(CONFLICT, LOST_RACE, CONFLICT, DONE)
    reads = []

    def attempt():
        reads.append(len(reads))
        return generations.write(put, '/x', {'generation': len(reads)})

    assert generations.retry(attempt, 'testing') is DONE
    assert reads == [0, 1, 2, 3]
    assert [body for _url, body, _expect in put.calls] == [
        {'generation': 1}, {'generation': 2}, {'generation': 3},
        {'generation': 4}]


def test_retry_gives_up_after_attempts_conflicts():
    put = ScriptedPut(*[CONFLICT] * generations.ATTEMPTS)

    with pytest.raises(exception.PlacementUnavailable) as exc:
        generations.retry(lambda: generations.write(put, '/x', {}),
                          'changing traits of rp-1')

    assert str(exc.value) == ('gave up changing traits of rp-1 after %d '
                              'generation conflicts' % generations.ATTEMPTS)
    assert put.answers == []


def test_retry_lets_other_failures_through_at_once():
    put = ScriptedPut(CONFLICT, exception.NotFound('gone'), DONE)

    def attempt():
        return generations.write(put, '/x', {})

    with pytest.raises(exception.NotFound):
        generations.retry(attempt, 'testing')
    assert len(put.calls) == 2
