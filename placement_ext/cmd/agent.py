"""``blazar-nova-agent``: starts, ends and heals leases on time.

Usage::

    blazar-nova-agent [--config-file FILE] [--once]

It reads the store's ``[database]``, Placement's ``[placement]`` and, when
``[nova] auth_type`` or ``endpoint_override`` is set, Nova's ``[nova]``
options; ``[agent]`` tunes it. Without Nova it does every Placement step and
skips the Nova ones (flavors, instances), saying so once at start-up.

Without ``--once`` the process is cotyledon's master over one worker that
runs the agent (``placement_ext.agent.service``): SIGTERM and SIGINT finish
the step in hand and exit 0, SIGHUP reloads the configuration files.
"""

import sys

from oslo_config import cfg
from oslo_log import log as logging

from placement_ext.agent import healing
from placement_ext.agent import notifications
from placement_ext.agent import runner
from placement_ext.agent import service
from placement_ext.agent import steps
from placement_ext.nova import compute as bn_compute
from placement_ext.nova import images as bn_images
from placement_ext import conf as bn_conf
from placement_ext import exception
from placement_ext.placement import client as placement_client
from placement_ext import rest_client
from placement_ext.store import api as store_api

LOG = logging.getLogger(__name__)

PROJECT = 'blazar-nova'
PROG = 'blazar-nova-agent'

cli_opts = [
    cfg.BoolOpt('once', default=False,
                help='Run the events that are due now, then exit.'),
]


def build(conf, store=None, placement=None, compute=None, notifier=None,
          clock=None, images=None):
    """An ``Agent`` wired from ``conf`` (tests pass their own parts)."""
    store = store or store_api.Store(conf)
    placement = placement or placement_client.PlacementClient.from_conf(conf)
    if compute is None and rest_client.configured(conf, bn_compute.GROUP):
        compute = bn_compute.ComputeClient.from_conf(conf)
    if compute is None:
        LOG.warning('No Nova endpoint configured ([nova]): the agent writes '
                    'Placement only and skips flavors and instances.')
    if images is None and compute is not None and \
            rest_client.configured(conf, bn_images.GROUP):
        images = bn_images.ImageClient.from_conf(conf)
    if compute is not None and images is None:
        LOG.warning('No Glance endpoint configured ([glance]): before-end '
                    'snapshots stay in the service project of [nova].')
    notifier = notifier or notifications.LeaseNotifier(conf)
    extra = {'clock': clock} if clock else {}

    def steps_factory(**kwargs):
        return steps.LeaseSteps(conf, store, placement, compute, notifier,
                                images=images, **kwargs)

    return runner.Agent(conf, store, steps_factory,
                        healer=healing.Healer(conf, store, placement,
                                              compute), **extra)


def build_or_exit(conf):
    """``build(conf)``, or exit 1 with the reason when the configuration
    cannot make an agent."""
    try:
        return build(conf)
    except exception.ReservationError as exc:
        LOG.error('%s', exc)
        sys.exit(1)


def main(argv=None):
    conf = cfg.ConfigOpts()
    bn_conf.register_opts(conf)
    logging.register_options(conf)
    conf.register_cli_opts(cli_opts)
    try:
        conf(sys.argv[1:] if argv is None else argv, project=PROJECT,
             prog=PROG)
    except cfg.Error as exc:
        print('ERROR: %s' % exc, file=sys.stderr)
        return 1
    logging.setup(conf, PROJECT)
    if conf.once:
        try:
            agent = build(conf)
        except exception.ReservationError as exc:
            LOG.error('%s', exc)
            return 1
        done = agent.run_once()
        LOG.info('%d event(s) completed', done)
        return 0
    return service.AgentManager(conf, build_or_exit).run()


if __name__ == '__main__':
    sys.exit(main())
