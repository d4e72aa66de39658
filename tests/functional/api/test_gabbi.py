"""Gabbi tests of the reservation API (YAML files in ``gabbits``), run
in-process by pytest, one test item per YAML test.

Each YAML file runs under the fixtures it names (``fixtures.py``): a fresh
store, an in-process Placement and the API built by
``placement_ext.api.service.build``. A test fails if the API answered any
request with a 500 while it ran, whatever the YAML expected; and every
YAML test must state its status.
"""

import os

from gabbi import driver
# pytest runs this (parametrized by pytest_generate_tests below) as the
# gabbi tests.
from gabbi.driver import test_pytest  # noqa: F401
from gabbi import utils
import pytest
import webob

from tests.functional.api import fixtures

TESTS_DIR = os.path.join(os.path.dirname(__file__), 'gabbits')


def pytest_generate_tests(metafunc):
    if metafunc.function is not test_pytest:
        return
    driver.py_test_generator(
        TESTS_DIR, intercept=fixtures.setup_app,
        fixture_module=fixtures, test_loader_name='reservation',
        metafunc=metafunc)


@pytest.fixture(autouse=True)
def no_server_error():
    """Fail a test during which the API answered a 500."""
    del fixtures.SERVER_ERRORS[:]
    yield
    errors, fixtures.SERVER_ERRORS[:] = list(fixtures.SERVER_ERRORS), []
    assert not errors, 'the API answered 500: %s' % '; '.join(errors)


def _yaml_tests():
    for name in sorted(os.listdir(TESTS_DIR)):
        if name.endswith('.yaml'):
            suite = utils.load_yaml(
                yaml_file=os.path.join(TESTS_DIR, name))
            for test in suite['tests']:
                yield name, test


def test_every_yaml_test_states_its_status():
    """A test without ``status`` would accept gabbi's default (200); none
    may expect a 500."""
    tests = list(_yaml_tests())
    assert tests
    for name, test in tests:
        where = '%s: %s' % (name, test['name'])
        assert 'status' in test, '%s states no status' % where
        assert '500' not in str(test['status']), '%s expects a 500' % where


# Paths that gabbi cannot send as a WSGI server would pass them: its
# client (httpx's WSGI transport) decodes the path as UTF-8 itself, where
# PEP 3333 servers give the application the raw bytes as latin-1.

@pytest.fixture(scope='module')
def api():
    fixture = fixtures.APIFixture()
    fixture.start_fixture()
    yield fixture
    fixture.stop_fixture()


def _get(path):
    req = webob.Request.blank(path)
    req.headers['X-Auth-Token'] = 'admin'
    return req.get_response(fixtures.APP)


@pytest.mark.parametrize('path', ['/v1/leases/%FF', '/v1/nothing%C3',
                                  '/v1/os-hosts/%E9t%E9/allocation',
                                  '/%FF'])
def test_path_not_utf8(api, path):
    resp = _get(path)
    assert resp.status_int == 400, resp.text
    assert resp.json == {
        'error_code': 400, 'error_name': 'BAD_REQUEST',
        'error_message': 'The request path or query string is not valid '
                         'UTF-8.'}
    assert resp.headers['OpenStack-API-Version'] == 'reservation 1.0'


def test_path_in_utf8(api):
    resp = _get('/v1/os-hosts/%C3%A9t%C3%A9')
    assert resp.status_int == 404, resp.text
    assert resp.json['error_message'] == "Host 'été' not found!"
