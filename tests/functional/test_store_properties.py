"""Host property names and their privacy, on SQLite, MariaDB and PostgreSQL.
"""

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy import insert
from sqlalchemy import select

from placement_ext import context as bn_context
from placement_ext.db import models
from placement_ext import exception
from placement_ext.store import properties

ADMIN = bn_context.admin_context()


def add_host(store, name, **props):
    return store.create_host(ADMIN, {
        'hypervisor_hostname': name, 'vcpus': 8, 'memory_mb': 16384,
        'local_gb': 200, 'properties': props})


def rows(store):
    """``{name: (private, created_at set, updated_at set)}``."""
    with store.db.reader(ADMIN) as session:
        return {row.name: (row.private, row.created_at is not None,
                           row.updated_at is not None)
                for row in session.scalars(select(models.ResourceProperty))}


@pytest.fixture
def three_hosts(store):
    add_host(store, 'cn01', gpu='a100', rack=1, ssd=True)
    add_host(store, 'cn02', gpu='a100', rack='1', ssd=False)
    add_host(store, 'cn03', gpu='h100', rack=2, zone='z1')


def test_private_defaults_to_false_in_the_database(store):
    with store.db.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO resource_properties (name, created_at) "
            "VALUES ('gpu', '2030-01-01 00:00:00')"))
    assert rows(store) == {'gpu': (False, True, False)}


def test_nothing_to_list_without_hosts(store):
    assert store.list_resource_properties(ADMIN) == []
    assert store.list_resource_properties(ADMIN, detail=True,
                                          include_private=True) == []


def test_list_without_detail(store, three_hosts):
    assert store.list_resource_properties(ADMIN) == [
        {'property': 'gpu', 'private': False},
        {'property': 'rack', 'private': False},
        {'property': 'ssd', 'private': False},
        {'property': 'zone', 'private': False}]


def test_detail_collects_distinct_values_as_text(store, three_hosts):
    # rack is 1 on cn01 and '1' on cn02: one value '1'; booleans are
    # spelt as JSON (and property filters) spell them.
    assert store.list_resource_properties(ADMIN, detail=True) == [
        {'property': 'gpu', 'private': False, 'values': ['a100', 'h100']},
        {'property': 'rack', 'private': False, 'values': ['1', '2']},
        {'property': 'ssd', 'private': False, 'values': ['false', 'true']},
        {'property': 'zone', 'private': False, 'values': ['z1']}]
    # Listing writes nothing.
    assert rows(store) == {}


def test_private_hidden_unless_include_private(store, three_hosts):
    found = store.update_resource_property(ADMIN, 'gpu', True)

    assert found == {'property': 'gpu', 'private': True,
                     'values': ['a100', 'h100']}
    assert rows(store) == {'gpu': (True, True, False)}
    assert [p['property'] for p in
            store.list_resource_properties(ADMIN)] == ['rack', 'ssd', 'zone']
    assert [p['property'] for p in store.list_resource_properties(
        ADMIN, detail=True)] == ['rack', 'ssd', 'zone']
    assert store.list_resource_properties(ADMIN, include_private=True) == [
        {'property': 'gpu', 'private': True},
        {'property': 'rack', 'private': False},
        {'property': 'ssd', 'private': False},
        {'property': 'zone', 'private': False}]
    assert store.list_resource_properties(
        ADMIN, detail=True, include_private=True)[0] == {
        'property': 'gpu', 'private': True, 'values': ['a100', 'h100']}


def test_toggle_back_to_public(store, three_hosts):
    store.update_resource_property(ADMIN, 'zone', True)
    # Setting the same value again is no error and keeps one row.
    assert store.update_resource_property(ADMIN, 'zone', True)[
        'private'] is True
    assert rows(store) == {'zone': (True, True, True)}

    found = store.update_resource_property(ADMIN, 'zone', False)

    assert found == {'property': 'zone', 'private': False, 'values': ['z1']}
    assert rows(store) == {'zone': (False, True, True)}
    assert [p['property'] for p in store.list_resource_properties(ADMIN)] \
        == ['gpu', 'rack', 'ssd', 'zone']


def test_making_public_a_property_without_row(store, three_hosts):
    found = store.update_resource_property(ADMIN, 'rack', False)

    assert found == {'property': 'rack', 'private': False,
                     'values': ['1', '2']}
    assert rows(store) == {'rack': (False, True, False)}


def test_unknown_property_is_not_found_and_writes_nothing(store,
                                                          three_hosts):
    store.update_resource_property(ADMIN, 'gpu', True)
    before = rows(store)

    with pytest.raises(exception.NotFound) as exc:
        store.update_resource_property(ADMIN, 'colour', True)

    assert str(exc.value) == 'No host has property colour.'
    assert exc.value.code == 404
    assert rows(store) == before


def test_unknown_property_with_stale_row_is_not_found(store):
    # A row left by hosts that are gone: the update the store makes first
    # is rolled back with the refusal.
    add_host(store, 'cn01', gpu='a100')
    store.update_resource_property(ADMIN, 'gpu', True)
    store.delete_host(ADMIN, 'cn01')

    with pytest.raises(exception.NotFound):
        store.update_resource_property(ADMIN, 'gpu', False)

    assert rows(store) == {'gpu': (True, True, False)}


def test_no_properties_when_no_host_has_any(store):
    add_host(store, 'cn01')

    assert store.list_resource_properties(ADMIN, detail=True) == []
    with pytest.raises(exception.NotFound):
        store.update_resource_property(ADMIN, 'gpu', True)


def test_properties_of_a_deleted_host_are_no_longer_listed(store,
                                                           three_hosts):
    store.update_resource_property(ADMIN, 'zone', True)
    store.delete_host(ADMIN, 'cn03')

    assert store.list_resource_properties(
        ADMIN, detail=True, include_private=True) == [
        {'property': 'gpu', 'private': False, 'values': ['a100']},
        {'property': 'rack', 'private': False, 'values': ['1']},
        {'property': 'ssd', 'private': False, 'values': ['false', 'true']}]

    # The privacy outlives the hosts: a host bringing zone back hides it.
    add_host(store, 'cn04', zone='z2')
    assert [p['property'] for p in store.list_resource_properties(ADMIN)] \
        == ['gpu', 'rack', 'ssd']
    assert store.list_resource_properties(
        ADMIN, detail=True, include_private=True)[-1] == {
        'property': 'zone', 'private': True, 'values': ['z2']}


def test_values_follow_host_updates(store, three_hosts):
    store.update_host(ADMIN, 'cn03', {'properties': {'gpu': 'a100'}})

    assert store.list_resource_properties(ADMIN, detail=True) == [
        {'property': 'gpu', 'private': False, 'values': ['a100']},
        {'property': 'rack', 'private': False, 'values': ['1']},
        {'property': 'ssd', 'private': False, 'values': ['false', 'true']}]


def test_name_longer_than_the_table_keeps_is_refused(store):
    # Property names are at most 64 characters (limits), as the privacy
    # table keeps them: a host cannot carry a longer one, so every name a
    # host carries can be made private.
    name = 'p' * 65
    with pytest.raises(exception.InvalidInput) as info:
        add_host(store, 'cn01', **{name: 'x'})
    assert 'bad property name' in str(info.value)
    assert store.list_hosts(ADMIN) == []
    with pytest.raises(exception.NotFound):
        store.update_resource_property(ADMIN, name, True)
    assert rows(store) == {}

    add_host(store, 'cn01', **{name[:64]: 'x'})
    assert store.update_resource_property(ADMIN, name[:64], True) == {
        'property': name[:64], 'private': True, 'values': ['x']}


def test_row_inserted_concurrently_becomes_an_update(store, three_hosts,
                                                     monkeypatch):
    # Another request creates the row after this one's update found none:
    # the insert meets a duplicate, which must not fail the request nor
    # (on PostgreSQL) spoil the transaction.
    real_update = properties._update
    calls = []

    def update_after_race(session, name, private):
        calls.append(name)
        if len(calls) == 1:
            with store.db.engine.begin() as connection:
                connection.execute(insert(models.ResourceProperty).values(
                    name=name, private=False))
            return 0
        return real_update(session, name, private)

    monkeypatch.setattr(properties, '_update', update_after_race)

    found = store.update_resource_property(ADMIN, 'gpu', True)

    assert found == {'property': 'gpu', 'private': True,
                     'values': ['a100', 'h100']}
    assert calls == ['gpu', 'gpu']
    assert rows(store) == {'gpu': (True, True, True)}


def test_two_requests_create_the_same_row_at_once(store, three_hosts,
                                                  monkeypatch):
    # Both requests find no row, then both insert. SQLite serialises them
    # on the write lock the first update takes, so only the servers race.
    racing = store.db.backend != 'sqlite'
    barrier = threading.Barrier(2, timeout=30)
    real_host_values = properties._host_values
    waited = set()

    def host_values_together(session):
        # Once per request: a request retried after a deadlock goes alone.
        if racing and threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            barrier.wait()
        return real_host_values(session)

    real_insert = properties._insert
    inserted = []

    def insert_and_record(session, name, private):
        inserted.append(real_insert(session, name, private))
        return inserted[-1]

    monkeypatch.setattr(properties, '_host_values', host_values_together)
    monkeypatch.setattr(properties, '_insert', insert_and_record)
    results, errors = [], []

    def request():
        try:
            results.append(store.update_resource_property(ADMIN, 'ssd',
                                                          True))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert results == [{'property': 'ssd', 'private': True,
                        'values': ['false', 'true']}] * 2
    # One insert made the row. The other request found it with its update
    # (SQLite), met the duplicate (PostgreSQL) or deadlocked and found it
    # when retried (MariaDB).
    assert inserted.count(True) == 1, inserted
    assert rows(store)['ssd'][0] is True
    assert list(rows(store)) == ['ssd']
