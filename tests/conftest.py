"""Shared pytest fixtures: configuration and databases on every backend."""

import pytest
from oslo_config import cfg

from placement_ext import conf as bn_conf
from tests import db_backends


@pytest.fixture
def conf():
    """A fresh ConfigOpts with every option of the store registered."""
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
