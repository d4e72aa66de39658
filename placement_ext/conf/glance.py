"""The ``[glance]`` group: how the agent reaches Glance."""

from oslo_config import cfg

from placement_ext.conf import utils

GROUP = 'glance'
SERVICE_TYPE = 'image'

glance_group = cfg.OptGroup(
    GROUP, title='Glance API options',
    help='keystoneauth1 options of the user with which the agent gives a '
         'lease\'s before-end snapshots to the lease\'s project (an '
         'administrator\'s change in Glance). Without ``auth_type`` or '
         '``endpoint_override`` the snapshots stay in the project of '
         '``[nova]``\'s user.')


def register_opts(conf):
    utils.register_ksa_opts(conf, glance_group, SERVICE_TYPE)


def list_opts():
    return {glance_group: utils.list_ksa_opts(SERVICE_TYPE)}
