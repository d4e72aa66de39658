"""The ``[nova]`` group: how the service reaches Nova's compute API."""

from oslo_config import cfg

from placement_ext.conf import utils

GROUP = 'nova'
SERVICE_TYPE = 'compute'

nova_group = cfg.OptGroup(
    GROUP, title='Nova API options',
    help='How the agent and ``blazar-nova-manage`` reach Nova (flavors, '
         'instances, snapshots), and ``blazar-nova-api`` reads the flavor '
         'of a ``flavor:instance`` reservation: keystoneauth1 options of '
         'an admin user. Without ``auth_type`` or ``endpoint_override`` '
         'they leave Nova alone, the agent writes Placement only and the '
         'API refuses ``flavor:instance`` reservations.')


def register_opts(conf):
    utils.register_ksa_opts(conf, nova_group, SERVICE_TYPE)


def list_opts():
    return {nova_group: utils.list_ksa_opts(SERVICE_TYPE)}
