"""The reservation API application built from a configuration."""

import functools

from oslo_log import log as logging

from placement_ext.api import deploy
from placement_ext.api import wsgi_app
from placement_ext.nova import compute as nova_compute
from placement_ext.placement import client as placement_client
from placement_ext import rest_client
from placement_ext.store import api as store_api

LOG = logging.getLogger(__name__)

PROJECT = 'blazar-nova'


def build(conf, store=None, placement=None, compute=None):
    """The WSGI application of ``conf`` (tests pass their own parts); the
    Placement client is made on first use, the Nova client too when
    ``[nova]`` says how to reach Nova (``flavor:instance`` reservations
    read their flavor there; without it they are refused)."""
    store = store or store_api.Store(conf)

    def placement_factory():
        return placement_client.PlacementClient.from_conf(conf)

    compute_factory = None
    if compute is None and rest_client.configured(conf, nova_compute.GROUP):
        compute_factory = functools.partial(
            nova_compute.ComputeClient.from_conf, conf)

    if conf.api.auth_strategy == 'noauth':
        LOG.warning('The reservation API runs without authentication '
                    '([api] auth_strategy = noauth): for a local service '
                    'and tests only.')
    services = wsgi_app.Services(conf, store, placement, placement_factory,
                                 compute, compute_factory)
    return deploy.deploy(conf, wsgi_app.Dispatcher(services))
