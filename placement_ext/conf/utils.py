"""How the option modules register and list their groups."""

import copy

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg


def register_group(conf, group, opts=()):
    """Register ``group`` and its ``opts`` on ``conf`` through a copy of
    the OptGroup: oslo.config keeps overrides and defaults in the group
    object it is given, so one object registered on two ConfigOpts would
    share them."""
    conf.register_group(cfg.OptGroup(group.name, title=group.title,
                                     help=group.help))
    conf.register_opts(opts, group=group.name)


def set_defaults(conf, group, **defaults):
    """Set this service's defaults of library options on ``conf`` alone
    (a library's own ``set_defaults`` changes them in the whole
    process)."""
    for name, value in defaults.items():
        conf.set_default(name, value, group=group)


def with_defaults(opts, **defaults):
    """Copies of ``opts`` showing this service's defaults, for
    oslo-config-generator."""
    opts = copy.deepcopy(list(opts))
    for opt in opts:
        if opt.dest in defaults:
            opt.default = defaults[opt.dest]
    return opts


def register_ksa_opts(conf, group, service_type, **defaults):
    """Register keystoneauth1's session, auth and adapter options in
    ``group``, with ``service_type`` and ``defaults`` as the adapter's
    defaults."""
    register_group(conf, group)
    ks_loading.register_session_conf_options(conf, group.name)
    ks_loading.register_auth_conf_options(conf, group.name)
    ks_loading.register_adapter_conf_options(conf, group.name)
    set_defaults(conf, group.name, service_type=service_type, **defaults)


def list_ksa_opts(service_type, **defaults):
    """keystoneauth1's options as ``register_ksa_opts`` registers them,
    with the password plugin's, for oslo-config-generator."""
    return (ks_loading.get_session_conf_options()
            + ks_loading.get_auth_common_conf_options()
            + ks_loading.get_auth_plugin_conf_options('password')
            + with_defaults(ks_loading.get_adapter_conf_options(),
                            service_type=service_type, **defaults))
