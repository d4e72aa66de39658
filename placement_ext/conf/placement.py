"""The ``[placement]`` group: how the service reaches Placement."""

from oslo_config import cfg

from placement_ext.conf import utils

GROUP = 'placement'
SERVICE_TYPE = 'placement'
VALID_INTERFACES = ['internal', 'public']

placement_group = cfg.OptGroup(
    GROUP, title='Placement API options',
    help='How the agent, ``blazar-nova-manage`` and the API (for host '
         'enrolment) reach Placement: keystoneauth1 options of a service '
         'user.')


def register_opts(conf):
    utils.register_ksa_opts(conf, placement_group, SERVICE_TYPE,
                            valid_interfaces=VALID_INTERFACES)


def list_opts():
    return {placement_group: utils.list_ksa_opts(
        SERVICE_TYPE, valid_interfaces=VALID_INTERFACES)}
