"""MariaDB connections carry every character the tables store.

oslo.db asks for ``charset=utf8`` (three bytes a character) when the URL
names none, and DevStack writes ``?charset=utf8``; an emoji in a host name
or a project id then failed on MariaDB (500) while SQLite and PostgreSQL
stored it. The store's connections talk utf8mb4 instead.
"""

import pytest
from sqlalchemy.engine import url as sa_url

from placement_ext import context as bn_context
from placement_ext.db import api as db_api
from placement_ext.db import migration
from placement_ext.store import api as store_api
from tests.conftest import scratch_database

NAME = 'cn-\U0001F600'
PROJECT = '\U0001F600' * 64


@pytest.mark.parametrize('charset', [None, 'utf8', 'utf8mb3'])
def test_four_byte_characters_are_stored_and_found(tmp_path, conf, clock,
                                                   charset):
    scratch = scratch_database('mysql', tmp_path)
    url = scratch.url
    if charset:
        url = sa_url.make_url(url).update_query_dict(
            {'charset': charset}).render_as_string(hide_password=False)
    database = db_api.Database(connection=url)
    try:
        migration.upgrade(database)
        store = store_api.Store(conf, database, clock=clock)
        admin = bn_context.admin_context()
        store.create_host(admin, {'hypervisor_hostname': NAME, 'vcpus': 8,
                                  'memory_mb': 8192, 'local_gb': 100,
                                  'properties': {'emoji': '\U0001F680'}})
        found = store.get_host(admin, NAME)
        assert found['hypervisor_hostname'] == NAME
        assert found['properties'] == {'emoji': '\U0001F680'}
        project = bn_context.RequestContext(project_id=PROJECT, user_id='u')
        assert store.list_leases(project) == []
    finally:
        database.dispose()
        scratch.drop()
