"""Fixtures of the API tests that run on every database backend."""

import pytest

from placement_ext.testing import db_backends
from tests.functional.api import backends as api_backends


@pytest.fixture(scope='module')
def every_backend(tmp_path_factory):
    """The API over a store on each reachable backend, one Placement."""
    found = api_backends.Backends(tmp_path_factory.mktemp('backends'))
    yield found
    found.close()


@pytest.fixture(params=db_backends.BACKENDS)
def api(request, every_backend):
    """The API over an empty store on one backend (skipped only when the
    backend's server is not listening)."""
    if request.param in every_backend.skipped:
        pytest.skip(every_backend.skipped[request.param])
    every_backend.reset()
    return every_backend.apis[request.param]
