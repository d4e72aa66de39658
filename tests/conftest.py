"""Shared pytest fixtures: configuration and databases on every backend."""

import os

# Nova's test packages pick eventlet or native threads when first imported
# and refuse native threads once anything imported eventlet; choose native
# threads before any test module imports Nova (see tests/functional/nova).
os.environ.setdefault('OS_NOVA_DISABLE_EVENTLET_PATCHING', '1')
import nova.tests.functional  # noqa: E402,F401

import pytest  # noqa: E402
from oslo_config import cfg  # noqa: E402

from placement_ext import conf as bn_conf  # noqa: E402
from placement_ext.testing import db_backends  # noqa: E402


@pytest.fixture
def conf():
    """A fresh ConfigOpts with every option of the service registered."""
    config = cfg.ConfigOpts()
    bn_conf.register_opts(config)
    config([], project='blazar-nova', default_config_files=[])
    return config


def scratch_database(backend, tmp_path):
    """Create a scratch database or skip when its server is not running."""
    try:
        return db_backends.ScratchDatabase(backend, tmp_path)
    except db_backends.BackendUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(params=db_backends.BACKENDS)
def db_url(request, tmp_path):
    """The URL of an empty database, once per backend."""
    database = scratch_database(request.param, tmp_path)
    yield database.url
    database.drop()


class FakeClock:
    """A clock the tests move by hand (epoch seconds)."""

    def __init__(self, now=1_900_000_000):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def store(conf, db_url, clock):
    """A migrated store on each backend, with a fake clock."""
    from placement_ext.db import api as db_api
    from placement_ext.db import migration
    from placement_ext.store import api as store_api

    database = db_api.Database(connection=db_url)
    migration.upgrade(database)
    yield store_api.Store(conf, database, clock=clock)
    database.dispose()


def pytest_make_parametrize_id(config, val, argname):
    """No ':' in generated test ids: gabbi's pytest plugin (loaded for
    tests/functional/api/test_gabbi.py) takes every test whose id has one
    for a YAML test of its own."""
    if isinstance(val, str) and ':' in val:
        return val.replace(':', '-')
    return None
