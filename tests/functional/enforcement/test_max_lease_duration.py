"""``MaxLeaseDurationFilter``: Blazar's longest lease (its statuses and
wording), its exempt projects, and Chameleon's extension window."""

import pytest

from placement_ext.enforcement import errors
from tests.functional.enforcement.conftest import ctx
from tests.functional.enforcement.conftest import DAY
from tests.functional.enforcement.conftest import HOUR


def limit(enforced, **options):
    enforced.set(enabled_filters=['MaxLeaseDurationFilter'], **options)
    enforced.add_hosts(1)


def test_create_longer_than_the_maximum_is_403_with_blazars_words(
        sqlite_enforced):
    limit(sqlite_enforced, max_lease_duration=DAY)
    with pytest.raises(errors.Refused) as exc:
        sqlite_enforced.host_lease(start=HOUR, end=HOUR + DAY + 1)
    assert exc.value.code == 403
    assert str(exc.value) == (
        'Lease duration of 86401 seconds must be less than or equal to the '
        'maximum lease duration of 86400 seconds.')
    assert sqlite_enforced.host_lease(start=HOUR, end=HOUR + DAY)


def test_exempt_projects_and_no_limit(sqlite_enforced):
    limit(sqlite_enforced, max_lease_duration=HOUR,
          max_lease_duration_exempt_project_ids=['admin-project'])
    assert sqlite_enforced.host_lease(project='admin-project', end=10 * HOUR)
    sqlite_enforced.set(max_lease_duration=-1)
    assert sqlite_enforced.host_lease(project='p1', start=20 * HOUR,
                                      end=40 * HOUR)


def test_update_past_the_maximum_is_400_and_changes_nothing(
        sqlite_enforced):
    limit(sqlite_enforced, max_lease_duration=2 * HOUR)
    lease = sqlite_enforced.host_lease(start=HOUR, end=3 * HOUR)
    store = sqlite_enforced.store
    with pytest.raises(errors.Refused) as exc:
        store.update_lease(ctx(), lease['id'], {'prolong_for': '1s'})
    assert exc.value.code == 400
    assert 'Lease duration of 7201 seconds' in str(exc.value)
    assert store.get_lease(ctx(), lease['id']) == lease
    # A rename or a shorter lease passes.
    store.update_lease(ctx(), lease['id'], {'name': 'renamed'})
    store.update_lease(ctx(), lease['id'], {'reduce_by': '1h'})


def test_extension_window(sqlite_enforced):
    """Prolonging only within the window before the end; an extension
    may then add up to the maximum past the current end."""
    limit(sqlite_enforced, max_lease_duration=DAY,
          reservation_extension_window=HOUR)
    clock = sqlite_enforced.clock
    store = sqlite_enforced.store
    lease = sqlite_enforced.host_lease(start=HOUR, end=HOUR + DAY)
    with pytest.raises(errors.Refused) as exc:
        store.update_lease(ctx(), lease['id'], {'prolong_for': '1h'})
    assert exc.value.code == 400
    assert 'only be extended within 3600 seconds' in str(exc.value)
    # Shortening is never refused.
    store.update_lease(ctx(), lease['id'], {'reduce_by': '1h'})
    lease = store.get_lease(ctx(), lease['id'])
    clock.now += DAY - 30 * 60          # 30 minutes before the end
    store.update_lease(ctx(), lease['id'], {'prolong_for': '1d'})
    with pytest.raises(errors.Refused) as exc:
        store.update_lease(ctx(), lease['id'], {'prolong_for': '1d'})
    assert 'only be extended within' in str(exc.value)
    clock.now += DAY
    with pytest.raises(errors.Refused) as exc:
        store.update_lease(ctx(), lease['id'], {'prolong_for': '86401s'})
    assert 'Lease duration of 86401 seconds' in str(exc.value)


def test_the_filter_judges_the_window_written_under_the_lock(
        sqlite_enforced):
    """A relative move is judged from the dates inside the lock, so two
    prolongations in turn are both counted."""
    limit(sqlite_enforced, max_lease_duration=3 * HOUR)
    store = sqlite_enforced.store
    lease = sqlite_enforced.host_lease(start=HOUR, end=2 * HOUR)
    store.update_lease(ctx(), lease['id'], {'prolong_for': '1h'})
    store.update_lease(ctx(), lease['id'], {'prolong_for': '1h'})
    with pytest.raises(errors.Refused):
        store.update_lease(ctx(), lease['id'], {'prolong_for': '1h'})
