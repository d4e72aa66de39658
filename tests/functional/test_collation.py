"""Identifiers and names compare byte for byte on every backend (issue 15).

MariaDB compares strings with the columns' collation; under its default
``utf8mb4_general_ci`` project ``pa`` would see project ``pA``'s leases,
``Dup`` and ``düp`` would be one lease name and ``MARIA-CN2`` would find
host ``maria-cn2``. The store's tables use ``utf8mb4_nopad_bin`` there
(migration b3f18d6c2a47), so that case, accents and trailing spaces all
count, as they do on SQLite and PostgreSQL.
"""

import pytest

from placement_ext import context as bn_context
from placement_ext import exception
from placement_ext import timeconv

HOUR = 3600

# Differ from each other only by case, accent or a trailing space.
PROJECTS = ('pa', 'pA', 'pá', 'pa ')
NAMES = ('Dup', 'dup', 'düp', 'Dup ')
HOSTNAMES = ('cn-a', 'cn-A', 'cn-á', 'cn-a ')


def ctx(project):
    return bn_context.RequestContext(project_id=project,
                                     user_id='u-' + project)


def admin():
    return bn_context.admin_context()


def date(clock, offset):
    return timeconv.to_text(timeconv.to_datetime(clock.now + offset))


def slot_lease(clock, name):
    return {'name': name, 'start_date': date(clock, HOUR),
            'end_date': date(clock, 2 * HOUR),
            'reservations': [{'resource_type': 'virtual:instance',
                              'amount': 1, 'vcpus': 1, 'memory_mb': 512,
                              'disk_gb': 1}]}


def add_host(store, hostname, vcpus=64):
    return store.create_host(admin(), {
        'hypervisor_hostname': hostname, 'vcpus': vcpus,
        'memory_mb': 65536, 'local_gb': 1000})


def ids(leases):
    return sorted(lease['id'] for lease in leases)


def test_projects_differing_in_case_accent_or_space_see_nothing_of_each_other(
        store, clock):
    add_host(store, 'cn-1')
    own = {}
    for i, project in enumerate(PROJECTS):
        leases = [store.create_lease(ctx(project),
                                     slot_lease(clock, 'l%d-%d' % (i, n)))
                  for n in range(2)]
        assert {lease['project_id'] for lease in leases} == {project}
        own[project] = leases

    for project in PROJECTS:
        mine = ids(own[project])
        assert ids(store.list_leases(ctx(project))) == mine
        assert ids(store.list_leases(admin(), all_projects=True,
                                     project_id=project)) == mine
        for lease in own[project]:
            seen = store.get_lease(ctx(project), lease['id'])
            assert seen['project_id'] == project
            assert seen['name'] == lease['name']
            assert ([r['id'] for r in seen['reservations']]
                    == [r['id'] for r in lease['reservations']])
            (reservation,) = lease['reservations']
            owner = store.reservation_owner(admin(), reservation['id'])
            assert owner.project_id == project
            # Ids compare exactly too.
            with pytest.raises(exception.NotFound):
                store.get_lease(ctx(project), lease['id'].upper())
            assert store.reservation_owner(
                admin(), reservation['id'].upper()) is None
        for other in PROJECTS:
            if other == project:
                continue
            for lease in own[other]:
                with pytest.raises(exception.NotFound):
                    store.get_lease(ctx(project), lease['id'])
                with pytest.raises(exception.NotFound):
                    store.delete_lease(ctx(project), lease['id'])

    assert len(store.list_leases(admin(), all_projects=True)) == 2 * len(
        PROJECTS)


def test_one_name_in_projects_differing_in_case_accent_or_space(
        store, clock):
    # Names are unique within a project, and these are four projects.
    add_host(store, 'cn-1')
    leases = {project: store.create_lease(ctx(project),
                                          slot_lease(clock, 'shared'))
              for project in PROJECTS}
    for project, lease in leases.items():
        assert ids(store.list_leases(ctx(project))) == [lease['id']]
        store.update_lease(ctx(project), lease['id'], {'name': 'renamed'})
        assert store.get_lease(ctx(project), lease['id'])['name'] \
            == 'renamed'


def test_lease_names_differing_in_case_accent_or_space_coexist(
        store, clock):
    add_host(store, 'cn-1')
    project = ctx('pa')
    created = [store.create_lease(project, slot_lease(clock, name))
               for name in NAMES]
    assert sorted(lease['name'] for lease in store.list_leases(project)) \
        == sorted(NAMES)

    # The same name, byte for byte, is still refused.
    for name in NAMES:
        with pytest.raises(exception.Conflict):
            store.create_lease(project, slot_lease(clock, name))
    # Renaming to a name that differs only by case is no clash either.
    renamed = store.update_lease(project, created[0]['id'], {'name': 'DUP'})
    assert renamed['name'] == 'DUP'
    with pytest.raises(exception.Conflict):
        store.update_lease(project, created[0]['id'], {'name': 'düp'})


def test_hostnames_and_uuids_compare_exactly(store):
    maria = add_host(store, 'maria-cn2')
    with pytest.raises(exception.NotFound):
        store.get_host(admin(), 'MARIA-CN2')
    with pytest.raises(exception.NotFound):
        store.get_host(admin(), 'maria-cn2 ')
    with pytest.raises(exception.NotFound):
        store.get_host(admin(), maria['uuid'].upper())
    assert store.get_host(admin(), 'maria-cn2')['id'] == maria['id']

    # Hostnames differing only by case, accent or trailing space are
    # different hosts (the unique index compares them exactly too).
    hosts = {name: add_host(store, name) for name in HOSTNAMES}
    assert len({host['id'] for host in hosts.values()}) == len(HOSTNAMES)
    for name, host in hosts.items():
        found = store.get_host(admin(), name)
        assert found['id'] == host['id']
        assert found['hypervisor_hostname'] == name
    with pytest.raises(exception.Conflict):
        add_host(store, 'cn-A')
    assert sorted(host['hypervisor_hostname']
                  for host in store.list_hosts(admin())) == sorted(
        HOSTNAMES + ('maria-cn2',))
